import { describe, expect, it } from "vitest";
import { parseModelfileParameters } from "../model/modelfile-parameters.js";
import { contextReserve, DEFAULT_CONTEXT_TOKENS, resolveContextWindow } from "./context-policy.js";

describe("resolveContextWindow", () => {
  const info = (contextLength?: number, parameters = "") => ({ contextLength, parameters: parseModelfileParameters(parameters) });

  it("takes options.num_ctx, then the Modelfile's num_ctx, then the default, each capped at the trained length", () => {
    expect(resolveContextWindow({ configured: 16384, info: info(40960, "num_ctx 4096") })).toEqual({
      numCtx: 16384,
      source: "options",
      trainedLength: 40960,
      capped: false,
    });
    expect(resolveContextWindow({ info: info(40960, "num_ctx 4096") })).toMatchObject({ numCtx: 4096, source: "modelfile" });
    expect(resolveContextWindow({ info: info(40960) })).toMatchObject({ numCtx: DEFAULT_CONTEXT_TOKENS, source: "default" });
    expect(resolveContextWindow({ info: info(2048) })).toMatchObject({ numCtx: 2048, source: "default", capped: true });
    expect(resolveContextWindow({ configured: 65536, info: info(32768) })).toMatchObject({ numCtx: 32768, capped: true });
    expect(resolveContextWindow({ info: info(undefined), defaultTokens: 4096 })).toMatchObject({ numCtx: 4096, capped: false });
  });
});

describe("contextReserve", () => {
  it("keeps a quarter (at most 2048) for the answer, as much again for thinking, or num_predict when set", () => {
    expect(contextReserve(8192, { thinking: false })).toEqual({ answer: 2048, thinking: 0, total: 2048 });
    expect(contextReserve(8192, { thinking: true })).toEqual({ answer: 2048, thinking: 2048, total: 4096 });
    expect(contextReserve(2048, { thinking: true }).total).toBe(1024);
    expect(contextReserve(8192, { numPredict: 512, thinking: true })).toEqual({ answer: 512, thinking: 0, total: 512 });
  });
});

describe("parseModelfileParameters", () => {
  it("reads Ollama's parameters text, typed, with repeated names collected", () => {
    const text = [
      `${"num_ctx".padEnd(30)} 8192`,
      `${"stop".padEnd(30)} "<|im_start|>"`,
      `${"stop".padEnd(30)} "<|im_end|>"`,
      "temperature 0.6",
    ].join("\n");
    expect(parseModelfileParameters(text)).toEqual({ num_ctx: 8192, stop: ["<|im_start|>", "<|im_end|>"], temperature: 0.6 });
    expect(parseModelfileParameters(undefined)).toEqual({});
  });
});
