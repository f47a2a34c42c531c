import type { PathAccessOptions } from "./path-access.js";

/** Options of `createFileTools`. */
export interface FileToolsOptions extends PathAccessOptions {
  /** The folder the tools are confined to. Every path the model gives is resolved inside it. */
  root: string;
  /** Adds `write_file` and `edit_file`. Default false: the tools are read-only. */
  allowWrite?: boolean;
  /** Largest file `read_file` and `edit_file` open, in bytes. Default 2 MiB. */
  maxFileBytes?: number;
  /** Characters of output handed to the model before it is truncated with a note. Default 20,000. */
  maxOutputChars?: number;
  /** Entries `list_dir` and `find_files` return at most. Default 500. */
  maxEntries?: number;
  /** Globs `find_files` and `search_text` skip. Default `**\/node_modules/**` and `**\/.git/**`. */
  ignore?: string[];
  /** Limits of `search_text`. */
  search?: SearchLimits;
  /** Time limit of each call in milliseconds. Default 30,000. */
  timeoutMs?: number;
  /**
   * Read files that have more than one hard link. Default false: a hard link inside the root
   * can be a file from anywhere on the same file system, so such files are refused.
   */
  allowHardLinks?: boolean;
}

/** Limits of `search_text`. */
export interface SearchLimits {
  /** Matches returned at most. Default 200. */
  maxMatches?: number;
  /** Files larger than this are skipped, in bytes. Default 1 MiB. */
  maxFileBytes?: number;
  /** Files searched at most. Default 5,000. */
  maxFiles?: number;
  /** Time budget for one file; a regular expression that takes longer is stopped and the file skipped. Default 1,000 ms. */
  perFileTimeoutMs?: number;
  /** Time budget for the whole search. Default 10,000 ms. */
  timeoutMs?: number;
}

/** The options with their defaults filled in. */
export interface ResolvedFileToolsOptions {
  allowWrite: boolean;
  allowHardLinks: boolean;
  maxFileBytes: number;
  maxOutputChars: number;
  maxEntries: number;
  ignore: string[];
  search: Required<SearchLimits>;
  timeoutMs: number;
}

/** Fills in defaults and checks the numbers. */
export function resolveFileToolsOptions(options: FileToolsOptions): ResolvedFileToolsOptions {
  const search = options.search ?? {};
  const resolved: ResolvedFileToolsOptions = {
    allowWrite: options.allowWrite ?? false,
    allowHardLinks: options.allowHardLinks ?? false,
    maxFileBytes: options.maxFileBytes ?? 2 * 1024 * 1024,
    maxOutputChars: options.maxOutputChars ?? 20_000,
    maxEntries: options.maxEntries ?? 500,
    ignore: options.ignore ?? ["**/node_modules/**", "**/.git/**"],
    search: {
      maxMatches: search.maxMatches ?? 200,
      maxFileBytes: search.maxFileBytes ?? 1024 * 1024,
      maxFiles: search.maxFiles ?? 5000,
      perFileTimeoutMs: search.perFileTimeoutMs ?? 1000,
      timeoutMs: search.timeoutMs ?? 10_000,
    },
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  const numbers = [...Object.entries(resolved), ...Object.entries(resolved.search).map(([name, value]) => [`search.${name}`, value])];
  for (const [name, value] of numbers) {
    if (typeof value === "number" && !(Number.isFinite(value) && value > 0)) {
      throw new TypeError(`File tools option "${name}" must be a positive number, got ${value}.`);
    }
  }
  return resolved;
}
