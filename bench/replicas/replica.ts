// One replica: the real `corral serve` (apps/cli's built binary) as a child process in a folder of
// its own, with the environment docs/deploy.md lists.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

const corralBin = new URL("../../apps/cli/bin/corral.js", import.meta.url).pathname;

/** A running replica. */
export interface Replica {
  child: ChildProcess;
  url: string;
  port: number;
  /** User + system CPU seconds the process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts `corral serve --port <port>` in `dir` with `config` as its corral.config.json and `env` added. */
export async function startReplica(dir: string, port: number, config: unknown, env: Record<string, string>): Promise<Replica> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "corral.config.json"), JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [corralBin, "serve", "--port", String(port)], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica on ${port} did not start within 60 s`)), 60_000);
    lines.on("line", (line) => {
      const match = /^Listening on (\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`replica on ${port} exited with ${code}`)));
  });
  return {
    child,
    url,
    port,
    cpuSeconds() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
