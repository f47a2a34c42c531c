import type { AgentInput, AgentResult, Message, SessionData, SessionLease } from "@corral/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ClientToolResult, pendingToolCalls, withToolResults } from "../client-tool-results.js";
import { sendError, writeStream } from "../routes/send-error.js";
import { historyToStore } from "../run-output.js";
import type { ServerContext } from "../server-context.js";
import { SessionAgentMismatchError, SessionAwaitsToolResultsError, SessionBusyError, SessionNotFoundError } from "../server-errors.js";
import { withAnswerSources } from "../session-sources.js";
import { resultSources } from "../sources.js";
import { startStream } from "../stream-writer.js";
import { type FaceRunOptions, runAgent, streamAgent } from "./agent-run.js";
import type { FaceOutput } from "./face-output.js";
import { withInstructions } from "./with-instructions.js";

/** A session lease outlives the request time limit by this much, so it never lapses under a run. */
const LEASE_MARGIN_MS = 60_000;

/** One run as a face asked for it, translated from the face's request. */
export interface RunPlan {
  /** The configured agent that runs (a face resolves its `model` to it). */
  agent: string;
  /** The new user turn, or undefined when the conversation ends with client tool results (they continue the run). */
  input: AgentInput | undefined;
  /**
   * The conversation the client sent before `input` (OpenAI and Ollama faces). When it begins
   * with the client's own system message, the agent's instructions are put before it.
   */
  history?: Message[];
  /**
   * The session to run in (native face), instead of `history`: leased for the run (busy: 409),
   * read when `continues` (missing: 404; another agent's: 409), and saved after it with `store`.
   */
  session?: { id: string; continues: boolean; store: boolean };
  /** Client tools, tool choice, format and sampling options. */
  options?: FaceRunOptions;
  /**
   * The client's results of the client tool calls the session's last run ended with (native
   * face, with `session.continues` and no `input`): appended to the history, and the run goes on
   * from them.
   */
  toolResults?: ClientToolResult[];
  /** An SSE or NDJSON stream (the face's `contentType`) instead of one JSON answer. */
  stream: boolean;
}

/**
 * Serves one run for any face: the session lease, load and save; the cancellation of the run
 * (client disconnect, request time limit, shutdown); a slot of the run limiter; and the
 * failures as HTTP errors in the face's shape. A streamed answer waits up to `commitAfterMs`
 * for the first event, so an early failure is still a plain HTTP error, and reports a later
 * one in the stream. Approvals and client tools are the agent's: a run that calls a client
 * tool finishes with `clientToolCalls`, which the face sends back; the client's next request,
 * carrying the results, continues it. Resolves to the JSON answer, or to the hijacked reply
 * of a stream.
 */
export async function serveRun<Json>(
  context: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  plan: RunPlan,
  output: FaceOutput<Json>,
): Promise<Json | FastifyReply> {
  const session = plan.session;
  let lease: SessionLease | undefined;
  if (session) {
    // The lease comes first, so the history read below is the latest one and no other run overwrites it.
    lease = await context.sessions.acquire(session.id, { ttlMs: context.config.server.requestTimeoutMs + LEASE_MARGIN_MS });
    if (!lease) throw new SessionBusyError(session.id);
  }
  try {
    let messages: Message[] = [];
    let data: SessionData | undefined;
    if (session?.continues) {
      const stored = await context.sessions.get(session.id);
      if (!stored) throw new SessionNotFoundError(session.id);
      if (stored.agent && stored.agent !== plan.agent) throw new SessionAgentMismatchError(session.id, stored.agent, plan.agent);
      messages = stored.messages;
      data = stored.data;
      if (plan.toolResults) messages = withToolResults(messages, plan.toolResults);
      else {
        // A new input would leave the calls the last run ended with unanswered.
        const waiting = pendingToolCalls(messages);
        if (waiting.length)
          throw new SessionAwaitsToolResultsError(
            session.id,
            waiting.map((call) => call.id ?? call.function.name),
          );
      }
    }
    const runtime = await context.registry.get(plan.agent);
    const instructions = runtime.agent.options.instructions;
    if (!session) messages = withInstructions(plan.history ?? [], instructions);
    // Undefined when nothing is stored, so a run without a session awaits nothing for it. The
    // run's sources, with their passages' text, are kept with its answer (its last assistant
    // message), so a resumed session shows them.
    const save = session?.store
      ? (result: AgentResult) => {
          const history = historyToStore(result.messages, instructions);
          const kept = withAnswerSources(data, lastAssistantIndex(history), resultSources(result, { text: true }));
          return context.sessions.save(session.id, history, { agent: plan.agent, data: kept });
        }
      : undefined;

    const run = context.runContext(reply);
    try {
      if (!plan.stream) {
        const result = await runAgent(context, run, runtime.agent, plan.input, messages, plan.options);
        if (save) await save(result);
        return output.json(result);
      }
      const { reader, finish } = await streamAgent(context, run, runtime.agent, plan.input, messages, plan.options);
      try {
        const first = await reader.prefetch(context.commitAfterMs);
        if (first?.type === "error") throw run.explain(first.error);
        const stream = startStream(reply, {
          contentType: output.contentType,
          heartbeatMs: output.heartbeat ? context.heartbeatMs : undefined,
          // With the first event at hand, the headers go out with its bytes; after a time-out they go now.
          flushHeaders: first === undefined,
        });
        await writeStream(stream, output.face, request, async () => {
          // An event's chunks go out in one write; only a full socket buffer makes the loop wait.
          const write = (chunks: string[]): Promise<boolean> | undefined => {
            if (chunks.length === 0) return undefined;
            const written = stream.write(chunks.length === 1 ? chunks[0]! : chunks.join(""));
            return typeof written === "boolean" ? undefined : written;
          };
          const opened = write(output.opening?.() ?? []);
          if (opened) await opened;
          for (;;) {
            const event = await reader.next();
            if (!event || stream.closed) break;
            if (event.type === "finish") {
              if (save) await save(event.result);
              const ended = write(output.closing(event.result));
              if (ended) await ended;
              break;
            }
            if (event.type === "error") {
              await sendError(stream, output.face, run.explain(event.error), request.id);
              break;
            }
            const written = write(output.event(event));
            if (written) await written;
            // The first event's bytes took the headers along; if it wrote none, they go before the next wait.
            stream.commit();
          }
        });
        return reply;
      } finally {
        await finish();
      }
    } finally {
      run.dispose();
    }
  } finally {
    await lease?.release();
  }
}

/** The index of the history's last assistant message (where a run's answer is), or its last index. */
function lastAssistantIndex(history: readonly Message[]): number {
  for (let index = history.length - 1; index >= 0; index--) if (history[index]!.role === "assistant") return index;
  return history.length - 1;
}
