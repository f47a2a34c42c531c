import path from "node:path";
import { Command } from "commander";
import type { CliContext } from "../cli-context.js";
import { CliError } from "../cli-error.js";
import { commandName } from "../command-name.js";
import { examples } from "./examples.js";

/** `corral init`: writes a starter `corral.config.json` with notes in `$comment` fields. */
export function initCommand(ctx: CliContext): Command {
  return new Command("init")
    .description("write a starter corral.config.json (notes in $comment fields) in the current folder")
    .option("-f, --force", "replace an existing file")
    .option("--file <path>", "write to another file name", "corral.config.json")
    .action(async (options: { force?: boolean; file: string }) => {
      const { writeConfigTemplate } = await import("@corral/config");
      let file: string;
      try {
        file = await writeConfigTemplate({ cwd: ctx.io.cwd, file: options.file, force: options.force });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/already exists/.test(message)) {
          throw new CliError("config_exists", `${path.resolve(ctx.io.cwd, options.file)} already exists; it was left unchanged.`, {
            hint: `edit it, or run \`${commandName()} init --force\` to replace it.`,
          });
        }
        throw error;
      }
      ctx.print(`Wrote ${path.relative(ctx.io.cwd, file) || file}`);
      ctx.info(
        ctx.err.dim(
          `next: put your documents in ./docs, then run \`${commandName()} doctor\` and \`${commandName()} chat --docs ./docs\`.`,
        ),
      );
    })
    .addHelpText("after", examples(["corral init", "corral init --force", "corral --config ./team.json init --file team.json"]));
}
