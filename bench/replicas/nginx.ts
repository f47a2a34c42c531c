// nginx in front of the replicas, with the configuration docs/deploy.md documents: its ```nginx
// block is read from the file and run as written, only the ports replaced (the replicas' 8781 and
// 8782, and `listen 80`), inside a minimal main configuration of nginx's own files in a temp folder.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";

const deployDoc = new URL("../../docs/deploy.md", import.meta.url).pathname;

/** The first ```nginx block of docs/deploy.md. */
export function documentedNginxConfig(): string {
  const match = /```nginx\n([\s\S]*?)```/.exec(readFileSync(deployDoc, "utf8"));
  if (!match?.[1]) throw new Error(`${deployDoc} has no \`\`\`nginx block`);
  return match[1];
}

/** A running nginx. */
export interface Nginx {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts nginx (`nginx` on PATH or /usr/sbin/nginx) with the documented server block in `dir`, proxying to `replicaPorts`. */
export async function startNginx(dir: string, port: number, replicaPorts: [number, number]): Promise<Nginx> {
  let server = documentedNginxConfig();
  for (const [documented, actual] of [
    [8781, replicaPorts[0]],
    [8782, replicaPorts[1]],
  ] as const) {
    if (!server.includes(`127.0.0.1:${documented}`)) throw new Error(`the documented nginx block has no 127.0.0.1:${documented}`);
    server = server.replaceAll(`127.0.0.1:${documented}`, `127.0.0.1:${actual}`);
  }
  if (!/listen 80;/.test(server)) throw new Error("the documented nginx block has no `listen 80;`");
  server = server.replace("listen 80;", `listen 127.0.0.1:${port};`);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  for (const temp of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, temp), { mode: 0o777 });
  writeFileSync(path.join(dir, "corral.conf"), server);
  writeFileSync(
    path.join(dir, "nginx.conf"),
    `daemon off;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/corral.conf;
}
`,
  );
  const binary = existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
  const child = spawn(binary, ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "inherit", "inherit"] });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`nginx exited with ${code}`))));
  exited.catch(() => undefined);
  const deadline = Date.now() + 15_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`nginx did not listen on 127.0.0.1:${port} (see ${dir}/error.log)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        // QUIT: graceful stop of nginx's workers.
        child.kill("SIGQUIT");
      }),
  };
}
