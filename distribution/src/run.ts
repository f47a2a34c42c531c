import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What a finished child process said. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to the end (never throws on a non-zero exit), with a generous time limit. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(Object.assign(error, { stdout, stderr }));
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** A temp folder and a function that removes it. */
export async function tempDir(prefix: string, under = tmpdir()): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(under, prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The environment for npm and the installed commands: this one, without what the outer pnpm run set. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|INIT_CWD$|PNPM_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
