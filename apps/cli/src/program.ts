import { type Command, Option } from "commander";
import type { CliContext } from "./cli-context.js";
import { askCommand } from "./commands/ask-command.js";
import { chatCommand } from "./commands/chat-command.js";
import { doctorCommand } from "./commands/doctor-command.js";
import { evalCommand } from "./commands/eval-command.js";
import { examples } from "./commands/examples.js";
import { indexCommand } from "./commands/index-command.js";
import { initCommand } from "./commands/init-command.js";
import { modelsCommand } from "./commands/models-command.js";
import { searchCommand } from "./commands/search-command.js";
import { serveCommand } from "./commands/serve-command.js";
import { cliVersion } from "./version.js";

/** The global options, added to the root command; commander accepts them before or after a subcommand. */
export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option("--host <address>", "Ollama's address (default: OLLAMA_HOST, then http://127.0.0.1:11434)"))
    .addOption(new Option("-m, --model <name>", "chat model (default: CORRAL_MODEL, the config file, then qwen3:4b)"))
    .addOption(new Option("--embed-model <name>", "embedding model (default: CORRAL_EMBED_MODEL, the config file, then nomic-embed-text)"))
    .addOption(new Option("--index <dir>", "index folder (default: CORRAL_INDEX, the config file, then .corral/index)"))
    .addOption(new Option("-c, --config <file>", "configuration file (default: corral.config.json, looked up from here upwards)"))
    .addOption(new Option("--debug", "print stack traces and causes of errors"))
    .addOption(new Option("--no-color", "no colours (also NO_COLOR=1)"));
}

/** Registers every command on `program`. */
export function registerCommands(program: Command, ctx: CliContext): void {
  program
    .name("corral")
    .description("Talk to your documents with a local model served by Ollama.")
    .version(cliVersion, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      examples([
        "corral chat --docs ./docs",
        'corral ask "How do I rotate the API keys?" --docs ./docs',
        'corral index ./docs && corral search "rotate keys" -k 3',
        "corral doctor",
      ]),
    );
  for (const command of [
    chatCommand(ctx),
    askCommand(ctx),
    indexCommand(ctx),
    searchCommand(ctx),
    modelsCommand(ctx),
    serveCommand(ctx),
    doctorCommand(ctx),
    evalCommand(ctx),
    initCommand(ctx),
  ]) {
    program.addCommand(command);
  }
}
