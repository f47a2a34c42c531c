// What the replicas must share, checked on them directly (not through nginx, so which replica
// answers is known): a session begun on A continues on B with its history, and A and B count one
// rate limit (x-ratelimit-remaining goes down by one per request, whichever replica answers).
// Throws when either does not hold; resolves a one-line summary.

async function post(url: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${url}/v1/agents/default/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

export async function checkSharedState(a: string, b: string, key: string): Promise<string> {
  const begun = await post(a, key, { input: "Remember: the colour is blue." });
  if (begun.status !== 200) throw new Error(`a run on replica A answered ${begun.status}: ${await begun.text()}`);
  const { session_id: session } = (await begun.json()) as { session_id: string };
  const continued = await post(b, key, { input: "Which colour?", session_id: session });
  if (continued.status !== 200)
    throw new Error(`continuing session ${session} on replica B answered ${continued.status}: ${await continued.text()}`);
  const read = await fetch(`${a}/v1/sessions/${session}`, { headers: { authorization: `Bearer ${key}` } });
  const messages = ((await read.json()) as { messages?: unknown[] }).messages?.length ?? 0;
  if (messages !== 4) throw new Error(`session ${session} has ${messages} messages on replica A after a turn on each replica (expected 4)`);

  const remaining: number[] = [];
  for (const url of [a, b, a, b]) {
    const response = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    await response.arrayBuffer();
    remaining.push(Number(response.headers.get("x-ratelimit-remaining")));
  }
  const consecutive = remaining.every((value, position) => position === 0 || value === remaining[position - 1]! - 1);
  if (!consecutive) throw new Error(`x-ratelimit-remaining on A, B, A, B was ${remaining.join(", ")}: the replicas do not count one limit`);
  return (
    `a session begun on replica A continued on replica B (${messages} messages read back on A); ` +
    `x-ratelimit-remaining on A, B, A, B: ${remaining.join(", ")} (one counter in Redis).`
  );
}

/**
 * Whether a stream through the proxy arrives chunk by chunk: the time to its first `data:` line
 * and to its end (20 chunks 20 ms apart, so buffering would bring both together). Throws when the
 * first chunk comes later than half the stream.
 */
export async function checkStreaming(url: string, key: string): Promise<string> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "default", stream: true, messages: [{ role: "user", content: "Say twenty words." }] }),
  });
  if (response.status !== 200 || !response.body) throw new Error(`a stream through nginx answered ${response.status}`);
  let first: number | undefined;
  let chunks = 0;
  const decoder = new TextDecoder();
  for await (const part of response.body) {
    const text = decoder.decode(part, { stream: true });
    if (text.includes("data:")) {
      chunks++;
      first ??= performance.now() - started;
    }
  }
  const total = performance.now() - started;
  if (first === undefined || first > total / 2)
    throw new Error(`through nginx the first chunk came at ${first} ms of ${total} ms: buffered`);
  return `through nginx, one stream's first chunk arrived after ${first.toFixed(0)} ms and its end after ${total.toFixed(0)} ms (${chunks} reads).`;
}
