import fs, { type Dirent, type Stats } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { TooManyFilesError } from "../errors/too-many-files-error.js";
import { DEFAULT_IGNORES } from "./default-ignores.js";
import { type FileType, fileTypeOf } from "./file-kind.js";
import { toIndexPath } from "./index-path.js";
import type { LoadSkipReason } from "./load-file.js";
import { describeFileType } from "./read-regular-file.js";

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
 * index), `too-large` (over `maxFileBytes`), `unreadable`, `not-regular` (a FIFO, socket or
 * device), `outside` (a symbolic link that leaves the synced folder), `system-folder` (under
 * /proc, /sys or /dev), `too-deep` (a folder below `maxDepth`). Found while loading: `binary`,
 * `empty`, `invalid`, `not-regular`, `too-large`, `too-many-pages`, `too-much-text`,
 * `timeout`, `out-of-memory`, `loader-crashed` (see `LoadLimits`).
 */
export type SkipReason = "unsupported" | "outside" | "system-folder" | "too-deep" | LoadSkipReason;

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
  /** Follow symbolic links that lead out of the synced folder. Default false. /proc, /sys and /dev are never entered. */
  followExternalSymlinks?: boolean;
  /** Folders nested deeper than this below a synced folder are skipped. Default 32. */
  maxDepth?: number;
  /** More files and folders than this under the synced paths stop the sync (TooManyFilesError). Default 100,000. */
  maxFiles?: number;
}

/** Defaults of the walk's bounds. */
export const DEFAULT_MAX_DEPTH = 32;
export const DEFAULT_MAX_FILES = 100_000;

/** Never walked or read, even through an allowed link: their files are the system's, not documents. */
const SYSTEM_FOLDERS = process.platform === "win32" ? [] : ["/proc", "/sys", "/dev"];

interface Scope {
  dir: string;
  rules: Ignore;
  /**
   * When every rule that can match a file is a plain name pattern, whether a file's name matches
   * one: tested for each file instead of `rules` (one regular expression instead of the rules'
   * path checks, parent look-ups and cache, several times faster over many files).
   */
  fileName?: (name: string) => boolean;
}

/** A name pattern whose meaning is the same in .gitignore and in picomatch: no slash, escape, brace, bracket, extglob or `**`. */
const PLAIN_NAME = /^(?=.)[^/\\{}()[\]+@!#\s*]*(?:\*[^/\\{}()[\]+@!\s*]+)*\*?$/;

/**
 * The scope of a list of patterns (the default ignores and the `ignore` option). Patterns ending
 * in `/` match folders only; a file's folders were tested when the walk entered them, so a file
 * is ignored when its name matches one of the other patterns. Those are compiled into one
 * matcher when they are all plain names and nothing is negated (with a `!` rule the order of all
 * rules matters); else files are tested against every rule.
 */
export function patternScope(dir: string, patterns: readonly string[]): Scope {
  const rules = ignore().add([...patterns]);
  const forFiles = patterns.filter((pattern) => !pattern.endsWith("/"));
  const plain = patterns.every((pattern) =>
    pattern.endsWith("/") ? !pattern.includes("\\") && !pattern.startsWith("!") && !/\s/.test(pattern) : PLAIN_NAME.test(pattern),
  );
  if (!plain) return { dir, rules };
  if (!forFiles.length) return { dir, rules, fileName: () => false };
  const match = picomatch(forFiles, { dot: true, nocase: true });
  return { dir, rules, fileName: (name) => match(name) };
}

/**
 * Walks the given files and folders. Folders are walked depth first in name order. Symbolic
 * links are followed while they stay inside the synced folder they were found in (all of them
 * with `followExternalSymlinks`, except into /proc, /sys and /dev), and each real folder is
 * entered once, so link loops end. FIFOs, sockets and devices are skipped without being opened.
 * Throws `TooManyFilesError` past `maxFiles`.
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
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  let where = "";
  // Every file and folder found counts, indexed or not, so a walk of a huge tree ends early.
  const count = () => {
    if (files.length + skipped.length + visited.size > maxFiles) throw new TooManyFilesError(maxFiles, where);
  };
  const skip = (entry: SkippedFile) => {
    skipped.push(entry);
    count();
  };

  // Only paths named more than once (one inside another) can reach a file twice: a folder is entered once.
  const dedupe = roots.length > 1;
  const addFile = (absolutePath: string, indexPath: string, stats: Stats, known?: FileType) => {
    if (dedupe) {
      if (seenFiles.has(indexPath)) return;
      seenFiles.add(indexPath);
    }
    if (include && !include(indexPath)) return;
    if (!stats.isFile())
      return skip({ path: indexPath, reason: "not-regular", detail: `not a regular file but ${describeFileType(stats)}` });
    const type = known ?? fileTypeOf(path.basename(absolutePath));
    if (!type) return skip({ path: indexPath, reason: "unsupported" });
    if (stats.size > options.maxFileBytes) {
      return skip({ path: indexPath, reason: "too-large", detail: `${stats.size} bytes > ${options.maxFileBytes}` });
    }
    files.push({ absolutePath, path: indexPath, size: stats.size, mtimeMs: stats.mtimeMs, type });
    count();
  };

  // `indexDir` is the folder's index path ("" for the base); `known` its real path when it is
  // already known (saves a realpath call per folder); `boundary` the real path of the synced
  // folder it belongs to; `depth` how far below it the folder is.
  const walk = async (dir: string, indexDir: string, scopes: Scope[], boundary: string, depth: number, known?: string) => {
    let real: string;
    try {
      real = known ?? fs.realpathSync.native(dir);
    } catch (error) {
      return skip({ path: indexDir || dir, reason: "unreadable", detail: String(error) });
    }
    if (isSystemPath(real)) return skip({ path: indexDir || dir, reason: "system-folder", detail: systemDetail(real) });
    if (visited.has(real) || exclude.has(real)) return;
    if (depth > maxDepth) {
      return skip({
        path: indexDir || dir,
        reason: "too-deep",
        detail: `more than ${maxDepth} folders deep (the maxDepth limit); raise it with the sync option maxDepth`,
      });
    }
    visited.add(real);
    count();
    // Synchronous calls are several times faster than the thread pool for a walk; yield now
    // and then so a server's event loop stays responsive during a big scan.
    if (visited.size % 128 === 0) await new Promise((resolve) => setImmediate(resolve));
    let entries: Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      return skip({ path: indexDir || dir, reason: "unreadable", detail: String(error) });
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
    // `dir` is normalised (path.resolve, path.join) and a name holds no separator: joining is concatenating.
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const indexPrefix = indexDir ? `${indexDir}/` : "";
    for (const entry of entries) {
      const name = entry.name;
      const absolutePath = prefix + name;
      const indexPath = indexPrefix + name;
      if (entry.isDirectory()) {
        if (!isIgnored(here, absolutePath, true))
          await walk(absolutePath, indexPath, here, boundary, depth + 1, path.join(real, entry.name));
        continue;
      }
      const type = entry.isFile() ? fileTypeOf(name) : undefined;
      if (entry.isFile() && (!type || (include && !include(indexPath)))) {
        // Not indexed anyway: no stat needed (this keeps walks of big trees fast).
        if ((!include || include(indexPath)) && !isIgnored(here, absolutePath, false)) skip({ path: indexPath, reason: "unsupported" });
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) {
        // A FIFO, socket or device: reported, never opened (opening a FIFO can block for good).
        if ((!include || include(indexPath)) && !isIgnored(here, absolutePath, false)) {
          skip({ path: indexPath, reason: "not-regular", detail: `not a regular file but ${describeFileType(entry)}` });
        }
        continue;
      }
      let target: string | undefined;
      if (entry.isSymbolicLink()) {
        // Where the link really leads decides whether it is followed, before anything is read there.
        try {
          target = fs.realpathSync.native(absolutePath);
        } catch (error) {
          if (!isIgnored(here, absolutePath, false)) skip({ path: indexPath, reason: "unreadable", detail: String(error) });
          continue;
        }
        const refusal = isSystemPath(target)
          ? ({ reason: "system-folder", detail: systemDetail(target) } as const)
          : !options.followExternalSymlinks && !isUnder(boundary, target)
            ? ({
                reason: "outside",
                detail: `a symbolic link to ${target}, outside the synced folder ${boundary}; sync that path itself, or pass followExternalSymlinks: true`,
              } as const)
            : undefined;
        if (refusal) {
          if (!isIgnored(here, absolutePath, false)) skip({ path: indexPath, ...refusal });
          continue;
        }
      }
      let stats: Stats;
      try {
        stats = fs.statSync(absolutePath);
      } catch (error) {
        skip({ path: indexPath, reason: "unreadable", detail: String(error) });
        continue;
      }
      const isDir = stats.isDirectory();
      if (isIgnored(here, absolutePath, isDir, name)) continue;
      if (isDir) await walk(absolutePath, indexPath, here, boundary, depth + 1, target);
      else addFile(absolutePath, indexPath, stats, type);
    }
  };

  for (const root of roots) {
    const absolute = path.resolve(options.base, root);
    const rootIndexPath = path.relative(options.base, absolute) === "" ? "" : toIndexPath(options.base, absolute);
    where = root;
    let stats: Stats;
    let real: string;
    try {
      stats = fs.statSync(absolute);
      real = fs.realpathSync.native(absolute);
    } catch (error) {
      skip({ path: rootIndexPath || absolute, reason: "unreadable", detail: String(error) });
      continue;
    }
    // A path named in the sync is followed wherever it leads, but never into the system's folders.
    if (isSystemPath(real)) {
      skip({ path: rootIndexPath || absolute, reason: "system-folder", detail: systemDetail(real) });
      continue;
    }
    if (!stats.isDirectory()) {
      addFile(absolute, toIndexPath(options.base, absolute), stats);
      continue;
    }
    const patterns = [...(options.defaultIgnores !== false ? DEFAULT_IGNORES : []), ...(options.ignore ?? [])];
    await walk(absolute, rootIndexPath, patterns.length ? [patternScope(absolute, patterns)] : [], real, 0, real);
  }
  return { files, skipped };
}

function isUnder(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === "" || (relative.split(path.sep)[0] !== ".." && !path.isAbsolute(relative));
}

function isSystemPath(real: string): boolean {
  return SYSTEM_FOLDERS.some((folder) => real === folder || real.startsWith(`${folder}/`));
}

function systemDetail(real: string): string {
  return `${real} is in ${SYSTEM_FOLDERS.join(", ")}, which are never indexed`;
}

/** Whether a rule ignores the path; `name` is its last part when the caller has it at hand. */
function isIgnored(scopes: Scope[], absolutePath: string, isDir: boolean, name?: string): boolean {
  for (const scope of scopes) {
    // A file's name is all a plain-name scope looks at.
    if (!isDir && scope.fileName && name !== undefined) {
      if (scope.fileName(name)) return true;
      continue;
    }
    // Paths are built with path.join from the scope's folder, so it is a prefix.
    let relative = absolutePath.slice(scope.dir.length + 1);
    if (path.sep !== "/") relative = relative.split(path.sep).join("/");
    if (!relative) continue;
    if (isDir) {
      if (scope.rules.ignores(`${relative}/`)) return true;
    } else if (scope.fileName ? scope.fileName(path.basename(relative)) : scope.rules.ignores(relative)) return true;
  }
  return false;
}
