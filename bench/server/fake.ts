// A fake Ollama in its own process for the server benchmark. Every chat reply is REPLY_WORDS
// words streamed one word per chunk, one every LATENCY_MS from the stream's start. Prints its URL.
import { startFakeOllama } from "@corral/testkit";

const latency = Number(process.env.LATENCY_MS ?? 0);
const words = Number(process.env.REPLY_WORDS ?? 20);
const content = Array.from({ length: words }, (_, index) => `word${index}`).join(" ");

const fake = await startFakeOllama({
  chat: () => ({ content, promptEvalCount: 20, evalCount: words }),
  // Steady: paced from the stream's start as a GPU generates, so a late wake-up of this process does not push back every later chunk.
  faults: latency > 0 ? [{ type: "latency", ms: latency, steady: true }] : [],
});
process.stdout.write(`${fake.url}\n`);
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
