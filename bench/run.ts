// Runs every benchmark under bench/ one after another, each in its own process so one's
// garbage and warm caches do not weigh on the next. `pnpm bench` builds first, then runs this.
// Pass names to run a subset: pnpm bench agent-overhead rag
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const wanted = process.argv.slice(2);
const benches = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, "index.ts")))
  .map((entry) => entry.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name));

let failed = 0;
for (const name of benches) {
  console.log(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(here, name, "index.ts")], { stdio: "inherit" });
  if (result.status !== 0) {
    failed++;
    console.error(`bench ${name} failed with exit code ${result.status}`);
  }
}
process.exit(failed ? 1 : 0);
