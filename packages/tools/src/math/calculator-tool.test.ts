import { callTool } from "@corral/core/testing";
import { describe, expect, it } from "vitest";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { calculatorTool, createCalculatorTool } from "./calculator-tool.js";

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
      expect((await callTool(calculatorTool, { expression })).content).toBe(expected);
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
      expect(await callTool(calculatorTool, { expression })).toMatchObject({
        isError: true,
        content: expect.stringMatching(/Could not evaluate/),
      });
    });
  }

  it("keeps no state between calls", async () => {
    (await callTool(calculatorTool, { expression: "secret = 42" })).content;
    expect(await callTool(calculatorTool, { expression: "secret" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Undefined symbol secret/),
    });
  });

  it("reports syntax errors and empty or oversized expressions clearly", async () => {
    expect(await callTool(calculatorTool, { expression: "2 +* 3" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/Could not evaluate "2 \+\* 3"/),
    });
    expect(await callTool(calculatorTool, { expression: "  " })).toMatchObject({ isError: true, content: expect.stringMatching(/empty/) });
    expect(await callTool(createCalculatorTool({ maxExpressionChars: 10 }), { expression: "1+1+1+1+1+1+1" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/longer than 10 characters/),
    });
  });

  it("stops a runaway calculation at its time limit and recovers", async () => {
    // The limit counts the calculation only (the process warms up before it takes one): far longer than
    // "1 + 1" takes even on a loaded machine, far shorter than the runaway, which burns a core until stopped.
    const tool = createCalculatorTool({ timeoutMs: 500 });
    expect(await callTool(tool, { expression: "combinations(1e10, 5e9)" })).toMatchObject({
      isError: true,
      error: expect.objectContaining({ code: "timeout" }),
    });
    expect((await callTool(tool, { expression: "1 + 1" })).content).toBe("2");
  });

  it("stops a memory bomb", async () => {
    const tool = createCalculatorTool({ timeoutMs: 10_000, maxMemoryMb: 64 });
    expect(await callTool(tool, { expression: "size(zeros(20000, 20000))" })).toMatchObject({
      isError: true,
      content: expect.stringMatching(/memory|timed out|limit/),
    });
    expect((await callTool(tool, { expression: "2 * 21" })).content).toBe("42");
  });
  it("stops on abort", async () => {
    const controller = new AbortController();
    const pending = callTool(
      createCalculatorTool({ timeoutMs: 60_000 }),
      { expression: "combinations(1e10, 5e9)" },
      { signal: controller.signal },
    );
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });

  describe("hostile sizes and output (the process survives every one)", () => {
    // One tool for the whole block: the child process is reused, and replaced when it dies.
    const tool = createCalculatorTool({ timeoutMs: 20_000 });

    for (const [expression, what] of [
      ["zeros(1e8)", "zeros would create 100,000,000 elements"],
      ["ones(1e9)", "ones would create 1,000,000,000 elements"],
      ["ones(1e5, 1e5)", "ones would create 10,000,000,000 elements"],
      ['zeros([1e4, 1e4], "sparse")', "zeros would create 100,000,000 elements"],
      ["identity(1e5)", "identity would create 10,000,000,000 elements"],
      ["1:1e9", "range would create 1,000,000,000 elements"],
      ['range("0:1e9")', "range would create 1,000,000,001 elements"],
      ["random([1e5, 1e5])", "random would create 10,000,000,000 elements"],
      ["resize([1], [1e5, 1e5])", "resize would create 10,000,000,000 elements"],
      ["kron(ones(1000), ones(2000))", "kron would create 2,000,000 elements"],
      ["setPowerset(1:40)", "setPowerset would create 1,099,511,627,776 elements"],
    ] as const) {
      it(`refuses ${expression} before allocating, with the limit it hit`, async () => {
        const error = (await callTool(tool, { expression })).error;
        expect(error).toBeInstanceOf(ToolRefusedError);
        expect((error as Error).message).toContain(what);
        expect((error as Error).message).toContain("over the calculator's limit of 1,000,000; use smaller sizes");
        expect((await callTool(tool, { expression: "6 * 7" })).content).toBe("42");
      });
    }

    it("lets sizes up to the limit through", async () => {
      expect((await callTool(tool, { expression: "size(zeros(1000, 1000))" })).content).toBe("[1000, 1000]");
      expect((await callTool(tool, { expression: "size(1:1000000)" })).content).toBe("[1e+6]");
      expect((await callTool(createCalculatorTool({ maxMatrixElements: 10 }), { expression: "ones(11)" })).content).toMatch(
        /ones would create 11 elements, over the calculator's limit of 10/,
      );
    });

    it("caps the result at 20,000 characters with a note", async () => {
      const text = (await callTool(tool, { expression: "format(ones(400, 400))" })).content;
      expect(text.length).toBeLessThan(20_200);
      expect(text.startsWith('"[[1, 1, 1')).toBe(true);
      expect(text).toMatch(/\n\[output truncated: \d+ more characters omitted; ask for a smaller part/);
      const matrix = (await callTool(createCalculatorTool({ maxOutputChars: 50, timeoutMs: 20_000 }), { expression: "ones(400, 400)" }))
        .content;
      expect(matrix).toMatch(/^\[\[1, 1, 1.{0,50}\n\[output truncated: \d{6} more characters omitted/s);
      expect(matrix.split("\n")[0]).toHaveLength(50);
    });

    it("stops an allocation the size checks do not foresee at the heap limit, and the process goes on", async () => {
      // With the size checks lifted, only the child process' heap limit stands in the way.
      const unchecked = createCalculatorTool({ timeoutMs: 60_000, maxMemoryMb: 64, maxMatrixElements: 1e12 });
      const error = (await callTool(unchecked, { expression: "zeros(1e8)" })).error;
      expect(error).toBeInstanceOf(ToolRefusedError);
      expect((error as Error).message).toMatch(/needed more than the calculator's 64 MB of memory and was stopped/);
      expect((await callTool(unchecked, { expression: "2 + 2" })).content).toBe("4");
    });

    it("times out a very long computation and recovers", async () => {
      const quick = createCalculatorTool({ timeoutMs: 300 });
      expect(await callTool(quick, { expression: "combinations(1e10, 5e9)" })).toMatchObject({
        isError: true,
        error: expect.objectContaining({ code: "timeout" }),
      });
      expect(await callTool(quick, { expression: "ones(900, 900) * ones(900, 900)" })).toMatchObject({
        isError: true,
        error: expect.objectContaining({ code: "timeout" }),
      });
      expect((await callTool(quick, { expression: "sqrt(81)" })).content).toBe("9");
    });
  });
});
