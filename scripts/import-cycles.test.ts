// Fails when the modules of a package import each other in a circle, directly or through
// others. Type-only imports count too (as madge counts them): a circle of types is still two
// files that cannot be understood, moved or split one without the other.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;

/** Every workspace package with sources: all of them are held to no circles. */
const checked = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => `${group}/${name}`)
    .filter((dir) => existsSync(join(root, dir, "src"))),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "__fixtures__" ? [] : sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(test|test-d|int\.test)\.ts$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The relative imports and re-exports of a file (static, dynamic and type-only), resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+["'](\.{1,2}\/[^"']+)["']/gms),
    ...text.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g),
  ].map((match) => match[1]!);
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))).filter((path) => existsSync(path));
}

/** Every circle of the import graph, each as the files along it (found by depth-first search). */
export function importCycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe("no import circles", () => {
  it.each(checked)("%s", (dir) => {
    const src = join(root, dir, "src");
    const cycles = importCycles(sourceFiles(src)).map((cycle) => cycle.map((file) => relative(src, file)).join(" -> "));
    expect(cycles).toEqual([]);
  });

  it("finds a circle through type-only imports", () => {
    const cycles = importCycles([join(root, "scripts/__fixtures__/cycle/a.ts"), join(root, "scripts/__fixtures__/cycle/b.ts")]);
    expect(cycles.map((cycle) => cycle.map((file) => relative(root, file)))).toEqual([
      ["scripts/__fixtures__/cycle/a.ts", "scripts/__fixtures__/cycle/b.ts", "scripts/__fixtures__/cycle/a.ts"],
    ]);
  });
});
