import { isAgentError } from "@corral/core";
import { CliError } from "./cli-error.js";
import type { Colors } from "./colors.js";
import { commandName } from "./command-name.js";
import { terminalText } from "./terminal-text.js";

/** Exit codes: 0 ok, 1 failure, 2 usage, 130 interrupted (Ctrl-C). */
export const ExitCode = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** The exit code for an error thrown out of a command. */
export function exitCodeFor(error: unknown): number {
  if (!isAgentError(error)) return ExitCode.failure;
  if (error.code === "usage") return ExitCode.usage;
  if (error.code === "aborted") return ExitCode.interrupted;
  return ExitCode.failure;
}

/**
 * The one line (two with a hint) the user sees for an error. With `debug`, the stack and
 * the chain of causes follow.
 */
export function formatError(error: unknown, colors: Colors, debug: boolean, env: Record<string, string | undefined>): string {
  const { message, hint } = describeError(error, env);
  let text = `${colors.red(colors.bold("error:"))} ${message}\n`;
  if (hint) text += `${colors.dim("hint:")} ${hint}\n`;
  if (debug) {
    let current: unknown = error;
    while (current) {
      text += colors.dim(`${terminalText(current instanceof Error ? (current.stack ?? String(current)) : String(current))}\n`);
      current = current instanceof Error ? current.cause : undefined;
      if (current) text += colors.dim("caused by: ");
    }
  } else if (!isAgentError(error)) {
    text += `${colors.dim("hint:")} run again with --debug to see the details.\n`;
  }
  return text;
}

/**
 * The message and hint for an error, with the CLI's wording for the errors users meet most.
 * Both are safe to print: messages carry file names, model output and tool results.
 */
export function describeError(error: unknown, env: Record<string, string | undefined>): { message: string; hint?: string } {
  const { message, hint } = describe(error, commandName(env));
  return { message: terminalText(message), ...(hint === undefined ? {} : { hint: terminalText(hint) }) };
}

function describe(error: unknown, command: string): { message: string; hint?: string } {
  if (error instanceof CliError) return { message: oneLine(error.message), hint: error.hint };
  if (isAgentError(error)) {
    switch (error.code) {
      case "ollama_unreachable": {
        const host = (error as { host?: string }).host ?? "the configured address";
        return {
          message: `Cannot reach Ollama at ${host}.`,
          hint: "start it with `ollama serve`, or point OLLAMA_HOST (or --host) at the address where it runs.",
        };
      }
      case "model_not_found": {
        const model = (error as { model?: string }).model ?? "the model";
        return {
          message: `Model "${model}" is not available in Ollama.`,
          hint: `pull it with \`${command} models pull ${model}\`, or choose another with --model (chat) or --embed-model (embeddings).`,
        };
      }
      case "index_model_mismatch": {
        const expected = (error as { expected?: string }).expected;
        return {
          message: `${oneLine(error.message.split(". Open it with")[0] ?? error.message)}.`,
          hint: `rebuild it with \`${command} index --rebuild <paths>\`${expected ? `, or pass --embed-model ${expected}` : ""}.`,
        };
      }
      case "index_not_found":
        return {
          message: `${oneLine(error.message.split(". Build")[0] ?? error.message)}.`,
          hint: `build it with \`${command} index <folder>\`.`,
        };
      case "config_invalid":
        return {
          message: oneLine(error.message),
          hint: /\.json\b/.test(error.message)
            ? `fix the file (\`${command} init --file example.json\` writes an annotated example).`
            : undefined,
        };
      case "usage":
        return { message: oneLine(error.message), hint: "add --help to see the usage and examples." };
      default:
        return { message: oneLine(error.message) };
    }
  }
  if (error instanceof Error) return { message: oneLine(error.message) || error.name };
  return { message: String(error) };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
