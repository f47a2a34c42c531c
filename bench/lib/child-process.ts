import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** What a finished child process printed. */
export interface ChildResult {
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms. */
  ms: number;
  /** Its peak resident memory in MiB, when it was started with {@link PEAK_RSS_FLAGS}. */
  peakRssMiB?: number;
}

/** Node flags that make a process print its peak resident memory on exit (read back by {@link runTimed}). */
export const PEAK_RSS_FLAGS = [
  "--import",
  `data:text/javascript,process.on("exit",()=>process.stderr.write("\\nbench-peak-rss-kib "+process.resourceUsage().maxRSS+"\\n"))`,
];

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
      const rss = /bench-peak-rss-kib (\d+)/.exec(stderr)?.[1];
      if (code === 0) resolve({ stdout, stderr, ms, ...(rss ? { peakRssMiB: Number(rss) / 1024 } : {}) });
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${stderr || stdout}`));
    });
  });
}

/** A long-running child that printed its URL. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Stops it (SIGTERM) and waits for its exit. */
  stop(): Promise<void>;
}

/** Starts a TypeScript file (through tsx) that prints its URL on its first stdout line, and waits for that line. */
export async function startServerProcess(script: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    child,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
