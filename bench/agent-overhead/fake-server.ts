// The fake Ollama of bench/agent-overhead in a process of its own, so the benchmark's CPU time is the
// clients' alone: it prints its URL, then serves until SIGTERM.
import { startFakeOllama } from "@corral/testkit";
import { script } from "./script.js";

const fake = await startFakeOllama({ chat: script });
process.stdout.write(`${fake.url}\n`);
process.once("SIGTERM", () => {
  void fake.close().then(() => process.exit(0));
});
