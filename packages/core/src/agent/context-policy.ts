import type { ModelInfo } from "../model/chat-model.js";
import { numericModelfileParameter } from "../model/modelfile-parameters.js";

/**
 * The `num_ctx` corral sends when neither the agent's options nor the model's Modelfile set one: modest, so a
 * small GPU keeps the whole model and its KV cache in VRAM (Ollama itself picks 4,096 below 23 GiB).
 */
export const DEFAULT_CONTEXT_TOKENS = 8192;

/** Where a context length came from. */
export type ContextSource = "options" | "modelfile" | "default";

/** The context window an agent uses, the same on every call. */
export interface ContextWindow {
  /** The `num_ctx` sent with every call. */
  numCtx: number;
  /** Which rule chose it. */
  source: ContextSource;
  /** The model's trained length, when known; `numCtx` never exceeds it. */
  trainedLength?: number;
  /** True when the chosen value was lowered to the trained length. */
  capped: boolean;
}

/**
 * The context policy, in order: the agent's `options.num_ctx`, the model's Modelfile `num_ctx` (from
 * `/api/show` parameters), then `defaultTokens` (default {@link DEFAULT_CONTEXT_TOKENS}); each capped at the
 * trained length, as Ollama caps it.
 * @example
 * resolveContextWindow({ info: { contextLength: 40960, parameters: {} } }); // { numCtx: 8192, source: "default", ... }
 */
export function resolveContextWindow(input: {
  configured?: number;
  info?: Pick<ModelInfo, "contextLength" | "parameters">;
  defaultTokens?: number;
}): ContextWindow {
  const trainedLength = input.info?.contextLength;
  const modelfile = numericModelfileParameter(input.info?.parameters, "num_ctx");
  const [wanted, source]: [number, ContextSource] =
    input.configured !== undefined
      ? [input.configured, "options"]
      : modelfile !== undefined && modelfile > 0
        ? [modelfile, "modelfile"]
        : [input.defaultTokens ?? DEFAULT_CONTEXT_TOKENS, "default"];
  const capped = trainedLength !== undefined && trainedLength > 0 && wanted > trainedLength;
  return { numCtx: capped ? trainedLength : wanted, source, trainedLength, capped };
}

/** Ollama's default `num_keep`: the prompt tokens its runner keeps when it cuts a prompt. */
export const DEFAULT_NUM_KEEP = 4;

/** Tokens kept free in the window: for the answer, and for thinking when the model thinks. */
export interface ContextReserve {
  answer: number;
  thinking: number;
  total: number;
}

/**
 * The part of `num_ctx` the prompt may not use. With `num_predict` set, that many tokens (thinking counts
 * toward it). Otherwise a quarter of the window, at most 2,048, for the answer, and as much again for thinking
 * when the model thinks.
 */
export function contextReserve(numCtx: number, options: { numPredict?: unknown; thinking: boolean }): ContextReserve {
  if (typeof options.numPredict === "number" && options.numPredict > 0) {
    const answer = Math.min(options.numPredict, Math.floor(numCtx / 2));
    return { answer, thinking: 0, total: answer };
  }
  const share = Math.min(2048, Math.floor(numCtx / 4));
  const thinking = options.thinking ? share : 0;
  return { answer: share, thinking, total: share + thinking };
}
