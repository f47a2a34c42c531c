import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-support/start-test-server.js";

let test: TestServer;

beforeAll(async () => {
  test = await startTestServer({
    config: {
      tools: ["files"],
      toolOptions: { files: { allowWrite: true } },
      agents: { default: { docs: false }, writer: { docs: false, approve: ["write_file"] } },
    },
  });
});
afterAll(() => test.close());

async function run(agent: string, file: string) {
  test.fake.enqueue(
    { toolCalls: [{ name: "write_file", arguments: { path: file, content: "from the model" } }] },
    { content: "Finished." },
  );
  const response = await fetch(`${test.url}/v1/agents/${agent}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input: "Write the file." }),
  });
  expect(response.status).toBe(200);
  const sent = test.fake.requestsTo("/api/chat").at(-1)?.body as { messages: { role: string; content: string }[] };
  return {
    body: (await response.json()) as { output_text: string },
    toolMessage: sent.messages.find((message) => message.role === "tool"),
  };
}

const exists = (file: string) =>
  readFile(path.join(test.dir, file), "utf8").then(
    () => true,
    () => false,
  );

describe("approvals on the server", () => {
  it("denies a write_file call of an agent whose config does not approve it, and tells the model", async () => {
    const { body, toolMessage } = await run("default", "denied.txt");
    expect(body.output_text).toBe("Finished.");
    expect(toolMessage?.content).toMatch(/"write_file" needs the user's approval and no approval is available here/);
    expect(await exists("denied.txt")).toBe(false);
  });

  it("runs it for the agent whose config approves write_file", async () => {
    const { toolMessage } = await run("writer", "approved.txt");
    expect(toolMessage?.content).toMatch(/approved\.txt/);
    expect(await readFile(path.join(test.dir, "approved.txt"), "utf8")).toBe("from the model");
  });
});
