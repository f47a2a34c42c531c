// Run in a child process by ollama-http-request.test.ts, with NODE_EXTRA_CA_CERTS naming the test
// certificate (Node reads it only at start-up): one streamed chat through the transport to the
// https address in argv[2]; prints the answer's text, or the error's code and message.
import { createOllamaTransport } from "../ollama/ollama-transport.js";

const transport = createOllamaTransport({ host: process.argv[2], retries: 0 });
try {
  let text = "";
  const chunks = transport.stream({ model: "qwen3:4b" }, (client) =>
    client.chat({ model: "qwen3:4b", messages: [{ role: "user", content: "over tls" }], stream: true }),
  );
  for await (const chunk of chunks) text += chunk.message.content;
  process.stdout.write(JSON.stringify({ text }));
} catch (error) {
  process.stdout.write(JSON.stringify({ code: (error as { code?: string }).code, message: (error as Error).message }));
}
