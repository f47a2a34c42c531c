import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@corral/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema } from "./config-schema.js";
import { loadConfig } from "./load-config.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-tool-options-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(toolOptions: unknown): Promise<ConfigError> {
  await writeFile(path.join(dir, "corral.config.json"), JSON.stringify({ toolOptions }));
  const error = await loadConfig({ cwd: dir, env: {} }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("toolOptions", () => {
  it("rejects a typo in any preset's options, naming the key and where it is", async () => {
    const files = await loadError({ files: { allowWrites: true } });
    expect(files.message).toContain('"allowWrites"');
    expect(files.message).toContain("toolOptions.files");
    const shell = await loadError({ shell: { allowedCommands: ["git"], timeout: 5 } });
    expect(shell.message).toContain('"timeout"');
    expect(shell.message).toContain("toolOptions.shell");
    for (const [preset, key] of [
      ["web", "allowedHost"],
      ["math", "maxMatrix"],
      ["time", "timezone"],
    ] as const) {
      const error = await loadError({ [preset]: { [key]: 1 } });
      expect(error.message).toContain(`"${key}"`);
      expect(error.message).toContain(`toolOptions.${preset}`);
    }
    expect((await loadError({ files: { search: { maxMatch: 5 } } })).message).toContain('"maxMatch"');
  });

  it("rejects wrong types and a shell without allowedCommands", async () => {
    expect((await loadError({ files: { allowHidden: "yes" } })).message).toContain("toolOptions.files.allowHidden");
    expect((await loadError({ math: { maxMatrixElements: 0 } })).message).toContain("toolOptions.math.maxMatrixElements");
    expect((await loadError({ shell: {} })).message).toContain("toolOptions.shell.allowedCommands");
  });

  it("accepts every option the presets take from a file, the newer ones included", () => {
    const options = {
      files: {
        allowWrite: true,
        allowHidden: false,
        allowPaths: [".github"],
        allowHardLinks: false,
        maxFileBytes: 1000,
        maxOutputChars: 5000,
        maxEntries: 100,
        ignore: ["dist"],
        search: { maxMatches: 10, maxFileBytes: 1000, maxFiles: 10, perFileTimeoutMs: 100, timeoutMs: 1000 },
        timeoutMs: 1000,
      },
      web: {
        allowedHosts: ["docs.example.com"],
        allowAddresses: ["10.0.0.5"],
        maxBytes: 1000,
        maxOutputChars: 1000,
        timeoutMs: 1000,
        maxRedirects: 0,
        userAgent: "corral-test",
      },
      math: { timeoutMs: 1000, maxExpressionChars: 100, maxMemoryMb: 64, maxMatrixElements: 1000, maxOutputChars: 500 },
      time: { timeZone: "Europe/Berlin" },
      shell: { allowedCommands: ["git"], timeoutMs: 1000, maxBufferBytes: 1000, maxOutputChars: 1000, env: { LANG: "C" } },
    };
    expect(configSchema.parse({ toolOptions: options }).toolOptions).toEqual(options);
  });
});
