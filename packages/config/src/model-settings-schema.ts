import { z } from "zod";

const int = () => z.number().int();
const unit = () => z.number().min(0).max(1);

/**
 * Ollama's `options`, with Ollama's own names (ollama-protocol.md 1.4). Sampling options apply per call;
 * load-time ones (`num_ctx`, `num_batch`, `num_gpu`, `main_gpu`, `use_mmap`, `num_thread`,
 * `draft_num_predict`) make Ollama reload the model when they change. Unknown names are errors (Ollama would
 * ignore them silently).
 */
export const modelOptionsSchema = z.strictObject({
  temperature: z.number().min(0).optional(),
  top_k: int().min(0).optional(),
  top_p: unit().optional(),
  min_p: unit().optional(),
  typical_p: unit().optional(),
  seed: int().optional(),
  /** Tokens to generate at most; -1 unlimited. */
  num_predict: int().min(-2).optional(),
  stop: z.array(z.string().min(1)).optional(),
  repeat_penalty: z.number().min(0).optional(),
  repeat_last_n: int().min(-1).optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  num_keep: int().min(-1).optional(),
  /** The context window; see "Context and truncation" in @corral/core's README for what corral sends without it. */
  num_ctx: int().min(256, "must be at least 256 tokens").optional(),
  num_batch: int().min(1).optional(),
  num_gpu: int().min(-1).optional(),
  main_gpu: int().min(0).optional(),
  use_mmap: z.boolean().optional(),
  num_thread: int().min(0).optional(),
  draft_num_predict: int().min(0).optional(),
});

/** The names `options` accepts. */
export const MODEL_OPTION_NAMES: readonly string[] = Object.keys(modelOptionsSchema.shape);

/** A Go duration as Ollama parses it: `"10m"`, `"1h30m"`, `"-1m"`, `"0"`. */
const GO_DURATION = /^(0|[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$/;

/** Ollama's `keep_alive`: seconds as a number (negative: keep loaded, 0: unload), or a duration with a unit. */
export const keepAliveSchema = z.union([
  z.number(),
  z
    .string()
    .regex(
      GO_DURATION,
      'must be seconds as a number, or a duration with a unit ("10m", "1h30m", "-1m"; "0" unloads): "300" needs a unit ("300s")',
    ),
]);

/** Ollama's `think`: true/false, or a level for models that take one. */
export const thinkSchema = z.union([z.boolean(), z.enum(["low", "medium", "high", "max"])]);

/** The option name nearest to a misspelt one (at most two edits away), for the error message. */
export function suggestOptionName(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of MODEL_OPTION_NAMES) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
