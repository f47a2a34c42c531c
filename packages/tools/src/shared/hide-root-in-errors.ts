import path from "node:path";
import type { Tool } from "@corral/core";

/**
 * Wraps a tool so that the errors it throws never show the absolute root folder: every
 * occurrence of a root (as configured and as its real path) in the message becomes a path
 * relative to it (`/home/me/project/docs/a.md` becomes `docs/a.md`, the root itself `.`).
 * The error object is kept (class, `code`, `cause`); only its message is rewritten.
 */
export function hideRootInErrors<T extends Tool>(tool: T, roots: readonly string[]): T {
  const prefixes = [...new Set(roots.map((root) => path.resolve(root)))]
    .filter((root) => root !== path.parse(root).root)
    // Longest first, so /a/b/c is replaced before /a/b.
    .sort((a, b) => b.length - a.length);
  if (prefixes.length === 0) return tool;
  const hide = (text: string) => {
    let result = text;
    for (const root of prefixes) {
      result = result.split(`${root}${path.sep}`).join("").split(root).join(".");
    }
    return result;
  };
  return {
    ...tool,
    async execute(args, context) {
      try {
        return await tool.execute(args, context);
      } catch (error) {
        if (error instanceof Error) {
          error.message = hide(error.message);
          if (typeof error.stack === "string") error.stack = hide(error.stack);
          const fields = error as Error & { path?: unknown; dest?: unknown };
          if (typeof fields.path === "string") fields.path = hide(fields.path);
          if (typeof fields.dest === "string") fields.dest = hide(fields.dest);
        }
        throw error;
      }
    },
  };
}
