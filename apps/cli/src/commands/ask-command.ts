import { existsSync } from "node:fs";
import path from "node:path";
import { AnswerRenderer } from "../answer/answer-renderer.js";
import { formatSourceLocation } from "../answer/answer-source.js";
import { runAnswer } from "../answer/run-answer.js";
import { type Approver, approvalQuestion, askOnTerminal, formatApprovalRequest, oneAtATime } from "../approval/approval-prompt.js";
import type { CliContext } from "../cli-context.js";
import { UsageError } from "../cli-error.js";
import { readAll } from "../read-stdin.js";
import { ExitCode } from "../report-error.js";
import { openAgentRuntime } from "../runtime/open-agent-runtime.js";
import { terminalJson } from "../terminal-text.js";

/** The options of `corral ask`. */
export interface AskOptions {
  docs?: string[];
  json?: boolean;
  showThinking?: boolean;
  agent?: string;
  yes?: boolean;
}

/** `corral ask`: one answer on stdout, with its sources. */
export async function ask(ctx: CliContext, words: string[], options: AskOptions): Promise<void> {
  let docs = options.docs ?? [];
  // `corral ask --docs ./docs "question"`: the variadic option swallows the question; take back
  // trailing values that are not files.
  if (words.length === 0) {
    docs = [...docs];
    while (docs.length && !existsSync(path.resolve(ctx.io.cwd, docs.at(-1) ?? ""))) words = [docs.pop() ?? "", ...words];
  }
  let question = words.join(" ").trim();
  if (!question || question === "-") {
    if (ctx.io.stdin.isTTY && question !== "-")
      throw new UsageError('no question given. Pass it as an argument (corral ask "...") or pipe it on stdin.');
    question = (await readAll(ctx.io.stdin)).trim();
    if (!question) throw new UsageError("the question read from stdin is empty.");
  }

  const controller = new AbortController();
  const stopInterrupt = ctx.io.onInterrupt(() => controller.abort());
  ctx.cleanups.push(stopInterrupt);
  // Calls that need approval: --yes allows them; on a terminal the user is asked; otherwise they are denied.
  let renderer: AnswerRenderer | undefined;
  const onTerminal = ctx.io.stdin.isTTY === true && ctx.io.stderr.isTTY === true;
  const approve: Approver | undefined = options.yes
    ? () => true
    : onTerminal
      ? oneAtATime(async (request) => {
          renderer?.pause();
          ctx.info(formatApprovalRequest(request, ctx.err));
          const approved = await askOnTerminal(ctx.io, approvalQuestion(request.toolName));
          ctx.info(ctx.err.dim(approved ? "· approved" : "· denied"));
          renderer?.resume();
          return approved;
        })
      : undefined;
  const { runtime } = await openAgentRuntime(ctx, {
    docs,
    agent: options.agent,
    signal: controller.signal,
    approve,
    prefetchModelInfo: true,
  });

  renderer = options.json
    ? undefined
    : new AnswerRenderer(ctx, {
        showThinking: options.showThinking,
        approvalHint: 'no terminal to ask on: pass --yes, or list the tool in "approve" in corral.config.json, to allow it.',
      });
  await renderer?.start();
  const outcome = await runAnswer(runtime.agent, question, { signal: controller.signal }, renderer?.handlers);
  const cancelled = controller.signal.aborted;
  if (options.json) {
    if (outcome.error) throw outcome.error;
    const result = outcome.result;
    ctx.print(
      terminalJson({
        answer: result?.text ?? "",
        sources: outcome.sources.map((source) => ({ ...source, location: formatSourceLocation(source) })),
        usage: result?.usage,
        model: runtime.settings.model,
        finishReason: result?.finishReason,
      }),
    );
    return;
  }
  if (outcome.error && !cancelled) {
    renderer?.finish({ sources: [], retrieved: [] });
    throw outcome.error;
  }
  renderer?.finish(outcome, { cancelled });
  if (cancelled) ctx.exitCode = ExitCode.interrupted;
}
