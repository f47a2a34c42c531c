import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Writes a small docs folder under `root` and returns its path. */
export async function writeDocs(root: string, folder = "docs"): Promise<string> {
  const docs = path.join(root, folder);
  await mkdir(path.join(docs, "guides"), { recursive: true });
  await writeFile(
    path.join(docs, "keys.md"),
    "# API keys\n\nKeys identify clients.\n\n## Rotating keys\n\nTo rotate the API keys, run `corral keys rotate` and restart the server.\nOld keys stop working after one hour.\n",
  );
  await writeFile(
    path.join(docs, "guides", "install.md"),
    "# Installing\n\nInstall Node.js 20, then run `npm install -g corral`.\n\n## Upgrading\n\nRun the same command again to upgrade.\n",
  );
  await writeFile(path.join(docs, "faq.txt"), "Is corral free? Yes, corral is free software under the MIT licence.\n");
  return docs;
}
