// The conversation of bench/agent-overhead: the fake calls `add` until the conversation holds
// TOOL_ROUNDS tool results, then answers.
import type { FakeChatRequest, FakeTurn } from "@corral/testkit";

export const MODEL = "qwen3:4b";
export const TOOL_ROUNDS = 2;
/** Model calls per run: the tool rounds and the answer. */
export const STEPS = TOOL_ROUNDS + 1;

export function script(request: FakeChatRequest): FakeTurn {
  const results = request.messages.filter((message) => message.role === "tool").length;
  if (results < TOOL_ROUNDS) return { toolCalls: [{ name: "add", arguments: { a: results, b: 1 } }] };
  return { content: "The total is 2." };
}
