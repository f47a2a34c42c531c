import fs, { type Dirent, type Stats } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { DEFAULT_IGNORES } from "./default-ignores.js";
import { type FileType, fileTypeOf } from "./file-kind.js";
import { toIndexPath } from "./index-path.js";
import type { LoadSkipReason } from "./load-file.js";

/** A file to index. */
export interface DiscoveredFile {
  absolutePath: string;
  /** The path stored in the index (see `toIndexPath`). */
  path: string;
  size: number;
  mtimeMs: number;
  type: FileType;
}

/**
 * Why a file was not indexed. Found while walking: `unsupported` (a kind corral does not
 * index), `too-large` (over `maxFileBytes`), `unreadable`. Found while loading: `binary`,
 * `empty`, `invalid`, `not-regular`, `too-large`, `too-many-pages`, `too-much-text`,
 * `timeout`, `out-of-memory`, `loader-crashed` (see `LoadLimits`).
 */
export type SkipReason = "unsupported" | LoadSkipReason;

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

  const addFile = (absolutePath: string, indexPath: string, stats: Stats) => {
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

  // `indexDir` is the folder's index path ("" for the base); `known` its real path when its
  // parent's real path is known and it is no link (saves a realpath call per folder).
  const walk = async (dir: string, indexDir: string, scopes: Scope[], known?: string) => {
    let real: string;
    try {
      real = known ?? fs.realpathSync.native(dir);
    } catch (error) {
      return void skipped.push({ path: indexDir || dir, reason: "unreadable", detail: String(error) });
    }
    if (visited.has(real) || exclude.has(real)) return;
    visited.add(real);
    // Synchronous calls are several times faster than the thread pool for a walk; yield now
    // and then so a server's event loop stays responsive during a big scan.
    if (visited.size % 128 === 0) await new Promise((resolve) => setImmediate(resolve));
    let entries: Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      return void skipped.push({ path: indexDir || dir, reason: "unreadable", detail: String(error) });
    }
    let here = scopes;
    if (options.gitignore !== false && entries.some((entry) => entry.name === ".gitignore")) {
      try {
        const rules = ignore().add(fs.readFileSync(path.join(dir, ".gitignore"), "utf8"));
        here = [...scopes, { dir, rules }];
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolutePath = path.join(dir, entry.name);
      const indexPath = indexDir ? `${indexDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!isIgnored(here, absolutePath, true)) await walk(absolutePath, indexPath, here, path.join(real, entry.name));
        continue;
      }
      if (entry.isFile() && (!fileTypeOf(entry.name) || (include && !include(indexPath)))) {
        // Not indexed anyway: no stat needed (this keeps walks of big trees fast).
        if ((!include || include(indexPath)) && !isIgnored(here, absolutePath, false)) {
          skipped.push({ path: indexPath, reason: "unsupported" });
        }
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      let stats: Stats;
      try {
        stats = fs.statSync(absolutePath);
      } catch (error) {
        skipped.push({ path: indexPath, reason: "unreadable", detail: String(error) });
        continue;
      }
      const isDir = stats.isDirectory();
      if (isIgnored(here, absolutePath, isDir)) continue;
      if (isDir) await walk(absolutePath, indexPath, here);
      else if (stats.isFile()) addFile(absolutePath, indexPath, stats);
    }
  };

  for (const root of roots) {
    const absolute = path.resolve(options.base, root);
    const rootIndexPath = path.relative(options.base, absolute) === "" ? "" : toIndexPath(options.base, absolute);
    let stats: Stats;
    try {
      stats = fs.statSync(absolute);
    } catch (error) {
      skipped.push({ path: rootIndexPath || absolute, reason: "unreadable", detail: String(error) });
      continue;
    }
    if (stats.isFile()) {
      addFile(absolute, toIndexPath(options.base, absolute), stats);
      continue;
    }
    const patterns = [...(options.defaultIgnores !== false ? DEFAULT_IGNORES : []), ...(options.ignore ?? [])];
    await walk(absolute, rootIndexPath, patterns.length ? [{ dir: absolute, rules: ignore().add(patterns) }] : []);
  }
  return { files, skipped };
}

function isIgnored(scopes: Scope[], absolutePath: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    // Paths are built with path.join from the scope's folder, so it is a prefix.
    let relative = absolutePath.slice(scope.dir.length + 1);
    if (path.sep !== "/") relative = relative.split(path.sep).join("/");
    if (!relative) continue;
    if (scope.rules.ignores(isDir ? `${relative}/` : relative)) return true;
  }
  return false;
}
