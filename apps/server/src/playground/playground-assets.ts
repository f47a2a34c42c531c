import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** Where `vite build` writes the playground (apps/server/dist/playground-web), from src/ and dist/ alike. */
export const PLAYGROUND_DIR = fileURLToPath(new URL("../../dist/playground-web", import.meta.url));

/** One built file, held in memory with its gzip form. */
export interface PlaygroundAsset {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
}

/** The built playground: its page and its assets by file name. */
export interface PlaygroundBuild {
  html: PlaygroundAsset;
  assets: ReadonlyMap<string, PlaygroundAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".png": "image/png",
};

function asset(file: string): PlaygroundAsset {
  const body = readFileSync(file);
  return {
    contentType: CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
    body,
    gzip: gzipSync(body, { level: 9 }),
  };
}

/**
 * Reads the built playground into memory (it is small and its file names carry content hashes),
 * or returns undefined when it was not built (`pnpm build` builds it).
 */
export function loadPlayground(dir: string = PLAYGROUND_DIR): PlaygroundBuild | undefined {
  const index = path.join(dir, "index.html");
  if (!existsSync(index)) return undefined;
  const assets = new Map<string, PlaygroundAsset>();
  const assetsDir = path.join(dir, "assets");
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      if (name.endsWith(".map")) continue;
      assets.set(name, asset(path.join(assetsDir, name)));
    }
  }
  return { html: asset(index), assets };
}
