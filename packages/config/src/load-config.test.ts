import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@corral/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configJsonSchema } from "./config-json-schema.js";
import { configSchema } from "./config-schema.js";
import { configTemplate, writeConfigTemplate } from "./config-template.js";
import { defaultConfig } from "./default-config.js";
import { loadConfig } from "./load-config.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(content: unknown, file = "corral.config.json"): Promise<string> {
  const target = path.join(dir, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, typeof content === "string" ? content : JSON.stringify(content));
  return target;
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe("config_invalid");
  return error as ConfigError;
}

describe("defaults", () => {
  it("has the documented defaults and a default agent", async () => {
    expect(defaultConfig.model).toBe("qwen3:4b");
    expect(defaultConfig.embedModel).toBe("nomic-embed-text");
    expect(defaultConfig.index).toBe(".corral/index");
    expect(defaultConfig.ollama).toEqual({ host: "http://127.0.0.1:11434", timeoutMs: 300_000, idleTimeoutMs: 300_000 });
    expect(defaultConfig.server).toMatchObject({ host: "127.0.0.1", port: 8787, insecure: false });
    expect(Object.keys(defaultConfig.agents)).toEqual(["default"]);
    expect(Object.isFrozen(defaultConfig.server)).toBe(true);
  });

  it("loads defaults with no file and an empty environment", async () => {
    const { config, file } = await loadConfig({ cwd: dir, env: {} });
    expect(file).toBeUndefined();
    expect(config.model).toBe("qwen3:4b");
    expect(config.index).toBe(path.join(dir, ".corral/index"));
  });
});

describe("ollama time limits", () => {
  it("reads ollama.timeoutMs and ollama.idleTimeoutMs from the file and rejects bad values", async () => {
    await writeConfig({ ollama: { timeoutMs: 60_000, idleTimeoutMs: 900_000 } });
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(config.ollama).toMatchObject({ timeoutMs: 60_000, idleTimeoutMs: 900_000 });
    await writeConfig({ ollama: { timeoutMs: "5m" } });
    const error = await loadConfig({ cwd: dir, env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("ollama.timeoutMs");
    await writeConfig({ ollama: { idleTimeout: 1000 } });
    expect(String(await loadConfig({ cwd: dir, env: {} }).catch((caught: unknown) => caught))).toContain("idleTimeout");
  });
});

describe("ollama.hosts", () => {
  it("reads a list of hosts, rejects a bad one by position, and yields to one host from OLLAMA_HOST or --host", async () => {
    await writeConfig({ ollama: { hosts: ["gpu-a:11434", "http://gpu-b:11434"] } });
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(config.ollama.hosts).toEqual(["http://gpu-a:11434", "http://gpu-b:11434"]);
    const fromEnv = await loadConfig({ cwd: dir, env: { OLLAMA_HOST: "gpu-c:11434" } });
    expect(fromEnv.config.ollama).toMatchObject({ host: "http://gpu-c:11434" });
    expect(fromEnv.config.ollama.hosts).toBeUndefined();
    await writeConfig({ ollama: { hosts: ["gpu-a:11434", "http://:bad:"] } });
    const error = await loadConfig({ cwd: dir, env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("ollama.hosts");
  });
});

describe("precedence", () => {
  it("flags > env > file > defaults", async () => {
    await writeConfig({ model: "file-model", embedModel: "file-embed", index: "file-index", ollama: { host: "file-host:1" } });
    const fileOnly = await loadConfig({ cwd: dir, env: {} });
    expect(fileOnly.config).toMatchObject({
      model: "file-model",
      embedModel: "file-embed",
      index: path.join(dir, "file-index"),
      ollama: { host: "http://file-host:1" },
    });

    const env = { CORRAL_MODEL: "env-model", CORRAL_EMBED_MODEL: "env-embed", CORRAL_INDEX: "env-index", OLLAMA_HOST: "env-host" };
    const withEnv = await loadConfig({ cwd: dir, env });
    expect(withEnv.config).toMatchObject({
      model: "env-model",
      embedModel: "env-embed",
      index: path.join(dir, "env-index"),
      ollama: { host: "http://env-host:11434" },
    });

    const withFlags = await loadConfig({
      cwd: dir,
      env,
      flags: { model: "flag-model", embedModel: "flag-embed", index: "/abs/index", host: "http://flag-host:9" },
    });
    expect(withFlags.config).toMatchObject({
      model: "flag-model",
      embedModel: "flag-embed",
      index: "/abs/index",
      ollama: { host: "http://flag-host:9" },
    });
  });

  it("reads CORRAL_API_KEY as comma-separated keys added to the file's", async () => {
    await writeConfig({ server: { apiKeys: ["file-key-0123456789"] } });
    const { config } = await loadConfig({ cwd: dir, env: { CORRAL_API_KEY: "env-key-0123456789a, env-key-0123456789b" } });
    expect(config.server.apiKeys).toEqual(["file-key-0123456789", "env-key-0123456789a", "env-key-0123456789b"]);
    const error = await configError(loadConfig({ cwd: dir, env: { CORRAL_API_KEY: "short" } }));
    expect(error.message).toContain("CORRAL_API_KEY");
  });

  it("reads CORRAL_DATABASE_URL and CORRAL_REDIS_URL over server.databaseUrl and server.redisUrl", async () => {
    await writeConfig({ server: { databaseUrl: "postgresql://file-host/corral", redisUrl: "redis://file-host:6379" } });
    const fileOnly = await loadConfig({ cwd: dir, env: {} });
    expect(fileOnly.config.server).toMatchObject({ databaseUrl: "postgresql://file-host/corral", redisUrl: "redis://file-host:6379" });
    const { config } = await loadConfig({
      cwd: dir,
      env: { CORRAL_DATABASE_URL: "postgres://env-host:5433/team", CORRAL_REDIS_URL: "rediss://env-host:6380" },
    });
    expect(config.server).toMatchObject({ databaseUrl: "postgres://env-host:5433/team", redisUrl: "rediss://env-host:6380" });
    const error = await configError(loadConfig({ cwd: dir, env: { CORRAL_DATABASE_URL: "mysql://db/corral" } }));
    expect(error.message).toContain("CORRAL_DATABASE_URL must be a postgresql:// URL");
    await writeConfig({ server: { redisUrl: "http://cache" } });
    expect((await configError(loadConfig({ cwd: dir, env: {} }))).message).toContain("redisUrl");
  });

  it("finds the file in a parent folder and resolves its paths against the file's folder", async () => {
    await writeConfig({ index: "idx", agents: { docs: { docs: ["./handbook"] } } });
    const nested = path.join(dir, "a", "b");
    await mkdir(nested, { recursive: true });
    const { config, file } = await loadConfig({ cwd: nested, env: {} });
    expect(file).toBe(path.join(dir, "corral.config.json"));
    expect(config.index).toBe(path.join(dir, "idx"));
    expect(config.agents.docs?.docs).toEqual([path.join(dir, "handbook")]);
    expect(config.agents.default).toEqual({});
  });
});

describe("errors name the field and the file", () => {
  it("a wrong type", async () => {
    const file = await writeConfig({ server: { port: "eighty" } });
    const error = await configError(loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toContain(file);
    expect(error.message).toContain('"server.port"');
  });

  it("an unknown field (a typo)", async () => {
    const file = await writeConfig({ agents: { default: { instruction: "x" } } });
    const error = await configError(loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toContain(file);
    expect(error.message).toContain('"instruction"');
    expect(error.message).toContain("agents.default");
  });

  it("invalid JSON, with the line and a hint about comments", async () => {
    const file = await writeConfig('{\n  // my model\n  "model": "x"\n}');
    const error = await configError(loadConfig({ cwd: dir, env: {} }));
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/line 2/);
    expect(error.message).toContain("$comment");
  });

  it("a missing explicit file", async () => {
    const error = await configError(loadConfig({ cwd: dir, file: "nope.json", env: {} }));
    expect(error.message).toContain(path.join(dir, "nope.json"));
  });

  it("a bad flag or environment value names its source", async () => {
    expect((await configError(loadConfig({ cwd: dir, env: {}, flags: { model: " " } }))).message).toContain("--model");
    expect((await configError(loadConfig({ cwd: dir, env: { OLLAMA_HOST: "http://[bad" } }))).message).toContain("OLLAMA_HOST");
  });
});

describe("template", () => {
  it("writes a template that loads, and refuses to overwrite", async () => {
    const file = await writeConfigTemplate({ cwd: dir });
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(JSON.parse(configTemplate()));
    const { config } = await loadConfig({ cwd: dir, env: {} });
    expect(config.agents.default?.docs).toEqual([path.join(dir, "docs")]);
    const error = await configError(writeConfigTemplate({ cwd: dir }));
    expect(error.message).toContain("already exists");
    await expect(writeConfigTemplate({ cwd: dir, force: true })).resolves.toBe(file);
  });

  it("the schema accepts the template and rejects out-of-range values", () => {
    expect(configSchema.safeParse(JSON.parse(configTemplate())).success).toBe(true);
    expect(configSchema.safeParse({ server: { port: 70000 } }).success).toBe(false);
    expect(configSchema.safeParse({ agents: { "bad name": {} } }).success).toBe(false);
  });
});

describe("JSON Schema for editors", () => {
  it("describes the file with every field optional", () => {
    const schema = configJsonSchema() as { type: string; properties: Record<string, unknown>; required?: string[] };
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["model", "embedModel", "index", "agents", "server"]));
    expect(schema.required ?? []).toEqual([]);
  });
});
