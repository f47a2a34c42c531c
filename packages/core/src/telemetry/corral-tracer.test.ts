import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, expect, it } from "vitest";
import { startCorralSpan, withSpanContext } from "./corral-tracer.js";
import { CORRAL_CHANNELS, publishRun, type RunRecord } from "./telemetry-channels.js";

describe("corral's telemetry without an OpenTelemetry SDK", () => {
  it("hands out non-recording spans, and a run's generator is not wrapped", async () => {
    const span = startCorralSpan("invoke_agent probe", { "gen_ai.operation.name": "invoke_agent" });
    expect(span.isRecording()).toBe(false);
    async function* source() {
      yield 1;
      return "done";
    }
    const generator = source();
    expect(withSpanContext(span, generator)).toBe(generator);
    span.end();
  });

  it("builds a channel record only when someone subscribed", () => {
    let built = 0;
    const record = (): RunRecord => {
      built++;
      return { model: "m", durationMs: 1, outcome: "finish", finishReason: "stop" };
    };
    publishRun(record);
    expect(built).toBe(0);
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    subscribe(CORRAL_CHANNELS.run, listener);
    try {
      publishRun(record);
    } finally {
      unsubscribe(CORRAL_CHANNELS.run, listener);
    }
    expect(built).toBe(1);
    expect(seen).toEqual([{ model: "m", durationMs: 1, outcome: "finish", finishReason: "stop" }]);
  });
});
