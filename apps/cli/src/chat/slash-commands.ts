import { formatSourceLocation } from "../answer/answer-source.js";
import { OllamaAdmin } from "../ollama/ollama-admin.js";
import { describeError } from "../report-error.js";
import { terminalText } from "../terminal-text.js";
import type { ChatSession } from "./chat-session.js";

/** The slash commands of `corral chat`, with their one-line help. */
export const slashCommands: Array<[string, string]> = [
  ["/help", "show these commands"],
  ["/reset", "forget the conversation so far (the session file is emptied too)"],
  ["/model [name]", "show the model, or switch to another one"],
  ["/sources", "show the passages behind the last answer"],
  ["/tools", "list the tools the agent may call"],
  ["/exit", "leave (Ctrl-D works too); the session is saved"],
];

/** Runs one slash command; resolves to "exit" when the user leaves. */
export async function runSlashCommand(session: ChatSession, line: string): Promise<"exit" | undefined> {
  const ctx = session.ctx;
  const c = ctx.out;
  const [command = "", ...rest] = line.split(/\s+/);
  const argument = rest.join(" ").trim();
  switch (command.toLowerCase()) {
    case "/help":
    case "/?":
      for (const [name, help] of slashCommands) ctx.print(`  ${c.cyan(name.padEnd(14))} ${help}`);
      ctx.print(c.dim("  Ctrl-C cancels an answer; Ctrl-D leaves."));
      return;
    case "/reset":
    case "/clear":
      await session.reset();
      ctx.print("Started over: the conversation is cleared.");
      return;
    case "/model":
      await switchModel(session, argument);
      return;
    case "/sources":
      if (session.lastSources.length === 0) {
        ctx.print("The last answer has no sources.");
        return;
      }
      session.lastSources.forEach((source, position) => {
        const heading = source.headingPath?.length ? c.dim(` (${terminalText(source.headingPath.join(" > "))})`) : "";
        ctx.print(`${c.bold(`[${position + 1}]`)} ${c.cyan(terminalText(formatSourceLocation(source)))}${heading}`);
        if (source.text) ctx.print(`    ${c.dim(snippet(source.text))}`);
      });
      return;
    case "/tools":
      if (session.tools.length === 0) ctx.print("The agent has no tools.");
      {
        const width = Math.max(0, ...session.tools.map((tool) => tool.name.length));
        // MCP servers write their own tool descriptions.
        for (const tool of session.tools) ctx.print(`  ${c.cyan(tool.name.padEnd(width))}  ${c.dim(snippet(tool.description, 100))}`);
      }
      return;
    case "/exit":
    case "/quit":
    case "/bye":
      session.leave();
      return "exit";
    default:
      ctx.print(`Unknown command ${command}. Type /help for the list.`);
      return;
  }
}

async function switchModel(session: ChatSession, name: string): Promise<void> {
  const ctx = session.ctx;
  if (!name) {
    ctx.print(`Model: ${session.model}`);
    return;
  }
  if (name === session.model) {
    ctx.print(`Already using ${name}.`);
    return;
  }
  try {
    const details = await new OllamaAdmin(session.ollama.host, session.ollama).show(name);
    if (session.tools.length && details.capabilities.length && !details.capabilities.includes("tools")) {
      ctx.info(`${ctx.err.red("error:")} ${name} does not support tools; the agent needs them. Kept ${session.model}.`);
      return;
    }
  } catch (error) {
    const { message, hint } = describeError(error, ctx.io.env);
    ctx.info(`${ctx.err.red("error:")} ${message}${hint ? ` (${hint})` : ""} Kept ${session.model}.`);
    return;
  }
  await session.useModel(name);
  ctx.print(`Switched to ${name}.`);
}

function snippet(text: string, max = 200): string {
  const flat = terminalText(text).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
