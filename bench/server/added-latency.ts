// The latency corral's server adds to a streamed answer: the same streamed /v1/chat/completions
// request sent to the fake Ollama directly and through corral, batch by batch in alternating
// order, timing each request to its first content token and to its end.
import { summarize } from "../stats.js";

/** Times of one streamed request, in ms. */
export interface Timing {
  firstToken: number;
  total: number;
}

/** One streamed chat request; resolves with its time to the first word and to the end. */
export async function timedStream(url: string, model: string): Promise<Timing> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "Say twenty words." }] }),
  });
  if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = "";
  let firstToken: number | undefined;
  for await (const part of response.body) {
    text += decoder.decode(part, { stream: true });
    if (firstToken === undefined && text.includes("word0")) firstToken = performance.now() - started;
  }
  if (firstToken === undefined || !text.includes("word19")) throw new Error(`${url} streamed no full answer: ${text.slice(0, 200)}`);
  return { firstToken, total: performance.now() - started };
}

/** `requests` streamed requests with `connections` in flight at a time. */
export async function batch(url: string, model: string, connections: number, requests: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < requests) {
        next++;
        timings.push(await timedStream(url, model));
      }
    }),
  );
  return timings;
}

/** Added p50/p99 (through corral minus direct) to the first token and to the end, with the direct values. */
export interface AddedLatency {
  direct: { firstToken: ReturnType<typeof summarize>; total: ReturnType<typeof summarize> };
  corral: { firstToken: ReturnType<typeof summarize>; total: ReturnType<typeof summarize> };
  /** The pass-through proxy (pipe-proxy.ts), when its URL was given. */
  proxy?: { firstToken: ReturnType<typeof summarize>; total: ReturnType<typeof summarize> };
}

/** Requests sent to each target, 10 at a time, before any is timed. */
export const WARM_UP_REQUESTS = 300;

/** Measures both targets in `rounds` alternating batches of `perRound` requests each (after a warm-up of {@link WARM_UP_REQUESTS}). */
export async function addedLatency(
  fakeUrl: string,
  corralUrl: string,
  connections: number,
  rounds: number,
  perRound: number,
  proxyUrl?: string,
): Promise<AddedLatency> {
  const direct: Timing[] = [];
  const through: Timing[] = [];
  const proxied: Timing[] = [];
  const targets = [
    { url: fakeUrl, model: "qwen3:4b", into: direct },
    { url: corralUrl, model: "default", into: through },
    ...(proxyUrl ? [{ url: proxyUrl, model: "qwen3:4b", into: proxied }] : []),
  ];
  // Warm-up: enough requests for V8 to have compiled the hot paths of both servers (a server serves
  // many answers; one warm-up request per connection timed code that was still being optimized).
  for (const target of targets) await batch(target.url, target.model, 10, WARM_UP_REQUESTS);
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse())
      target.into.push(...(await batch(target.url, target.model, connections, perRound)));
  }
  const of = (timings: Timing[]) => ({
    firstToken: summarize(timings.map((timing) => timing.firstToken)),
    total: summarize(timings.map((timing) => timing.total)),
  });
  return { direct: of(direct), corral: of(through), ...(proxyUrl ? { proxy: of(proxied) } : {}) };
}
