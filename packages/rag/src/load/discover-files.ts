import type { Dirent, Stats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { DEFAULT_IGNORES } from "./default-ignores.js";
import { type FileType, fileTypeOf } from "./file-kind.js";
import { toIndexPath } from "./index-path.js";

/** A file to index. */
export interface DiscoveredFile {
  absolutePath: string;
  /** The path stored in the index (see `toIndexPath`). */
  path: string;
  size: number;
  mtimeMs: number;
  type: FileType;
}

/** Why a file was not indexed. */
export type SkipReason = "too-large" | "unsupported" | "unreadable" | "binary" | "empty" | "invalid";

/** A file that was found but not indexed. */
export interface SkippedFile {
  path: string;
  reason: SkipReason;
  /** Details, e.g. the error message. */
  detail?: string;
}

/** How files are found. */
export interface DiscoverOptions {
  /** Paths in the index are relative to this folder. */
  base: string;
  /** Folders never entered (the index folder itself). Absolute real paths. */
  exclude: string[];
  /** Extra ignore patterns in .gitignore syntax, relative to each synced folder. */
  ignore?: string[];
  /** Apply DEFAULT_IGNORES (node_modules, .git, build output, ...). Default true. */
  defaultIgnores?: boolean;
  /** Respect .gitignore files found while walking. Default true. */
  gitignore?: boolean;
  /** Only index files whose index path matches one of these globs. */
  include?: string[];
  /** Files larger than this are skipped. */
  maxFileBytes: number;
}

interface Scope {
  dir: string;
  rules: Ignore;
}

/**
 * Walks the given files and folders. Folders are walked depth first in name order; symbolic
 * links are followed, and each real folder is entered once, so link loops end.
 */
export async function discoverFiles(
  roots: string[],
  options: DiscoverOptions,
): Promise<{ files: DiscoveredFile[]; skipped: SkippedFile[] }> {
  const files: DiscoveredFile[] = [];
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>();
  const seenFiles = new Set<string>();
  const exclude = new Set(options.exclude);
  const include = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;

  const addFile = (absolutePath: string, stats: Stats) => {
    const indexPath = toIndexPath(options.base, absolutePath);
    if (seenFiles.has(indexPath)) return;
    seenFiles.add(indexPath);
    if (include && !include(indexPath)) return;
    const type = fileTypeOf(path.basename(absolutePath));
    if (!type) return void skipped.push({ path: indexPath, reason: "unsupported" });
    if (stats.size > options.maxFileBytes) {
      return void skipped.push({ path: indexPath, reason: "too-large", detail: `${stats.size} bytes > ${options.maxFileBytes}` });
    }
    files.push({ absolutePath, path: indexPath, size: stats.size, mtimeMs: stats.mtimeMs, type });
  };

  const walk = async (dir: string, scopes: Scope[]) => {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (error) {
      return void skipped.push({ path: toIndexPath(options.base, dir), reason: "unreadable", detail: String(error) });
    }
    if (visited.has(real) || exclude.has(real)) return;
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      return void skipped.push({ path: toIndexPath(options.base, dir), reason: "unreadable", detail: String(error) });
    }
    let here = scopes;
    if (options.gitignore !== false && entries.some((entry) => entry.name === ".gitignore")) {
      try {
        const rules = ignore().add(await fs.readFile(path.join(dir, ".gitignore"), "utf8"));
        here = [...scopes, { dir, rules }];
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolutePath = path.join(dir, entry.name);
      let stats: Stats;
      try {
        stats = entry.isSymbolicLink() ? await fs.stat(absolutePath) : await fs.lstat(absolutePath);
      } catch (error) {
        skipped.push({ path: toIndexPath(options.base, absolutePath), reason: "unreadable", detail: String(error) });
        continue;
      }
      const isDir = stats.isDirectory();
      if (isIgnored(here, absolutePath, isDir)) continue;
      if (isDir) await walk(absolutePath, here);
      else if (stats.isFile()) addFile(absolutePath, stats);
    }
  };

  for (const root of roots) {
    const absolute = path.resolve(options.base, root);
    let stats: Stats;
    try {
      stats = await fs.stat(absolute);
    } catch (error) {
      skipped.push({ path: toIndexPath(options.base, absolute), reason: "unreadable", detail: String(error) });
      continue;
    }
    if (stats.isFile()) {
      addFile(absolute, stats);
      continue;
    }
    const rules = ignore();
    if (options.defaultIgnores !== false) rules.add([...DEFAULT_IGNORES]);
    if (options.ignore?.length) rules.add(options.ignore);
    await walk(absolute, [{ dir: absolute, rules }]);
  }
  return { files, skipped };
}

function isIgnored(scopes: Scope[], absolutePath: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const relative = path.relative(scope.dir, absolutePath).split(path.sep).join("/");
    if (!relative || relative.startsWith("..")) continue;
    if (scope.rules.ignores(isDir ? `${relative}/` : relative)) return true;
  }
  return false;
}
