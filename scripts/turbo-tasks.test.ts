// vitest.build-first.ts skips its build under scripts/turbo.mjs because turbo has built every package
// before any task that runs vitest: that holds only while each such task depends on the root build.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const turbo = JSON.parse(readFileSync(join(root, "turbo.json"), "utf8")) as { tasks: Record<string, { dependsOn?: string[] }> };

/** The scripts of every workspace package that run vitest, by script name. */
function vitestScripts(): string[] {
  const names = new Set<string>();
  for (const group of ["packages", "apps", "distribution"]) {
    const dirs = group === "distribution" ? [join(root, group)] : readdirSync(join(root, group)).map((name) => join(root, group, name));
    for (const dir of dirs) {
      let scripts: Record<string, string> = {};
      try {
        scripts = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts ?? {};
      } catch {
        continue;
      }
      for (const [name, command] of Object.entries(scripts)) if (/\bvitest\b/.test(command)) names.add(name);
    }
  }
  return [...names].sort();
}

describe("turbo.json", () => {
  it("finds the packages' vitest scripts", () => {
    expect(vitestScripts()).toContain("test");
  });

  for (const name of vitestScripts()) {
    it(`the ${name} task depends on the root build`, () => {
      expect(turbo.tasks[name]?.dependsOn ?? []).toContain("//#build");
    });
  }
});
