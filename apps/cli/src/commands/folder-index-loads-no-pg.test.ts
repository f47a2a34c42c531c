// An index in a folder loads no PostgreSQL code: @corral/postgres and `pg` are imported only when
// `index` is a postgresql:// URL.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { useCliWorkspace } from "../test-support/cli-workspace.js";
import { runCli } from "../test-support/run-cli.js";

const workspace = useCliWorkspace();
const recorder = fileURLToPath(new URL("../test-support/record-modules.mjs", import.meta.url));

it("corral index and corral search over a folder index load neither @corral/postgres nor pg", async () => {
  for (const [name, args] of [
    ["index", ["index", "docs"]],
    ["search", ["search", "rotate", "keys", "-k", "1"]],
  ] as const) {
    const file = path.join(workspace.dir, `${name}.modules.txt`);
    const result = await runCli([...args], {
      cwd: workspace.dir,
      env: { ...workspace.env(), CORRAL_RECORD_MODULES: file, NODE_OPTIONS: `--import=${recorder}` },
    });
    expect(result.code, result.stderr).toBe(0);
    const modules = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    // The recorder saw the index being opened: an empty list would pass for the wrong reason.
    expect(modules.some((url) => url.includes("/packages/rag/"))).toBe(true);
    expect(modules.filter((url) => /\/packages\/postgres\/|\/node_modules\/(\.pnpm\/pg@|pg\/|pg-)/.test(url))).toEqual([]);
  }
}, 120_000);
