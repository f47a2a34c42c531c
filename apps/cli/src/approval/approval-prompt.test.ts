import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import { formatApprovalRequest, isYes, oneAtATime } from "./approval-prompt.js";

const plain = picocolors.createColors(false);

describe("approval prompt", () => {
  it("approves only y or yes", () => {
    for (const answer of ["y", "Y", "yes", " YES "]) expect(isYes(answer)).toBe(true);
    for (const answer of ["", "n", "no", "yess", "y y", "sure", undefined]) expect(isYes(answer)).toBe(false);
  });

  it("shows every argument, inert, with long values shortened", () => {
    const text = formatApprovalRequest(
      { toolName: "run_command", args: { command: "git\u001b]52;c;aGk=\u0007", args: ["push", "--force"], note: "x".repeat(700) } },
      plain,
    );
    expect(text).toContain("The agent wants to call run_command:");
    expect(text).toContain("  command: git\n");
    expect(text).toContain('  args: ["push","--force"]');
    expect(text).toContain(`  note: ${"x".repeat(600)}… (100 more characters)`);
    expect(formatApprovalRequest({ toolName: "t", args: {} }, plain)).toContain("(no arguments)");
  });

  it("asks one question at a time when calls run in parallel", async () => {
    let open = 0;
    let most = 0;
    const approve = oneAtATime(async () => {
      open++;
      most = Math.max(most, open);
      await new Promise((resolve) => setTimeout(resolve, 20));
      open--;
      return true;
    });
    const request = {
      toolName: "t",
      toolCallId: "1",
      args: {},
      context: { signal: new AbortController().signal, toolCallId: "1", messages: [] },
    };
    expect(await Promise.all([approve(request), approve(request), approve(request)])).toEqual([true, true, true]);
    expect(most).toBe(1);
  });
});
