import { ToolInputError } from "@corral/core";
import { describe, expect, it } from "vitest";
import { eventData } from "./run-output.js";

describe("eventData", () => {
  it("sends a failed tool result as before: the model's text and is-error, not the in-process error object", () => {
    const error = new ToolInputError("add", { a: "two" }, "a: expected number");
    const data = eventData({
      type: "tool-result",
      step: 1,
      toolCallId: "call_1",
      toolName: "add",
      content: `Error: ${error.message}`,
      isError: true,
      error,
    });
    expect(data).toEqual({ step: 1, toolCallId: "call_1", toolName: "add", content: `Error: ${error.message}`, isError: true });
  });
});
