// Runs every benchmark under bench/ one after another, each in its own process so one's
// garbage and warm caches do not weigh on the next. `pnpm bench` builds first, then runs this.
// Pass names to run a subset, and options to hand to each of them:
//   pnpm bench agent-overhead rag
//   pnpm bench hybrid-search --size 1000 --rounds 50
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const wanted: string[] = [];
const options: string[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i]!;
  if (arg.startsWith("--")) {
    options.push(arg);
    if (!arg.includes("=") && i + 1 < argv.length) options.push(argv[++i]!);
  } else wanted.push(arg);
}
const benches = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, "index.ts")))
  .map((entry) => entry.name);
const unknown = wanted.filter((name) => !benches.includes(name));
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(", ")}; there are: ${benches.join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const name of benches.filter((name) => wanted.length === 0 || wanted.includes(name))) {
  console.log(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(here, name, "index.ts"), ...options], { stdio: "inherit" });
  if (result.status !== 0) {
    failed++;
    console.error(`bench ${name} failed with exit code ${result.status}`);
  }
}
process.exit(failed ? 1 : 0);
