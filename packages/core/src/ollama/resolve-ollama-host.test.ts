import { describe, expect, it } from "vitest";
import { resolveOllamaHost } from "./resolve-ollama-host.js";

describe("resolveOllamaHost", () => {
  it.each([
    [undefined, "http://127.0.0.1:11434"],
    ["", "http://127.0.0.1:11434"],
    ["localhost", "http://localhost:11434"],
    ["gpu-box:8080", "http://gpu-box:8080"],
    [":9000", "http://127.0.0.1:9000"],
    ["0.0.0.0", "http://127.0.0.1:11434"],
    ["0.0.0.0:11435", "http://127.0.0.1:11435"],
    ["http://example.internal", "http://example.internal"],
    ["https://ollama.example.com/", "https://ollama.example.com"],
    ["http://10.0.0.5:11434/proxy/", "http://10.0.0.5:11434/proxy"],
  ])("reads %j as %s", (value, expected) => {
    expect(resolveOllamaHost(value ?? "")).toBe(expected);
  });

  it("falls back to OLLAMA_HOST", () => {
    const saved = process.env.OLLAMA_HOST;
    process.env.OLLAMA_HOST = "box:1234";
    try {
      expect(resolveOllamaHost()).toBe("http://box:1234");
    } finally {
      if (saved === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = saved;
    }
  });
});
