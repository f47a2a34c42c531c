import type { Tool } from "@corral/core";
import { describe, expect, it } from "vitest";
import { calculatorTool, createCalculatorTool } from "./calculator-tool.js";

async function call(tool: Tool, args: unknown, signal = new AbortController().signal): Promise<string> {
  const parsed = tool.parse(args);
  if (!parsed.success) throw new Error(`bad args: ${parsed.error}`);
  return (await tool.execute(parsed.data, { signal, toolCallId: "t1", messages: [] })) as string;
}

describe("calculator", () => {
  const cases: [string, string][] = [
    ["2 + 3 * 4", "14"],
    ["(2 + 3) * 4", "20"],
    ["0.1 + 0.2", "0.3"],
    ["2^10", "1024"],
    ["sqrt(16) + abs(-3)", "7"],
    ["10 / 4", "2.5"],
    ["5 km to mile", "3.1068559611867 mile"],
    ["det([1, 2; 3, 4])", "-2"],
    ["[1, 2; 3, 4] * 2", "[[2, 4], [6, 8]]"],
    ["sqrt(-4)", "2i"],
    ["sum(1:100)", "5050"],
    ["a = 3; b = 4; sqrt(a^2 + b^2)", "5"],
    ["factorial(5)", "120"],
    ["sin(pi / 2)", "1"],
  ];
  for (const [expression, expected] of cases) {
    it(`evaluates ${expression}`, async () => {
      expect(await call(calculatorTool, { expression })).toBe(expected);
    });
  }

  const hostile = [
    "import({ x: 1 }, { override: true })",
    'createUnit("foo")',
    'evaluate("1 + 1")',
    'parse("1 + 1")',
    'simplify("x + x")',
    'derivative("x^2", "x")',
    'compile("1")',
    'config({ number: "BigNumber" })',
    'cos.constructor("return process")()',
    '[].constructor.constructor("return process")()',
    'f = cos; f.constructor("return this")()',
  ];
  for (const expression of hostile) {
    it(`refuses ${expression}`, async () => {
      await expect(call(calculatorTool, { expression })).rejects.toThrow(/Could not evaluate/);
    });
  }

  it("keeps no state between calls", async () => {
    await call(calculatorTool, { expression: "secret = 42" });
    await expect(call(calculatorTool, { expression: "secret" })).rejects.toThrow(/Undefined symbol secret/);
  });

  it("reports syntax errors and empty or oversized expressions clearly", async () => {
    await expect(call(calculatorTool, { expression: "2 +* 3" })).rejects.toThrow(/Could not evaluate "2 \+\* 3"/);
    await expect(call(calculatorTool, { expression: "  " })).rejects.toThrow(/empty/);
    await expect(call(createCalculatorTool({ maxExpressionChars: 10 }), { expression: "1+1+1+1+1+1+1" })).rejects.toThrow(
      /longer than 10 characters/,
    );
  });

  it("stops a runaway calculation at its time limit and recovers", async () => {
    const tool = createCalculatorTool({ timeoutMs: 300 });
    await expect(call(tool, { expression: "combinations(1e10, 5e9)" })).rejects.toMatchObject({ code: "timeout" });
    expect(await call(tool, { expression: "1 + 1" })).toBe("2");
  });

  it("stops a memory bomb", async () => {
    const tool = createCalculatorTool({ timeoutMs: 10_000, maxMemoryMb: 64 });
    await expect(call(tool, { expression: "size(zeros(20000, 20000))" })).rejects.toThrow(/memory|timed out/);
    expect(await call(tool, { expression: "2 * 21" })).toBe("42");
  });

  it("stops on abort", async () => {
    const controller = new AbortController();
    const pending = call(createCalculatorTool({ timeoutMs: 60_000 }), { expression: "combinations(1e10, 5e9)" }, controller.signal);
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });
});
