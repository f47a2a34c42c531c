// The CLI's modules import one another without a circle (type-only imports count too: a circle of
// types is a circle of concepts). Dynamic `import()` (a command loaded when it runs) is not an edge.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL(".", import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) files.push(full);
  }
  return files;
}

/** Each module and the modules of this package it imports statically (`import ... from "./x.js"`, `export ... from`). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sourceFiles(src)) {
    const text = await readFile(file, "utf8");
    const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)";/gms)].map((match) =>
      path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, ".ts")),
    );
    graph.set(path.relative(src, file), [...new Set(targets.map((target) => path.relative(src, target)))]);
  }
  return graph;
}

function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe("apps/cli imports", () => {
  it("form no circle", async () => {
    const graph = await importGraph();
    // The graph was read: the REPL imports its slash commands.
    expect(graph.get(path.join("chat", "chat-repl.ts"))).toContain(path.join("chat", "slash-commands.ts"));
    expect(findCycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });
});
