import path from "node:path";

/**
 * The path an index stores for a file: relative to the index's base folder with `/`
 * separators, or absolute (with `/`) when the file lies outside it.
 */
export function toIndexPath(base: string, absolutePath: string): string {
  const relative = path.relative(base, absolutePath);
  const outside = relative === "" || relative.startsWith("..") || path.isAbsolute(relative);
  return (outside ? absolutePath : relative).split(path.sep).join("/");
}
