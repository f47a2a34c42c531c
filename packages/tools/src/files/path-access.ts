import picomatch from "picomatch";

/** corral's configuration file, which holds API keys and turns tools on: never reachable by default. */
export const PROTECTED_FILE_NAMES: readonly string[] = ["corral.config.json"];

/** Which paths inside the root the file tools may reach, beyond the root check itself. */
export interface PathAccessOptions {
  /** Dot-files and dot-folders (`.env`, `.git`, `.corral`, ...) are reachable. Default false. */
  allowHidden?: boolean;
  /**
   * Root-relative paths or globs reachable even though they are hidden or protected, e.g.
   * `[".env.example", ".github/**", "corral.config.json"]`. A path is allowed when it, or a
   * folder above it, matches an entry. Default none.
   */
  allowPaths?: readonly string[];
}

/** Decides whether a root-relative path is out of the file tools' reach. */
export interface PathAccess {
  /** Why `relative` (root-relative, `/` separators) is out of reach, or undefined when it may be used. */
  refusal(relative: string): string | undefined;
}

/**
 * Hidden names (a segment starting with ".") and corral's config file are refused unless
 * `allowHidden` or `allowPaths` lets them through.
 */
export function createPathAccess(options: PathAccessOptions = {}): PathAccess {
  const allowHidden = options.allowHidden ?? false;
  const matchers = (options.allowPaths ?? []).map((entry) => {
    if (typeof entry !== "string" || entry.length === 0)
      throw new TypeError(`File tools option "allowPaths" entries must be non-empty strings.`);
    return picomatch(entry.replace(/^\.\//, "").replace(/\/+$/, ""), { dot: true });
  });
  const allowedByPath = (relative: string) => {
    if (matchers.length === 0) return false;
    const segments = relative.split("/");
    // The path itself or any folder above it.
    for (let end = segments.length; end > 0; end--) {
      const prefix = segments.slice(0, end).join("/");
      if (matchers.some((matches) => matches(prefix))) return true;
    }
    return false;
  };
  return {
    refusal(relative) {
      if (relative === "." || relative === "") return undefined;
      const segments = relative.split("/").filter((segment) => segment !== "" && segment !== ".");
      const hidden = segments.find((segment) => segment.startsWith("."));
      const protectedName = segments.find((segment) => PROTECTED_FILE_NAMES.includes(segment.toLowerCase()));
      if (!hidden && !protectedName) return undefined;
      if (allowedByPath(segments.join("/"))) return undefined;
      if (protectedName) {
        return `"${protectedName}" is corral's configuration file and is out of reach of the file tools (the user can allow it with the allowPaths option).`;
      }
      if (allowHidden) return undefined;
      return `hidden files and folders (names starting with ".", such as "${hidden}") are out of reach of the file tools (the user can allow them with the allowHidden or allowPaths option).`;
    },
  };
}
