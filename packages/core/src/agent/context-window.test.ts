import { describe, expect, it } from "vitest";
import type { Message } from "../model/message.js";
import { estimateTokens, trimToFit } from "./context-window.js";

const big = (n: number) => "x".repeat(n);

describe("trimToFit", () => {
  const conversation: Message[] = [
    { role: "system", content: "You are terse." },
    { role: "user", content: big(700) },
    { role: "assistant", content: "", tool_calls: [{ id: "c1", function: { name: "lookup", arguments: { q: big(700) } } }] },
    { role: "tool", content: big(700), tool_name: "lookup", tool_call_id: "c1" },
    { role: "assistant", content: big(700) },
    { role: "user", content: "latest question" },
  ];

  it("keeps everything when it fits", () => {
    const fit = trimToFit(conversation, 100_000);
    expect(fit.removed).toBe(0);
    expect(fit.messages).toEqual(conversation);
  });

  it("drops the oldest turns, never the system prompt or the latest user turn", () => {
    const fit = trimToFit(conversation, 300);
    expect(fit.messages[0]).toEqual(conversation[0]);
    expect(fit.messages.at(-1)).toEqual(conversation.at(-1));
    expect(fit.removed).toBeGreaterThan(0);
    expect(fit.estimatedTokens).toBeLessThanOrEqual(300);
  });

  it("never separates a tool call from its results", () => {
    for (let budget = 50; budget < 1200; budget += 25) {
      const kept = trimToFit(conversation, budget).messages;
      const hasCall = kept.some((m) => m.tool_calls?.length);
      const hasResult = kept.some((m) => m.role === "tool");
      expect(hasCall, `budget ${budget}`).toBe(hasResult);
      expect(kept.findIndex((m) => m.role === "tool") - kept.findIndex((m) => m.tool_calls?.length)).toBeLessThanOrEqual(1);
    }
  });

  it("counts tools and images in the estimate", () => {
    const plain: Message[] = [{ role: "user", content: "hi" }];
    const withImage: Message[] = [{ role: "user", content: "hi", images: ["aGk="] }];
    expect(estimateTokens(withImage)).toBeGreaterThan(estimateTokens(plain) + 500);
    const tools = [{ type: "function" as const, function: { name: "t", description: big(350), parameters: {} } }];
    expect(estimateTokens(plain, tools)).toBeGreaterThan(estimateTokens(plain) + 90);
  });

  it("with hard, also drops the earlier steps of the current turn, never the newest step", () => {
    const turn: Message[] = [
      { role: "system", content: "sys" },
      { role: "user", content: "question" },
      { role: "assistant", content: "", tool_calls: [{ id: "a", function: { name: "lookup", arguments: {} } }] },
      { role: "tool", content: big(2000), tool_name: "lookup", tool_call_id: "a" },
      { role: "assistant", content: "", tool_calls: [{ id: "b", function: { name: "lookup", arguments: {} } }] },
      { role: "tool", content: "short", tool_name: "lookup", tool_call_id: "b" },
    ];
    expect(trimToFit(turn, 300).removed).toBe(0);
    const hard = trimToFit(turn, 300, [], { hard: true });
    expect(hard.messages.map((m) => m.tool_call_id ?? m.role)).toEqual(["system", "user", "assistant", "b"]);
    expect(hard.estimatedTokens).toBeLessThanOrEqual(300);
  });
});

describe("estimates of a conversation estimated again", () => {
  it("follow a message edited in place, a tool list grown in place, and match a fresh estimate", () => {
    const message: Message = { role: "user", content: "short" };
    const tools = [{ type: "function" as const, function: { name: "a", description: "A tool", parameters: { type: "object" } } }];
    const first = estimateTokens([message], tools);
    expect(estimateTokens([message], tools)).toBe(first);

    message.content = big(3200);
    message.thinking = big(320);
    message.images = ["aGk="];
    tools.push({ type: "function" as const, function: { name: "b", description: big(640), parameters: { type: "object" } } });
    const fresh = estimateTokens([{ ...message }], [...tools]);
    expect(fresh).toBeGreaterThan(first + 1000);
    expect(estimateTokens([message], tools)).toBe(fresh);

    message.tool_calls = [{ id: "c1", function: { name: "a", arguments: { q: big(320) } } }];
    expect(estimateTokens([message], tools)).toBe(estimateTokens([{ ...message }], [...tools]));
  });
});
