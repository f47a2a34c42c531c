import readline from "node:readline";
import type { ApprovalRequest } from "@corral/core";
import type { CliIo } from "../cli-io.js";
import type { Colors } from "../colors.js";
import { terminalText } from "../terminal-text.js";

/** How an approval is decided: true runs the call. */
export type Approver = (request: ApprovalRequest) => boolean | Promise<boolean>;

const MAX_VALUE_CHARS = 600;

/**
 * The call as the user sees it before deciding: the tool and every argument, made inert
 * (the arguments come from the model, often from a document), long values shortened.
 * @example
 * formatApprovalRequest({ toolName: "write_file", args: { path: "a.txt", content: "hi" }, ... }, colors)
 * // "The agent wants to call write_file:\n  path: a.txt\n  content: hi"
 */
export function formatApprovalRequest(request: Pick<ApprovalRequest, "toolName" | "args">, colors: Colors): string {
  const lines = [`${colors.yellow("The agent wants to call")} ${colors.bold(terminalText(request.toolName))}${colors.yellow(":")}`];
  const entries = Object.entries(request.args);
  if (entries.length === 0) lines.push(colors.dim("  (no arguments)"));
  for (const [key, value] of entries) {
    let text = terminalText(typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)));
    if (text.length > MAX_VALUE_CHARS) text = `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)`;
    const [first = "", ...rest] = text.split("\n");
    lines.push(`  ${colors.cyan(terminalText(key))}: ${first}`);
    for (const line of rest) lines.push(`    ${line}`);
  }
  return lines.join("\n");
}

/** The question under the call. */
export function approvalQuestion(toolName: string): string {
  return `Allow ${terminalText(toolName)}? [y/N] `;
}

/** Only "y" or "yes" (any case) approve; anything else, an empty line included, denies. */
export function isYes(answer: string | undefined): boolean {
  return /^\s*(y|yes)\s*$/i.test(answer ?? "");
}

/**
 * Runs approvals one at a time: the calls of one step run in parallel, but the user answers
 * one prompt after the other.
 */
export function oneAtATime(approver: Approver): Approver {
  let last: Promise<unknown> = Promise.resolve();
  return (request) => {
    const next = last.then(() => approver(request));
    last = next.catch(() => undefined);
    return next;
  };
}

/**
 * Asks on the terminal (stdin for the answer, stderr for the question) and resolves to the
 * decision. Ctrl-C and the end of input deny.
 */
export function askOnTerminal(io: CliIo, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: true });
    let done = false;
    const finish = (approved: boolean) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(approved);
    };
    rl.on("SIGINT", () => {
      io.stderr.write("\n");
      finish(false);
    });
    rl.on("close", () => finish(false));
    rl.question(question, (answer) => finish(isYes(answer)));
  });
}
