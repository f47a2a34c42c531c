import picocolors from "picocolors";
import type { CliOutput } from "./cli-io.js";

/** The colour functions the CLI uses (all identity functions when colour is off). */
export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Colours for one output stream: on for a terminal, off for pipes and files, off when
 * `NO_COLOR` is set (any non-empty value) or `--no-color` is given, on when `FORCE_COLOR` is set.
 */
export function colorsFor(stream: CliOutput, env: Record<string, string | undefined>, flag = true): Colors {
  return picocolors.createColors(shouldColor(stream, env, flag));
}

/** Whether colour is wanted on `stream`. */
export function shouldColor(stream: CliOutput, env: Record<string, string | undefined>, flag = true): boolean {
  if (!flag) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}
