import { Command, CommanderError } from "commander";
import { CliContext } from "./cli-context.js";
import { type CliIo, processIo } from "./cli-io.js";
import { colorsFor } from "./colors.js";
import { addGlobalOptions, registerCommands } from "./program.js";

/**
 * Runs the `corral` command with `argv` (the arguments after the program name) and resolves
 * to the exit code: 0 ok, 1 failure, 2 usage, 130 interrupted. Never calls `process.exit`.
 * @example
 * const code = await main(["models", "--json"], processIo());
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = addGlobalOptions(new Command());
  const ctx = new CliContext(io, program);
  registerCommands(program, ctx);
  configureCommands(program, ctx, [], !argv.includes("--no-color"));
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // Loaded when a command failed: the error wording needs @corral/core, which `--help` does not.
    const [{ isAgentError }, { ExitCode, exitCodeFor, formatError }] = await Promise.all([
      import("@corral/core"),
      import("./report-error.js"),
    ]);
    if (isAgentError(error) && error.code === "aborted" && !debug) {
      io.stderr.write("Cancelled.\n");
      return ExitCode.interrupted;
    }
    io.stderr.write(formatError(error, colorsFor(io.stderr, io.env, !argv.includes("--no-color")), debug, io.env));
    return exitCodeFor(error);
  } finally {
    for (const cleanup of ctx.cleanups.splice(0).reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
    }
  }
}

/**
 * Every command writes help to stdout and errors to stderr as one line with a hint, and
 * throws instead of exiting, so `main` decides the exit code.
 */
function configureCommands(command: Command, ctx: CliContext, parents: string[], color: boolean): void {
  const path = [...parents, command.name()].join(" ");
  command.exitOverride();
  command.configureOutput({
    writeOut: (text) => ctx.io.stdout.write(text),
    writeErr: (text) => ctx.io.stderr.write(text),
    outputError: (text, write) => {
      const colors = colorsFor(ctx.io.stderr, ctx.io.env, color);
      const message = text
        .replace(/^error:\s*/, "")
        .trim()
        .replace(/\s*\n\s*/g, " ");
      write(`${colors.red(colors.bold("error:"))} ${message}\n${colors.dim("hint:")} run \`${path} --help\` for usage and examples.\n`);
    },
  });
  for (const sub of command.commands) configureCommands(sub, ctx, [...parents, command.name()], color);
}
