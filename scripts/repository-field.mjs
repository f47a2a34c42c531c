// The `repository` field of a packed package.json: the project's public git address and the
// package's folder in it. The address comes from CORRAL_REPOSITORY_URL, else from the clone's
// `origin` remote; a clone of a local folder has no public address, and then the field is left out.
import { execFileSync } from "node:child_process";

/**
 * Turns a git remote into the `repository.url` npm expects, or undefined when the remote is not a
 * public address (a local path, a file: URL, nothing).
 * @param {string | undefined} remote
 * @returns {string | undefined}
 */
export function repositoryUrl(remote) {
  const url = remote?.trim();
  if (!url) return undefined;
  const scp = /^(?:[\w.-]+@)?([\w.-]+\.[a-z]{2,}):(?!\/)(.+?)(?:\.git)?\/?$/i.exec(url);
  if (scp) return `git+https://${scp[1]}/${scp[2]}.git`;
  const web = /^(?:git\+)?(https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+\.[a-z]{2,})(?::\d+)?\/(.+?)(?:\.git)?\/?$/i.exec(url);
  if (web) return `git+https://${web[2]}/${web[3]}.git`;
  return undefined;
}

/**
 * The `repository` field for the package in `directory` (relative to the root, with `/`).
 * @param {string | undefined} remote
 * @param {string} directory
 * @returns {{ type: "git"; url: string; directory: string } | undefined}
 */
export function repositoryField(remote, directory) {
  const url = repositoryUrl(remote);
  return url ? { type: "git", url, directory } : undefined;
}

/**
 * The project's remote: CORRAL_REPOSITORY_URL, else `git remote get-url origin` in `root`.
 * @param {string} root
 * @returns {string | undefined}
 */
export function projectRemote(root) {
  if (process.env.CORRAL_REPOSITORY_URL) return process.env.CORRAL_REPOSITORY_URL;
  try {
    return execFileSync("git", ["remote", "get-url", "origin"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}
