import path from "node:path";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { commandName } from "../command-name.js";

/** `corral init`: writes a starter `corral.config.json` with notes in `$comment` fields. */
export async function init(ctx: CliContext, options: { force?: boolean; file: string }): Promise<void> {
  const { writeConfigTemplate } = await import("@corral/config");
  let file: string;
  try {
    file = await writeConfigTemplate({ cwd: ctx.io.cwd, file: options.file, force: options.force });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/already exists/.test(message)) {
      throw new CliError("config_exists", `${path.resolve(ctx.io.cwd, options.file)} already exists; it was left unchanged.`, {
        hint: `edit it, or run \`${commandName(ctx.io.env)} init --force\` to replace it.`,
      });
    }
    throw error;
  }
  ctx.print(`Wrote ${path.relative(ctx.io.cwd, file) || file}`);
  ctx.info(
    ctx.err.dim(
      `next: put your documents in ./docs, then run \`${commandName(ctx.io.env)} doctor\` and \`${commandName(ctx.io.env)} chat --docs ./docs\`.`,
    ),
  );
}
