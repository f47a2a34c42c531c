/**
 * How the user runs corral here, for hints such as "Resume with: ...": `corral` once it is on the
 * PATH, or what the repository's launcher says (`pnpm -s corral` from a clone) in `CORRAL_COMMAND`
 * of `env` (the CLI's io, so an in-process run reads its own environment).
 */
export function commandName(env: Record<string, string | undefined>): string {
  return env.CORRAL_COMMAND?.trim() || "corral";
}
