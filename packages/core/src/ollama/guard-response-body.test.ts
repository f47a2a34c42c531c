import { describe, expect, it } from "vitest";
import { ModelCallError } from "../errors/model-call-error.js";
import { type BodyGuard, guardResponseBody } from "./guard-response-body.js";
import type { BodyRead, BodyReader } from "./ollama-http-request.js";

/** A body that hands out `pieces` one read at a time, then ends (or, with `hang`, never answers again). */
function source(pieces: Uint8Array[], options: { hang?: boolean } = {}) {
  const calls = { reads: 0, cancelled: [] as unknown[], discarded: 0 };
  const reader: BodyReader = {
    read() {
      calls.reads++;
      const piece = pieces.shift();
      if (piece) return Promise.resolve<BodyRead>({ done: false, value: piece });
      if (options.hang) return new Promise<BodyRead>(() => {});
      return Promise.resolve<BodyRead>({ done: true, value: undefined });
    },
    cancel(reason) {
      calls.cancelled.push(reason);
      return Promise.resolve();
    },
    discard() {
      calls.discarded++;
    },
  };
  return { reader, calls };
}

function ndjsonGuard(overrides: Partial<BodyGuard> = {}) {
  const seen = { ends: 0, idle: [] as Error[] };
  const guard: BodyGuard = {
    idleTimeoutMs: 1_000,
    idleError: () => new Error("silent too long"),
    onIdle: (error) => seen.idle.push(error),
    onEnd: () => seen.ends++,
    ndjson: { describe: () => "Ollama at test" },
    ...overrides,
  };
  return { guard, seen };
}

async function readAll(reads: ReturnType<typeof guardResponseBody>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reads.read();
    if (done) return out;
    out.push(value);
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (pieces: Uint8Array[]) => Buffer.concat(pieces).toString("utf8");

describe("guardResponseBody on NDJSON", () => {
  it("joins lines split across pieces, inside a UTF-8 character too, and drops blank lines", async () => {
    const all = bytes('{"a":"é"}\n\n{"b":1}\n{"c":2}');
    // The first cut falls between the two bytes of "é".
    const cut = all.indexOf(0xc3) + 1;
    const { reader } = source([all.subarray(0, cut), all.subarray(cut, 14), all.subarray(14)]);
    const { guard, seen } = ndjsonGuard();
    const out = await readAll(guardResponseBody(reader, guard));
    // The last line, which had no newline, gets one.
    expect(text(out)).toBe('{"a":"é"}\n{"b":1}\n{"c":2}\n');
    expect(seen.ends).toBe(1);
  });

  it("hands on a piece of whole valid lines as the same bytes, and the whole lines of a piece that ends mid-line", async () => {
    const whole = bytes('{"a":1}\n{"b":2}\n');
    const split = bytes('{"c":3}\n{"d"');
    const { reader } = source([whole, split, bytes(":4}\n")]);
    const reads = guardResponseBody(reader, ndjsonGuard().guard);
    expect((await reads.read()).value).toBe(whole);
    const second = (await reads.read()).value!;
    expect(Buffer.from(second).toString()).toBe('{"c":3}\n');
    expect(second.buffer).toBe(split.buffer);
    expect(text([(await reads.read()).value!])).toBe('{"d":4}\n');
    expect((await reads.read()).done).toBe(true);
  });

  it("passes the valid lines before an invalid one, then fails with a ModelCallError and cancels the body", async () => {
    const { reader, calls } = source([bytes('{"ok":1}\nnot json\n{"never":1}\n')]);
    const reads = guardResponseBody(reader, ndjsonGuard().guard);
    expect(text([(await reads.read()).value!])).toBe('{"ok":1}\n');
    const failure = await reads.read().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect((failure as Error).message).toContain('sent a line that is not JSON: "not json"');
    expect(calls.cancelled).toHaveLength(1);
  });

  it("counts the body as done at the line that ends the answer, and lets the rest of it go", async () => {
    const { reader, calls } = source([bytes('{"message":{"content":"hi"},"done":false}\n{"done":true}\n')], { hang: true });
    const { guard, seen } = ndjsonGuard();
    const reads = guardResponseBody(reader, guard);
    expect(text([(await reads.read()).value!])).toContain('"done":true');
    expect(seen.ends).toBe(1);
    expect(calls.discarded).toBe(1);
  });

  it("fails a wait longer than idleTimeoutMs with the guard's error, and every later read with the same one", async () => {
    const { reader, calls } = source([bytes('{"a":1}\n')], { hang: true });
    const { guard, seen } = ndjsonGuard({ idleTimeoutMs: 50 });
    const reads = guardResponseBody(reader, guard);
    await reads.read();
    const first = await reads.read().catch((error: unknown) => error);
    expect((first as Error).message).toBe("silent too long");
    expect(seen.idle).toEqual([first]);
    const readsSoFar = calls.reads;
    await expect(reads.read()).rejects.toBe(first);
    expect(calls.reads).toBe(readsSoFar);
  });

  it("does not count the time between reads against the idle limit", async () => {
    const { reader } = source([bytes('{"a":1}\n'), bytes('{"b":2}\n')]);
    const { guard, seen } = ndjsonGuard({ idleTimeoutMs: 40 });
    const reads = guardResponseBody(reader, guard);
    await reads.read();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(text([(await reads.read()).value!])).toBe('{"b":2}\n');
    expect((await reads.read()).done).toBe(true);
    expect(seen.idle).toEqual([]);
  });
});
