import { realpathSync } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import { createPathAccess, type PathAccessOptions } from "./path-access.js";

/** A path checked against the root: where it is on disk and how to show it to the model. */
export interface GuardedPath {
  /** The absolute real path (symlinks resolved), inside the root. */
  absolute: string;
  /** The path relative to the root, with `/` separators (`.` for the root itself). */
  relative: string;
  /** False when nothing exists at the path yet (only allowed with `allowMissing`). */
  exists: boolean;
}

/** Confines paths given by a model to one folder. */
export interface RootGuard {
  /** The real path of the root. */
  readonly root: string;
  /**
   * Checks a model-supplied path and resolves it inside the root. Refuses NUL bytes, encoded
   * separators, `..` segments, absolute paths outside the root, symlinks that lead outside,
   * and hidden or protected paths (as given and as resolved) that the access options do not allow.
   */
  resolve(userPath: string, options: { toolName: string; allowMissing?: boolean }): Promise<GuardedPath>;
  /** True when an absolute real path lies inside the root. */
  contains(realPath: string): boolean;
  /** Why an absolute path inside the root is out of reach (hidden, protected), or undefined. */
  refusal(absolutePath: string): string | undefined;
  /** An absolute path inside the root shown relative to it. */
  display(absolutePath: string): string;
}

const ENCODED = /%(?:2e|2f|5c|00)/i;
const MAX_PATH_CHARS = 4096;

/**
 * Creates the guard for `root`; the root must be an existing folder. `access` decides about
 * hidden and protected paths (see `createPathAccess`); without it, everything inside the root is reachable.
 */
export function createRootGuard(rootPath: string, access?: PathAccessOptions): RootGuard {
  const policy = access ? createPathAccess(access) : undefined;
  let root: string;
  try {
    root = realpathSync(path.resolve(rootPath));
  } catch (error) {
    throw new TypeError(`The tools root "${rootPath}" does not exist: create it or pass another root.`, { cause: error });
  }
  const contains = (candidate: string) => candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  const display = (absolutePath: string) => {
    const relative = path.relative(root, absolutePath);
    return relative === "" ? "." : relative.split(path.sep).join("/");
  };
  const refusal = (absolutePath: string) => policy?.refusal(display(absolutePath));

  async function resolve(userPath: string, options: { toolName: string; allowMissing?: boolean }): Promise<GuardedPath> {
    const refuse = (why: string) => new ToolRefusedError(options.toolName, `Refused path "${printable(userPath)}": ${why}`);
    if (typeof userPath !== "string" || userPath.length === 0) throw refuse('the path is empty; use "." for the root folder.');
    if (userPath.length > MAX_PATH_CHARS) throw refuse(`the path is longer than ${MAX_PATH_CHARS} characters.`);
    if (userPath.includes("\0")) throw refuse("it contains a NUL byte.");
    if (ENCODED.test(userPath)) throw refuse("it contains a percent-encoded dot, slash or NUL; give the plain path.");
    const segments = userPath.split(/[\\/]+/);
    if (segments.includes("..")) throw refuse('".." is not allowed; give a path inside the root folder.');

    const lexical = path.resolve(root, userPath);
    if (!contains(lexical)) throw refuse("it is outside the root folder; give a path relative to the root.");
    const hiddenAsGiven = refusal(lexical);
    if (hiddenAsGiven) throw refuse(hiddenAsGiven);

    // Resolve symlinks: the path itself when it exists, else its nearest existing ancestor.
    let existing = lexical;
    const missing: string[] = [];
    for (;;) {
      try {
        await lstat(existing);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        if (existing === root) throw refuse("the root folder no longer exists.");
        missing.unshift(path.basename(existing));
        existing = path.dirname(existing);
      }
    }
    let real: string;
    try {
      real = await realpath(existing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ELOOP") throw refuse("it is a broken or looping symbolic link.");
      throw error;
    }
    if (!contains(real)) throw refuse("it leads outside the root folder through a symbolic link.");
    if (missing.length > 0 && !options.allowMissing) {
      throw new ToolRefusedError(
        options.toolName,
        `No such file or folder: "${printable(userPath)}". Use list_dir or find_files to see what exists.`,
      );
    }
    const absolute = path.join(real, ...missing);
    // A symlink with an innocent name may lead to a hidden or protected file.
    const hiddenResolved = refusal(absolute);
    if (hiddenResolved) throw refuse(hiddenResolved);
    return { absolute, relative: display(absolute), exists: missing.length === 0 };
  }

  return { root, resolve, contains, display, refusal };
}

function printable(value: unknown): string {
  const text = String(value).replace(/\0/g, "\\0");
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
