// A writer process for the crash test: syncs `docs` under <root> into <dir>, embedding through <host>.
import { createOllamaEmbedder } from "../embed/ollama-embedder.js";
import { openIndex } from "../index/open-index.js";

const [dir, root, host] = process.argv.slice(2) as [string, string, string];
const index = await openIndex({ dir, root, embedder: createOllamaEmbedder({ model: "all-minilm", host, batchSize: 8, concurrency: 1 }) });
process.stdout.write("opened\n");
await index.sync(["docs"]);
process.stdout.write("done\n");
