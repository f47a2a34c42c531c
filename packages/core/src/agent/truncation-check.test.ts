import { describe, expect, it } from "vitest";
import { promptWasTruncated } from "./truncation-check.js";

const usage = (inputTokens: number) => ({ inputTokens, outputTokens: 10, totalTokens: inputTokens + 10 });
const base = { numCtx: 4096, numKeep: 4, floorTokens: 0 };

describe("promptWasTruncated", () => {
  it("is true for a count near num_keep + half the window when the prompt was known to be larger", () => {
    expect(promptWasTruncated({ ...base, usage: usage(2050), estimatedTokens: 5000 })).toBe(true);
    // The count above corral's (high) estimate: the estimate was low, the prompt was cut.
    expect(promptWasTruncated({ ...base, usage: usage(2050), estimatedTokens: 1800 })).toBe(true);
    // The previous call's real size, sent again, already exceeded the window.
    expect(promptWasTruncated({ ...base, usage: usage(2050), estimatedTokens: 3000, floorTokens: 4200 })).toBe(true);
    // The prompt only grew, yet fewer tokens were evaluated than last time.
    expect(promptWasTruncated({ ...base, usage: usage(2050), estimatedTokens: 3000, floorTokens: 3900 })).toBe(true);
    expect(promptWasTruncated({ ...base, usage: usage(2050), estimatedTokens: 3000, floorTokens: 2000 })).toBe(false);
  });

  it("is false for every count a whole prompt gives", () => {
    for (let counted = 1; counted <= 4096; counted += 7) {
      expect(promptWasTruncated({ ...base, usage: usage(counted), estimatedTokens: Math.ceil(counted * 1.3) })).toBe(false);
    }
    expect(promptWasTruncated({ ...base, usage: usage(0), estimatedTokens: 9000 })).toBe(false);
    expect(promptWasTruncated({ ...base, usage: usage(3000), estimatedTokens: 9000 })).toBe(false);
  });

  it("uses num_keep to place the half", () => {
    expect(promptWasTruncated({ ...base, numKeep: 500, usage: usage(2298), estimatedTokens: 5000 })).toBe(true);
    expect(promptWasTruncated({ ...base, numKeep: 4, usage: usage(2298), estimatedTokens: 5000 })).toBe(false);
  });
});
