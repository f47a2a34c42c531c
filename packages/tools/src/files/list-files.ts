import { realpath } from "node:fs/promises";
import path from "node:path";
import { glob } from "tinyglobby";
import { ToolRefusedError } from "../shared/tool-refused-error.js";
import type { RootGuard } from "./root-guard.js";

/** Refuses glob patterns that could reach outside the folder they are matched in. */
export function checkGlob(pattern: string, toolName: string): void {
  const refuse = (why: string) => new ToolRefusedError(toolName, `Refused pattern "${pattern.slice(0, 200)}": ${why}`);
  if (pattern.length === 0) throw refuse('it is empty; use "**/*" for every file.');
  if (pattern.length > 1000) throw refuse("it is longer than 1000 characters.");
  if (pattern.includes("\0")) throw refuse("it contains a NUL byte.");
  if (/%(?:2e|2f|5c|00)/i.test(pattern)) throw refuse("it contains a percent-encoded dot, slash or NUL.");
  if (path.isAbsolute(pattern) || pattern.startsWith("~"))
    throw refuse("patterns are relative to the folder searched; drop the leading / or ~.");
  // Any "..", not only a whole segment: brace expansion ("{..,a}/x") can build one.
  if (pattern.includes("..")) throw refuse('".." is not allowed in patterns.');
}

/** What `listFiles` found: reachable files, and how many matches were withheld as hidden or protected. */
export interface ListedFiles {
  /** Real paths inside the root, sorted. */
  files: string[];
  /** Matches left out because they (or their real path) are hidden or protected. */
  withheld: number;
}

/**
 * Files (not folders) under `folder` (a real path inside the root) matching `pattern`, as real
 * paths, sorted. Symbolic links are not followed while walking; a file whose real path leaves
 * the root is dropped, and one that is hidden or protected (as found or as resolved) is withheld.
 */
export async function listFiles(
  guard: RootGuard,
  folder: string,
  pattern: string,
  options: { ignore: string[]; signal: AbortSignal; dot?: boolean },
): Promise<ListedFiles> {
  const found = await glob(pattern, {
    cwd: folder,
    absolute: true,
    onlyFiles: true,
    dot: options.dot ?? false,
    followSymbolicLinks: false,
    expandDirectories: false,
    ignore: options.ignore,
    signal: options.signal,
  });
  const files: string[] = [];
  let withheld = 0;
  for (const match of found.map((file) => path.resolve(file))) {
    if (!guard.contains(match)) continue;
    const real = await realpath(match).catch(() => undefined);
    if (real === undefined || !guard.contains(real)) continue;
    if (guard.refusal(match) || guard.refusal(real)) {
      withheld++;
      continue;
    }
    files.push(real);
  }
  return { files: [...new Set(files)].sort(), withheld };
}
