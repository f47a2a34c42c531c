// A real Markdown corpus found on any machine with the project installed: the READMEs, change
// logs and docs (*.md) of the packages in the repository's node_modules/.pnpm (its own
// dependencies), one copy per distinct content, copied to bench/.cache/markdown-corpus/<package>@<version>/<path>
// (copies, not pnpm's hard links, which corral does not follow by default). The list is sorted,
// so `limit` takes the same files on every run of one install.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CACHE_DIR } from "./search-corpus.js";

const repo = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const MAX_BYTES = 2 * 1024 * 1024;

/** The corpus folder and what is in it. */
export interface MarkdownCorpus {
  dir: string;
  files: number;
  bytes: number;
  packages: number;
}

function packageFolders(): string[] {
  const store = path.join(repo, "node_modules", ".pnpm");
  const folders: string[] = [];
  for (const entry of fs.readdirSync(store, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === "node_modules") continue;
    const modules = path.join(store, entry.name, "node_modules");
    if (!fs.existsSync(modules)) continue;
    for (const name of fs.readdirSync(modules)) {
      const folder = path.join(modules, name);
      if (name.startsWith("@")) for (const scoped of fs.readdirSync(folder)) folders.push(path.join(folder, scoped));
      else folders.push(folder);
    }
  }
  // A package folder of .pnpm/<x>/node_modules that is a link points at another entry: skip it.
  return folders.filter((folder) => !fs.lstatSync(folder).isSymbolicLink()).sort();
}

function markdownUnder(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith(".md")) found.push(file);
    }
  };
  walk(folder);
  return found.sort();
}

/** Copies the corpus (at most `limit` files) into bench/.cache/markdown-corpus, afresh. */
export function markdownCorpus(limit = Number.POSITIVE_INFINITY): MarkdownCorpus {
  const dir = path.join(CACHE_DIR, "markdown-corpus");
  fs.rmSync(dir, { recursive: true, force: true });
  const seen = new Set<string>();
  const packages = new Set<string>();
  let files = 0;
  let bytes = 0;
  for (const folder of packageFolders()) {
    if (files >= limit) break;
    let id = path.basename(folder);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8")) as { name: string; version: string };
      id = `${manifest.name.replace("/", "+")}@${manifest.version}`;
    } catch {}
    for (const file of markdownUnder(folder)) {
      if (files >= limit) break;
      const content = fs.readFileSync(file);
      if (content.length === 0 || content.length > MAX_BYTES) continue;
      const digest = createHash("sha1").update(content).digest("hex");
      if (seen.has(digest)) continue;
      seen.add(digest);
      const target = path.join(dir, id, path.relative(folder, file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
      packages.add(id);
      files++;
      bytes += content.length;
    }
  }
  return { dir, files, bytes, packages: packages.size };
}
