// A sync process for the loader lifecycle test: a first sync starts the loader, then the page bomb
// is synced with the page limit lifted, so the loader is busy with it when the test kills this process.
import fs from "node:fs";
import path from "node:path";
import { openIndex } from "../index/open-index.js";
import { HashEmbedder } from "./hash-embedder.js";
import { pageBombPdf } from "./hostile-pdf.js";

const [dir, root] = process.argv.slice(2) as [string, string];
const index = await openIndex({ dir, root, embedder: new HashEmbedder() });
const limits = { loadLimits: { maxPages: 1_000_000, timeoutMs: 600_000 } };
fs.mkdirSync(path.join(root, "docs"), { recursive: true });
fs.writeFileSync(path.join(root, "docs/a.md"), "# A\n\nStarts the loader.\n");
await index.sync(["docs"], limits);
fs.writeFileSync(path.join(root, "docs/bomb.pdf"), pageBombPdf(50_000));
process.stdout.write("loading the bomb\n");
await index.sync(["docs"], limits);
process.stdout.write("done\n");
