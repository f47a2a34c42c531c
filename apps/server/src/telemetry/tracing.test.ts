import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { corralTracer } from "@corral/core";
import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serverEntry } from "../test-support/server-entry.js";
import { startTracingFromEnv } from "./tracing-from-env.js";

const bin = serverEntry.file("bin.js");

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: OtlpValue }[];
}

/** A real OTLP/HTTP receiver on 127.0.0.1: keeps every JSON export posted to /v1/traces. */
let receiver: Server;
let receiverUrl: string;
const exports: {
  path: string;
  contentType: string;
  body: { resourceSpans?: { resource: { attributes: OtlpSpan["attributes"] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
}[] = [];
let fake: FakeOllama;
let dir: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      exports.push({ path: request.url ?? "", contentType: request.headers["content-type"] ?? "", body: JSON.parse(text || "{}") });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  fake = await startFakeOllama();
  dir = await mkdtemp(path.join(tmpdir(), "corral-tracing-"));
  await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ tools: ["math"], agents: { default: { docs: false } } }));
  // Records every @opentelemetry module the child resolves, to prove the SDK is (not) loaded.
  await writeFile(
    path.join(dir, "import-hooks.mjs"),
    [
      'import { appendFileSync } from "node:fs";',
      "export async function resolve(specifier, context, next) {",
      "  const resolved = await next(specifier, context);",
      '  if (resolved.url.includes("/node_modules/@opentelemetry/")) appendFileSync(process.env.IMPORT_LOG, resolved.url + "\\n");',
      "  return resolved;",
      "}",
    ].join("\n"),
  );
  await writeFile(
    path.join(dir, "record-imports.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(path.join(dir, "import-hooks.mjs")).href)});\n`,
  );
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  exports.length = 0;
});

/** Runs the server bin, makes one run with a tool call, stops it with SIGTERM; returns the modules it resolved. */
async function serveOneRun(env: Record<string, string>): Promise<string> {
  const importLog = path.join(dir, `imports-${Date.now()}.log`);
  await writeFile(importLog, "");
  const child = spawn(
    process.execPath,
    [...serverEntry.loaderArgs, "--import", pathToFileURL(path.join(dir, "record-imports.mjs")).href, bin, "--port", "0"],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        OLLAMA_HOST: fake.url,
        CORRAL_INDEX: path.join(dir, "index"),
        IMPORT_LOG: importLog,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      setTimeout(() => reject(new Error(`not listening after 120 s: ${stderr}`)), 120_000).unref();
      lines.on("line", (line) => {
        const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (match) resolve(match[1]!);
      });
    });
    fake.enqueue(
      { toolCalls: [{ name: "calculator", arguments: { expression: "6 * 7" } }], promptEvalCount: 20, evalCount: 5 },
      { content: "It is 42.", promptEvalCount: 33, evalCount: 4 },
    );
    const response = await fetch(`${url}/v1/agents/default/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "What is 6 * 7?" }),
    });
    expect(response.status).toBe(200);
    const search = await fetch(`${url}/v1/search?q=multiplication&k=3`);
    expect(search.status).toBe(200);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exit).toBe(0);
  return readFile(importLog, "utf8");
}

const attribute = (span: Pick<OtlpSpan, "attributes">, key: string) => {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  if (!value) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.arrayValue) return value.arrayValue.values.map((item) => item.stringValue);
  return value.stringValue;
};

describe("traces", () => {
  it("with OTEL_EXPORTER_OTLP_ENDPOINT, a run's spans reach the OTLP receiver with the GenAI attributes (flushed on SIGTERM)", async () => {
    const imports = await serveOneRun({ OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_SERVICE_NAME: "corral-test" });
    expect(imports).toMatch(/node_modules\/@opentelemetry\/sdk-trace-node\//);
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.every((sent) => sent.path === "/v1/traces" && sent.contentType.startsWith("application/json"))).toBe(true);
    const spans = exports
      .flatMap((sent) => sent.body.resourceSpans ?? [])
      .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    const services = exports
      .flatMap((sent) => sent.body.resourceSpans ?? [])
      .map((resource) => attribute(resource.resource, "service.name"));
    expect(new Set(services)).toEqual(new Set(["corral-test"]));
    const model = "qwen3:4b";
    const run = spans.find((span) => attribute(span, "gen_ai.operation.name") === "invoke_agent");
    const chats = spans.filter((span) => attribute(span, "gen_ai.operation.name") === "chat");
    const tool = spans.find((span) => attribute(span, "gen_ai.tool.name") === "calculator");
    const retrieval = spans.find((span) => attribute(span, "gen_ai.operation.name") === "retrieval");
    expect(run?.name).toBe(`invoke_agent ${model}`);
    expect(attribute(run!, "gen_ai.request.model")).toBe(model);
    expect(attribute(run!, "gen_ai.usage.input_tokens")).toBe(53);
    expect(attribute(run!, "gen_ai.usage.output_tokens")).toBe(9);
    expect(chats.map((span) => span.name)).toEqual([`chat ${model}`, `chat ${model}`]);
    for (const chat of chats) {
      expect(chat.parentSpanId).toBe(run!.spanId);
      expect(chat.traceId).toBe(run!.traceId);
      expect(attribute(chat, "gen_ai.request.model")).toBe(model);
      expect(attribute(chat, "gen_ai.provider.name")).toBe("ollama");
      expect(attribute(chat, "server.address")).toBe("127.0.0.1");
      expect(attribute(chat, "server.port")).toBe(Number(new URL(fake.url).port));
    }
    expect(chats.map((span) => [attribute(span, "gen_ai.usage.input_tokens"), attribute(span, "gen_ai.usage.output_tokens")])).toEqual([
      [20, 5],
      [33, 4],
    ]);
    expect(tool?.name).toBe("execute_tool calculator");
    expect(attribute(tool!, "gen_ai.tool.name")).toBe("calculator");
    expect(tool!.parentSpanId).toBe(run!.spanId);
    // GET /v1/search: one index query.
    expect(retrieval?.name).toBe("retrieval index");
    expect(attribute(retrieval!, "corral.retrieval.k")).toBe(3);
    expect(attribute(retrieval!, "corral.retrieval.hits")).toBe(0);
    expect(typeof attribute(retrieval!, "corral.retrieval.mode")).toBe("string");
  }, 180_000);

  it("without OTEL_EXPORTER_OTLP_ENDPOINT, the SDK is not loaded and nothing is sent", async () => {
    const imports = await serveOneRun({});
    expect(imports).not.toMatch(/node_modules\/@opentelemetry\/(sdk-|exporter-|otlp-|resources)/);
    // corral's own spans stay no-ops that do not even load the API.
    expect(imports).not.toMatch(/node_modules\/@opentelemetry\/api\//);
    expect(exports).toEqual([]);
  }, 180_000);

  it("startTracingFromEnv without the variable registers nothing: corral's spans do not record", async () => {
    expect(await startTracingFromEnv({})).toBeUndefined();
    expect(corralTracer.startSpan("probe").isRecording()).toBe(false);
  });
});
