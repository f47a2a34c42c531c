// For the embedder's test: embeds a query and two passages through Ollama at argv[2] (a fake), then
// prints whether this process loaded Node's fetch implementation (undici) on the way.
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";

const embedder = createOllamaEmbedder({ model: "all-minilm", host: process.argv[2] });
const query = await embedder.embedQuery("how are keys rotated");
const passages = await embedder.embedDocuments(["Rotate the keys.", "Every 90 days."]);
// Node's list of the built-in modules it loaded (not in @types/node).
const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
const undici = loaded.some((name) => name.includes("undici"));
process.stdout.write(`${JSON.stringify({ dimensions: query.length, passages: passages.length, undici })}\n`);
