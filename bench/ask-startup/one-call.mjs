// The baseline of the ask-startup benchmark: a one-call script (Node start-up, the ollama client,
// one streamed chat call) that prints the answer, as `corral ask` does.
import { Ollama } from "ollama";

const [host, model, question] = process.argv.slice(2);
const stream = await new Ollama({ host }).chat({ model, messages: [{ role: "user", content: question }], stream: true });
for await (const part of stream) process.stdout.write(part.message.content);
process.stdout.write("\n");
