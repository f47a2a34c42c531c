import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({ config: { agents: { default: { docs: [] }, plain: { docs: false } } } });
});
afterAll(() => test.close());

describe("documents API and retrieval", () => {
  let id: number;

  it("indexes a JSON document and finds it", async () => {
    const response = await fetch(`${test.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "keys.md", text: "# Key rotation\n\nRotate the signing keys every 90 days with `corral keys rotate`." }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as any;
    expect(body.report.added).toBe(1);
    expect(typeof body.id).toBe("number");
    id = body.id;
    const search = (await (await fetch(`${test.url}/v1/search?q=rotate%20signing%20keys&k=3`)).json()) as any;
    expect(search.data[0].source.path).toContain("keys.md");
    expect(search.data[0].text).toContain("90 days");
  });

  it("accepts a multipart upload", async () => {
    const form = new FormData();
    form.append("file", new Blob(["Backups run nightly at 02:00 UTC."], { type: "text/plain" }), "backups.txt");
    const response = await fetch(`${test.url}/v1/documents`, { method: "POST", body: form });
    expect(response.status).toBe(201);
    expect(((await response.json()) as any).path).toContain("backups.txt");
  });

  it("an agent with docs searches, cites [n], and the run lists its sources", async () => {
    test.fake.enqueue({ toolCalls: [{ name: "search_docs", arguments: { query: "key rotation" } }] }, { content: "Every 90 days [1]." });
    const response = await fetch(`${test.url}/v1/agents/default/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "How often are keys rotated?" }),
    });
    const result = (await response.json()) as any;
    expect(result.output_text).toBe("Every 90 days [1].");
    expect(result.sources[0]).toMatchObject({ n: 1 });
    expect(result.sources[0].path).toContain("keys.md");
    expect(result.tool_calls[0]).toMatchObject({ name: "search_docs", is_error: false });
    const first = test.fake.requestsTo("/api/chat").at(-2)?.body as { messages: { role: string; content: string }[]; tools: unknown[] };
    expect(first.messages[0]?.content).toContain("[n]");
    expect(first.tools).toHaveLength(1);
  });

  it("a session keeps each answer's sources: GET /v1/sessions/:id lists them by the answer's message, and a continued run adds its own", async () => {
    const runs = async (body: Record<string, unknown>) =>
      (await (
        await fetch(`${test.url}/v1/agents/default/runs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        })
      ).json()) as any;
    test.fake.enqueue({ toolCalls: [{ name: "search_docs", arguments: { query: "key rotation" } }] }, { content: "Every 90 days [1]." });
    const first = await runs({ input: "How often are keys rotated?" });
    test.fake.enqueue({ content: "You are welcome." });
    await runs({ input: "Thanks", session_id: first.session_id });
    test.fake.enqueue({ toolCalls: [{ name: "search_docs", arguments: { query: "backups" } }] }, { content: "Nightly [1]." });
    const third = await runs({ input: "When do backups run?", session_id: first.session_id, stream: false });
    const session = (await (await fetch(`${test.url}/v1/sessions/${first.session_id}`)).json()) as any;
    const answers = session.messages.flatMap((message: { role: string; content: string }, index: number) =>
      message.role === "assistant" && message.content ? [[String(index), message.content]] : [],
    );
    expect(answers.map(([, content]: string[]) => content)).toEqual(["Every 90 days [1].", "You are welcome.", "Nightly [1]."]);
    // The first and third answers drew on documents, as their runs said, each passage with its text; the second on none.
    const withText = (sources: Record<string, unknown>[]) => sources.map((source) => ({ ...source, text: expect.any(String) }));
    expect(session.sources).toEqual({ [answers[0][0]]: withText(first.sources), [answers[2][0]]: withText(third.sources) });
    expect(first.sources[0].path).toContain("keys.md");
    expect(session.sources[answers[0][0]][0].text).toContain("Rotate the signing keys every 90 days");
    expect(third.sources[0].path).toContain("backups.txt");
    expect(first.sources[0].text).toBeUndefined();
  });

  it("rejects bad documents with 400 and deletes by id (404 after)", async () => {
    const bad = await fetch(`${test.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "../escape.md", text: "x" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.param).toBe("name");
    expect((await fetch(`${test.url}/v1/documents/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${test.url}/v1/documents/${id}`, { method: "DELETE" })).status).toBe(404);
    const search = (await (await fetch(`${test.url}/v1/search?q=signing%20keys`)).json()) as any;
    expect(search.data.every((hit: any) => !hit.source.path.includes("keys.md"))).toBe(true);
    const badQuery = await fetch(`${test.url}/v1/search?k=3`);
    expect(badQuery.status).toBe(400);
    expect(((await badQuery.json()) as any).error.param).toBe("q");
  });
});
