// A second process for the rebuild test: rebuilds the index at <dir> from <folder> under <root>.
import { openIndex } from "../index/open-index.js";
import { HashEmbedder } from "./hash-embedder.js";

const [dir, root, folder] = process.argv.slice(2) as [string, string, string];
const index = await openIndex({ dir, root, embedder: new HashEmbedder(), rebuild: true });
const report = await index.sync([folder]);
await index.close();
process.stdout.write(`${JSON.stringify({ added: report.added })}\n`);
