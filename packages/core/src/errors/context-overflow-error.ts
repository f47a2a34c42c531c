import { AgentError } from "./agent-error.js";

/**
 * The prompt does not fit the model's context window (`num_ctx`) even after old turns were dropped: refused
 * before sending (`source: "estimate"`), or refused by Ollama twice (`source: "ollama"`, native-mode models
 * answer 400 "exceeds the available context size").
 */
export class ContextOverflowError extends AgentError {
  /** About how many tokens the call needs: the prompt plus the reserve. */
  readonly neededTokens: number;
  /** The prompt's estimated (or, from Ollama, counted) tokens. */
  readonly promptTokens: number;
  /** Tokens kept free for the answer and thinking. */
  readonly reservedTokens: number;
  /** The `num_ctx` in use. */
  readonly numCtx: number;
  /** Who found it: corral's estimate before sending, or Ollama. */
  readonly source: "estimate" | "ollama";

  constructor(input: {
    promptTokens: number;
    reservedTokens: number;
    numCtx: number;
    source: "estimate" | "ollama";
    what?: string;
    /** What the reserve is for; default "the answer". */
    reserveFor?: string;
    cause?: unknown;
  }) {
    const needed = input.promptTokens + input.reservedTokens;
    const what = input.what ?? "The input";
    const reserve =
      input.reservedTokens > 0
        ? ` (${input.promptTokens} for the prompt + ${input.reservedTokens} kept free for ${input.reserveFor ?? "the answer"})`
        : "";
    const found = input.source === "ollama" ? "Ollama refused it: " : "";
    const suggestion = Math.max(needed, input.numCtx + 1);
    super(
      "context_overflow",
      `${found}${what} needs about ${needed} tokens${reserve}, but the context window (num_ctx) is ${input.numCtx}, even with older turns left out. ` +
        `Raise num_ctx to at least ${roundUp(suggestion)} (options.num_ctx in corral.config.json or the agent's options; the model must have the memory for it), or shorten the input.`,
      { cause: input.cause },
    );
    this.neededTokens = needed;
    this.promptTokens = input.promptTokens;
    this.reservedTokens = input.reservedTokens;
    this.numCtx = input.numCtx;
    this.source = input.source;
  }
}

/** The next multiple of 1,024. */
function roundUp(tokens: number): number {
  return Math.ceil(tokens / 1024) * 1024;
}
