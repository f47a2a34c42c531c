import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

/** Where Debian's PostgreSQL 15 puts its server binaries. */
export const DEFAULT_POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";

/** A PostgreSQL server a test talks to over TCP on 127.0.0.1. */
export interface TestPostgresServer {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`: trust authentication, no password. */
  readonly url: string;
  readonly port: number;
  /** A fresh, empty database on this server; resolves its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes everything it wrote. Idempotent. */
  stop(): Promise<void>;
}

/** Whether a throwaway cluster can be started here, and if not, why. */
export type ClusterAvailability = { available: true; binDir: string } | { available: false; reason: string };

/** The uid and gid of the `postgres` system user, or undefined when there is none. */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

const isRoot = () => process.getuid?.() === 0;

/**
 * Whether `startPostgresCluster` can run: the server binaries exist (`CORRAL_POSTGRES_BIN_DIR`,
 * default {@link DEFAULT_POSTGRES_BIN_DIR}) and, as root (initdb refuses to run as root), a
 * `postgres` user exists to run them as.
 */
export function postgresClusterAvailability(binDir = process.env.CORRAL_POSTGRES_BIN_DIR ?? DEFAULT_POSTGRES_BIN_DIR): ClusterAvailability {
  for (const name of ["initdb", "pg_ctl", "postgres"]) {
    if (!existsSync(join(binDir, name))) {
      return {
        available: false,
        reason: `no PostgreSQL server binaries: ${join(binDir, name)} is missing (install PostgreSQL 15, or set CORRAL_POSTGRES_BIN_DIR)`,
      };
    }
  }
  if (isRoot() && !postgresUser()) {
    return { available: false, reason: "running as root and there is no `postgres` user to run initdb as (initdb refuses root)" };
  }
  return { available: true, binDir };
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
async function runBinary(binDir: string, name: string, args: string[], timeout = 120_000): Promise<void> {
  const [command, commandArgs] = commandFor(binDir, name, args);
  try {
    await run(command, commandArgs, { timeout, env: { ...process.env, LC_ALL: "C" } });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${name} ${args.join(" ")} failed: ${(stderr || stdout || String(error)).trim()}`, { cause: error });
  }
}

/** The command (and arguments) that runs a PostgreSQL binary, as the `postgres` user when we are root. */
function commandFor(binDir: string, name: string, args: string[]): [string, string[]] {
  const binary = join(binDir, name);
  return isRoot() ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
}

/** Stops a cluster at once and removes its folder (when starting it failed half-way). */
function stopNow(binDir: string, dataDir: string, dir: string): void {
  try {
    execFileSync(...commandFor(binDir, "pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]), { stdio: "ignore" });
  } catch {
    // Not running.
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A detached shell that waits for its stdin to close, then stops the cluster and removes its
 * folder. Our end of the pipe closes when this process ends in any way (a test worker killed
 * by vitest runs no exit hooks), so a cluster never outlives the tests that started it.
 */
function startWatchdog(binDir: string, dataDir: string, dir: string): ChildProcess {
  const [command, args] = commandFor(binDir, "pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
  const watchdog = spawn("sh", ["-c", 'cat >/dev/null; "$@" >/dev/null 2>&1; rm -rf "$0"', dir, command, ...args], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** initdb's output, made once per process (and bin folder) and copied for each cluster: a copy costs a fraction of an initdb. */
const templates = new Map<string, Promise<string>>();

function templateDataDir(binDir: string, user: { uid: number; gid: number } | undefined): Promise<string> {
  let template = templates.get(binDir);
  if (!template) {
    template = initTemplate(binDir, user);
    templates.set(binDir, template);
    template.catch(() => templates.delete(binDir));
  }
  return template;
}

/** Runs initdb into a temp folder that a detached watchdog removes when this process ends, however it ends. */
async function initTemplate(binDir: string, user: { uid: number; gid: number } | undefined): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "corral-pg-template-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const watchdog = spawn("sh", ["-c", 'cat >/dev/null; rm -rf "$0"', dir], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const dataDir = join(dir, "data");
  try {
    await runBinary(binDir, "initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    watchdog.stdin?.end();
    throw error;
  }
  return dataDir;
}

/**
 * Starts a throwaway PostgreSQL cluster: `initdb` (once per process, then a copy of it) into a temp folder (owned by the `postgres`
 * user when we are root), a server on a free port of 127.0.0.1 with trust authentication and
 * fsync off, its socket in that folder. `stop()` shuts it down and removes the folder; if the
 * process ends first, however it ends, a detached watchdog does.
 */
export async function startPostgresCluster(options: { binDir?: string } = {}): Promise<TestPostgresServer> {
  const availability = postgresClusterAvailability(options.binDir);
  if (!availability.available) throw new Error(`cannot start PostgreSQL: ${availability.reason}`);
  const { binDir } = availability;
  const dir = mkdtempSync(join(tmpdir(), "corral-pg-"));
  const dataDir = join(dir, "data");
  const user = isRoot() ? postgresUser() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);

  let watchdog: ChildProcess | undefined;
  let port = 0;
  try {
    // cp -a keeps the owner (the postgres user when we are root) and initdb's private modes.
    await run("cp", ["-a", await templateDataDir(binDir, user), dataDir], { timeout: 120_000 });
    watchdog = startWatchdog(binDir, dataDir, dir);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await runBinary(binDir, "pg_ctl", ["-D", dataDir, "-l", join(dir, "server.log"), "-o", settings, "-w", "-t", "120", "start"]);
        break;
      } catch (error) {
        // Another process may have taken the port between freePort() and the server's bind.
        const log = existsSync(join(dir, "server.log")) ? readFileSync(join(dir, "server.log"), "utf8") : "";
        if (attempt >= 3 || !/could not bind|Address already in use/i.test(log)) {
          throw new Error(`${(error as Error).message}\n${log.trim()}`, { cause: error });
        }
      }
    }
  } catch (error) {
    stopNow(binDir, dataDir, dir);
    watchdog?.stdin?.end();
    throw error;
  }

  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  let stopped = false;
  return {
    url,
    port,
    async createDatabase() {
      const name = `corral_test_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await runBinary(binDir, "pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
      } finally {
        stopNow(binDir, dataDir, dir);
        watchdog?.stdin?.end();
      }
    },
  };
}
