import path from "node:path";
import { localStateDir, ollamaConnection } from "@corral/config";
import type { ApprovalRequest } from "@corral/core";
import { ChatRepl } from "../chat/chat-repl.js";
import { SessionFiles } from "../chat/session-files.js";
import type { CliContext } from "../cli-context.js";
import { commandName } from "../command-name.js";
import { ExitCode } from "../report-error.js";
import { openAgentRuntime } from "../runtime/open-agent-runtime.js";
import { displayPath } from "../runtime/open-cli-index.js";

/** The options of `corral chat`. */
export interface ChatOptions {
  docs?: string[];
  session?: string;
  showThinking?: boolean;
  agent: string;
}

/** `corral chat`: a REPL over your documents, with streaming answers and saved sessions. */
export async function chat(ctx: CliContext, options: ChatOptions): Promise<void> {
  const startup = new AbortController();
  const stopStartupInterrupt = ctx.io.onInterrupt(() => startup.abort());
  let opened: Awaited<ReturnType<typeof openAgentRuntime>>;
  // The REPL asks about calls that need approval; it exists once the agent does.
  let repl: ChatRepl | undefined;
  const approve = (request: ApprovalRequest) => repl?.approve(request) ?? false;
  try {
    opened = await openAgentRuntime(ctx, { docs: options.docs, agent: options.agent, signal: startup.signal, approve });
  } catch (error) {
    if (!startup.signal.aborted) throw error;
    ctx.info("Cancelled.");
    ctx.exitCode = ExitCode.interrupted;
    return;
  } finally {
    stopStartupInterrupt();
  }
  const { config, runtime } = opened;

  const sessions = new SessionFiles(path.join(localStateDir(config, ctx.io.cwd), "sessions"));
  const name = options.session ?? SessionFiles.newName();
  const saved = options.session ? await sessions.read(name) : undefined;
  repl = new ChatRepl(ctx, {
    runtime,
    sessions,
    name,
    saved,
    // A resumed session keeps its model unless --model (or CORRAL_MODEL) says otherwise.
    resumeModel: !ctx.globals.model && !ctx.io.env.CORRAL_MODEL,
    ollama: ollamaConnection(config),
    showThinking: options.showThinking ?? false,
  });

  const e = ctx.err;
  const docs = runtime.index ? `docs: ${displayPath(ctx, config.index)}` : "no documents (add --docs <folder>)";
  ctx.info(`${e.bold("corral chat")} ${e.dim("·")} ${repl.model} ${e.dim("·")} ${docs}`);
  if (saved) {
    const turns = saved.messages.filter((message) => message.role === "user").length;
    ctx.info(e.dim(`Resumed session "${name}" (${turns} earlier question${turns === 1 ? "" : "s"}).`));
  } else {
    ctx.info(e.dim(`Session "${name}". Type /help for commands, Ctrl-D to leave.`));
  }
  await repl.run();
  if (repl.messages.length) ctx.info(e.dim(`Saved. Resume with: ${commandName(ctx.io.env)} chat --session ${name}`));
}
