// Fails when a workspace package imports something its package.json does not declare, or
// when an import breaks the dependency direction apps/cli -> apps/server -> packages/config
// -> packages/{rag,tools,postgres} -> packages/core, postgres also over rag (testkit: only a devDependency).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
/** The root's devDependencies (vitest, tsx, ...) serve every package's tests. */
const rootDev = new Set(Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies ?? {}));

/** Which workspace packages each package may depend on at run time. */
const allowed: Record<string, string[]> = {
  "@corral/testkit": [],
  "@corral/core": [],
  "@corral/rag": ["@corral/core"],
  "@corral/tools": ["@corral/core"],
  "@corral/postgres": ["@corral/core", "@corral/rag"],
  "@corral/config": ["@corral/core", "@corral/rag", "@corral/tools", "@corral/postgres"],
  "@corral/server": ["@corral/core", "@corral/rag", "@corral/tools", "@corral/config", "@corral/postgres"],
  "@corral/eval": ["@corral/core", "@corral/rag", "@corral/tools", "@corral/config", "@corral/postgres"],
  "@corral/cli": ["@corral/core", "@corral/rag", "@corral/tools", "@corral/config", "@corral/server", "@corral/eval", "@corral/postgres"],
};

interface Workspace {
  dir: string;
  json: {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

function workspaces(): Workspace[] {
  const found: Workspace[] = [];
  for (const group of ["packages", "apps"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const file = join(base, name, "package.json");
      if (existsSync(file)) found.push({ dir: join(base, name), json: JSON.parse(readFileSync(file, "utf8")) });
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "fixtures" ? [] : sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(IMPORT)) specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

function packageName(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  if (builtinModules.includes(specifier.split("/")[0]!)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

const isTestFile = (file: string) => /\.test\.ts$|\/test\/|\/__fixtures__\/|\/test-support\//.test(file);

describe("workspace dependency rules", () => {
  it("finds imports in all their forms", () => {
    expect(
      importsOf(`import a from "x";\nimport { b } from "@s/y/z";\nexport * from "./w.js";\nimport "side";\nawait import("dyn");`),
    ).toEqual(["x", "@s/y/z", "./w.js", "side", "dyn"]);
  });

  for (const workspace of workspaces()) {
    const name = workspace.json.name;
    it(`${name} imports only what it declares, in the allowed direction`, () => {
      expect(allowed[name], `${name} has no entry in the dependency rules`).toBeDefined();
      // A peer dependency is the user's to install (vitest for @corral/rag/testing, say): declared, too.
      const runtime = new Set([...Object.keys(workspace.json.dependencies ?? {}), ...Object.keys(workspace.json.peerDependencies ?? {})]);
      const dev = new Set(Object.keys(workspace.json.devDependencies ?? {}));
      const problems: string[] = [];
      for (const dep of runtime) {
        if (dep.startsWith("@corral/") && !allowed[name]!.includes(dep)) problems.push(`package.json: ${name} must not depend on ${dep}`);
      }
      for (const file of sourceFiles(join(workspace.dir, "src")).concat(sourceFiles(join(workspace.dir, "test")))) {
        const where = relative(root, file);
        for (const specifier of importsOf(readFileSync(file, "utf8"))) {
          if (specifier.startsWith(".") && !resolve(dirname(file), specifier).startsWith(`${workspace.dir}/`)) {
            problems.push(`${where}: reaches into another package with ${specifier}: import it by its package name`);
          }
          const dep = packageName(specifier);
          if (!dep || dep === name) continue;
          if (/@corral\/[^/]+\/src/.test(specifier)) problems.push(`${where}: deep import ${specifier}`);
          const declared = runtime.has(dep) || (isTestFile(file) && (dev.has(dep) || rootDev.has(dep)));
          if (!declared)
            problems.push(`${where}: imports ${dep}, which package.json does not declare${isTestFile(file) ? "" : " in dependencies"}`);
          if (dep.startsWith("@corral/") && !isTestFile(file) && !allowed[name]!.includes(dep)) {
            problems.push(`${where}: ${name} must not import ${dep}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
