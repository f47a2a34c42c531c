import { spawn } from "node:child_process";

/** What a finished child process printed. */
export interface ChildResult {
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  ms: number;
}

/**
 * Runs a command to its end and times it; rejects when it fails (exit code not 0), with its
 * stderr, so a benchmark never times a process that only printed an error.
 */
export function runTimed(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("error", reject);
    child.once("close", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ stdout, stderr, ms });
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${stderr || stdout}`));
    });
  });
}
