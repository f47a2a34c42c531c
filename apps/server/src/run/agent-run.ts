import type { Agent, AgentInput, AgentResult, Message, RunOptions } from "@corral/core";
import { EventReader } from "../event-reader.js";
import type { RunContext } from "../run-context.js";
import type { ServerContext } from "../server-context.js";

/** What a face passes to a run beyond the conversation: client tools, tool choice, format, sampling options. */
export type FaceRunOptions = Pick<RunOptions, "clientTools" | "toolChoice" | "format" | "modelOptions">;

/** A run of an agent (the registry's, looked up once by the caller) to its end, holding a slot of the limiter while it runs. */
export async function runAgent(
  context: ServerContext,
  run: RunContext,
  agent: Agent,
  input: AgentInput | undefined,
  messages: Message[],
  options: FaceRunOptions = {},
): Promise<AgentResult> {
  const release = await context.limiter.acquire(run.signal);
  const done = (async () => {
    try {
      return await agent.run(input, { ...options, signal: run.signal, messages });
    } catch (error) {
      throw run.explain(error);
    } finally {
      release();
    }
  })();
  context.inflight.add(done);
  done.then(
    () => context.inflight.delete(done),
    () => context.inflight.delete(done),
  );
  return done;
}

/**
 * A streamed run: waits for a slot (failing fast when the queue is full, before any byte is
 * sent), then returns a reader of the agent's events. `finish()` must be called when done.
 */
export async function streamAgent(
  context: ServerContext,
  run: RunContext,
  agent: Agent,
  input: AgentInput | undefined,
  messages: Message[],
  options: FaceRunOptions = {},
): Promise<{ reader: EventReader; finish: () => Promise<void> }> {
  const release = await context.limiter.acquire(run.signal);
  let reader: EventReader;
  try {
    reader = new EventReader(agent.stream(input, { ...options, signal: run.signal, messages }));
  } catch (error) {
    release();
    throw error;
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  context.inflight.add(done);
  let finished = false;
  return {
    reader,
    async finish() {
      if (finished) return;
      finished = true;
      try {
        await reader.return();
      } finally {
        release();
        context.inflight.delete(done);
        resolveDone();
      }
    },
  };
}
