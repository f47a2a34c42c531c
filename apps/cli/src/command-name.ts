/**
 * How the user runs corral here, for hints such as "Resume with: ...": `corral` once it is on the
 * PATH, or what the repository's launcher says (`pnpm -s corral` from a clone) in `CORRAL_COMMAND`.
 */
export function commandName(): string {
  return process.env.CORRAL_COMMAND?.trim() || "corral";
}
