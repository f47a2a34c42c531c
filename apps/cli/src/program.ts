import { Command, Option } from "commander";
import type { CliContext } from "./cli-context.js";
import { examples } from "./commands/examples.js";
import { cliVersion } from "./version.js";

// The program's grammar: every command's options, arguments and help. Each action imports its
// command's module when it runs, so `corral --help` loads commander and nothing of corral's
// packages, and a command loads only what it uses (`models` no index, `init` no agent).
const load = {
  ask: () => import("./commands/ask-command.js"),
  chat: () => import("./commands/chat-command.js"),
  doctor: () => import("./commands/doctor-command.js"),
  eval: () => import("./commands/eval-command.js"),
  index: () => import("./commands/index-command.js"),
  init: () => import("./commands/init-command.js"),
  models: () => import("./commands/models-command.js"),
  search: () => import("./commands/search-command.js"),
  serve: () => import("./commands/serve-command.js"),
};

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

/** `corral chat`: a REPL over your documents, with streaming answers and saved sessions. */
function chatCommand(ctx: CliContext): Command {
  return new Command("chat")
    .description("talk to your documents: streaming answers with sources, saved sessions")
    .option("-d, --docs <paths...>", "sync these folders or files into the index before the first question (incremental)")
    .option("-s, --session <name>", "resume (or start) the named session; default: a new one")
    .option("--show-thinking", "show the model's thinking")
    .option("-a, --agent <name>", "an agent from corral.config.json", "default")
    .action(async (options) => (await load.chat()).chat(ctx, options))
    .addHelpText(
      "after",
      `${examples([
        "corral chat --docs ./docs",
        "corral chat --session release-notes",
        "corral chat --docs ./docs --model llama3.2:3b --show-thinking",
      ])}
In the chat: /help /reset /model [name] /sources /tools /exit. Ctrl-C cancels an answer; Ctrl-D leaves.
Sessions are saved in the index's parent folder (.corral/sessions/<name>.json).
`,
    );
}

/** `corral ask`: one answer on stdout, with its sources. */
function askCommand(ctx: CliContext): Command {
  return new Command("ask")
    .description("answer one question (from the arguments, or stdin when piped) and list the sources")
    .argument("[question...]", "the question; omit it (or pass -) to read it from stdin")
    .option("-d, --docs <paths...>", "sync these folders or files into the index first (incremental)")
    .option("--json", "print { answer, sources, usage } as JSON")
    .option("--show-thinking", "print the model's thinking on stderr")
    .option("-a, --agent <name>", "an agent from corral.config.json", "default")
    .option("-y, --yes", "run tools that need approval (write_file, edit_file, run_command) without asking")
    .action(async (words: string[], options) => (await load.ask()).ask(ctx, words, options))
    .addHelpText(
      "after",
      examples([
        'corral ask "How do I rotate the API keys?"',
        'corral ask "What changed in v2?" --docs ./docs ./CHANGELOG.md',
        "git diff | corral ask --json | jq -r .answer",
        'corral ask --yes "Fix the typo in README.md"',
        'echo "Summarise the install guide" | corral ask --model llama3.2:3b',
      ]),
    );
}

/** `corral index`: syncs folders into the index, embedding only what changed. */
function indexCommand(ctx: CliContext): Command {
  return new Command("index")
    .description("add folders or files to the index (only changed files are embedded again)")
    .argument("[paths...]", "folders or files; default: the default agent's docs in corral.config.json")
    .option("--rebuild", "empty the index and build it again (e.g. after changing the embedding model)")
    .option("--json", "print the report as JSON")
    .action(async (paths: string[], options) => (await load.index()).runIndex(ctx, paths, options))
    .addHelpText(
      "after",
      examples(["corral index ./docs", "corral index ./docs ./README.md --rebuild", "corral --index /tmp/idx index ./notes --json"]),
    );
}

/** `corral search`: the passages of the index that match a query, best first. */
function searchCommand(ctx: CliContext): Command {
  return new Command("search")
    .description("search the index without asking the model: passages with their path:line and score")
    .argument("<query...>", "what to look for")
    .option("-k, --k <n>", "how many passages", "5")
    .addOption(
      new Option("--mode <mode>", "hybrid (vector + keyword), vector or keyword")
        .choices(["hybrid", "vector", "keyword"])
        .default("hybrid"),
    )
    .option("--path <glob>", "only documents whose path matches, e.g. 'docs/api/**'")
    .option("--json", "print JSON")
    .action(async (words: string[], options) => (await load.search()).search(ctx, words, options))
    .addHelpText(
      "after",
      examples([
        'corral search "rotate keys"',
        'corral search "rotate keys" -k 3 --mode keyword',
        'corral search "install" --path "docs/guides/**" --json',
      ]),
    );
}

/** `corral models`: list, pull, remove and inspect Ollama models. */
function modelsCommand(ctx: CliContext): Command {
  const models = new Command("models")
    .description("list, pull, remove and inspect the models in Ollama")
    .option("--json", "print JSON")
    .action(async (options) => (await load.models()).listModels(ctx, options))
    .addHelpText(
      "after",
      examples(["corral models", "corral models pull qwen3:4b", "corral models show nomic-embed-text", "corral models rm llama3.2:3b"]),
    );

  models
    .command("list")
    .alias("ls")
    .description("list the installed models with their size and capabilities")
    .option("--json", "print JSON")
    .action(async (_options: unknown, command: Command) => (await load.models()).listModels(ctx, command.optsWithGlobals()))
    .addHelpText("after", examples(["corral models list", "corral models list --json | jq '.[].name'"]));

  models
    .command("pull")
    .description("download a model, with a progress bar")
    .argument("<name>", "a model from ollama.com/library, e.g. qwen3:4b")
    .action(async (name: string) => (await load.models()).pullModel(ctx, name))
    .addHelpText("after", examples(["corral models pull qwen3:4b", "corral models pull nomic-embed-text"]));

  models
    .command("rm")
    .alias("remove")
    .description("remove a model from Ollama")
    .argument("<name>", "an installed model")
    .action(async (name: string) => (await load.models()).removeModel(ctx, name))
    .addHelpText("after", examples(["corral models rm llama3.2:3b"]));

  models
    .command("show")
    .description("show a model's details: family, size, context length, capabilities")
    .argument("<name>", "an installed model")
    .option("--json", "print JSON")
    // `--json` after a subcommand may land on `models` itself; read both.
    .action(async (name: string, _options: unknown, command: Command) =>
      (await load.models()).showModel(ctx, name, command.optsWithGlobals()),
    )
    .addHelpText("after", examples(["corral models show qwen3:4b", "corral models show qwen3:4b --json"]));

  return models;
}

/** `corral serve`: the HTTP agent endpoint of @corral/server, until Ctrl-C or SIGTERM. */
function serveCommand(ctx: CliContext): Command {
  return new Command("serve")
    .description("serve the agents over HTTP: corral's API, OpenAI- and Ollama-compatible endpoints")
    .option("-b, --bind <address>", "address to listen on (default: server.host of the config, 127.0.0.1)")
    .option("-p, --port <n>", "port to listen on, 0 for any free one (default: server.port of the config, 8787)")
    .option("--insecure", "allow listening beyond loopback without an API key (dangerous)")
    .option(
      "--log-level <level>",
      "fatal, error, warn, info, debug or silent; logs are JSON lines on stderr (default: CORRAL_LOG_LEVEL, or info)",
    )
    .action(async (options) => (await load.serve()).serve(ctx, options))
    .addHelpText(
      "after",
      `${examples([
        "corral serve",
        "corral serve --port 9000 --model llama3.2:3b",
        "CORRAL_API_KEY=$(openssl rand -hex 24) corral serve --bind 0.0.0.0",
        'curl -s localhost:8787/v1/chat/completions -d \'{"model":"default","messages":[{"role":"user","content":"hi"}]}\'',
      ])}
--host is Ollama's address for every command; use --bind for the address the server listens on.
`,
    );
}

/** `corral doctor`: is Ollama up, are the models there and able, does the index open. */
function doctorCommand(ctx: CliContext): Command {
  return new Command("doctor")
    .description("check Ollama, the chat and embedding models, the config file and the index; print the fix for each problem")
    .option("--json", "print JSON")
    .action(async (options) => (await load.doctor()).doctor(ctx, options))
    .addHelpText("after", examples(["corral doctor", "OLLAMA_HOST=gpu-box:11434 corral doctor", "corral doctor --json"]));
}

/** `corral eval`: a scorecard of models on a suite of tasks (the built-in one by default). */
function evalCommand(ctx: CliContext): Command {
  return new Command("eval")
    .description("score models on a suite of tasks (tools, docs, formats); the built-in suite without a file")
    .argument("[suite]", "a suite file (.yaml, .yml or .json); default: the built-in suite")
    .option("--models <names>", "comma-separated models to score, one after another (default: --model, then the config's model)")
    .option("--repeat <n>", "run each task n times per model", "1")
    .option("--json", 'print { "results": [...], "summary": [...] } as JSON')
    .option("--md", "print the scorecard as Markdown")
    .option("--out <file>", "also save the results as JSON (for --compare)")
    .option("--compare <files...>", "compare two saved result files (per model and task: better, worse, same)")
    .option("-a, --agent <name>", "the agent of corral.config.json the tasks start from", "default")
    .action(async (suite: string | undefined, options) => (await load.eval()).runEvalCommand(ctx, suite, options))
    .addHelpText(
      "after",
      examples([
        "corral eval --models qwen3:4b,llama3.2:3b",
        "corral eval ./eval/suite.yaml --models qwen3:4b --repeat 3 --md > scorecard.md",
        "corral eval --models qwen3:4b --out today.json",
        "corral eval --compare yesterday.json today.json",
      ]),
    );
}

/** `corral init`: writes a starter `corral.config.json` with notes in `$comment` fields. */
function initCommand(ctx: CliContext): Command {
  return new Command("init")
    .description("write a starter corral.config.json (notes in $comment fields) in the current folder")
    .option("-f, --force", "replace an existing file")
    .option("--file <path>", "write to another file name", "corral.config.json")
    .action(async (options) => (await load.init()).init(ctx, options))
    .addHelpText("after", examples(["corral init", "corral init --force", "corral --config ./team.json init --file team.json"]));
}
