#!/usr/bin/env node
// Bundles the built CLI (dist/bin.js and everything it imports from corral's packages) into
// dist/bundle/, run by bin/corral.js: Node's ES module loader then opens about 20 files at start-up
// instead of about 250 (zod's, each package's). Run after `tsc -b` (`pnpm build` does both).
//
// - ES modules with code splitting: what a command imports with `import()` stays in chunks of its own,
//   loaded only when the command runs, as before the bundle.
// - corral's packages and the pure-JS libraries they use (zod, commander, the ollama client, ...)
//   are inlined, one copy of each in the process. Native, heavy and optional ones stay external
//   (EXTERNAL below) and are imported from apps/cli, which declares each of them; the build fails
//   when one is not declared.
// - A module that locates a file beside itself (`new URL("./calculator-process.js", import.meta.url)`,
//   its package.json, a `createRequire`) gets, for `import.meta.url`, the URL its own file has in an
//   installed CLI: apps/cli/<path> for the CLI's modules, node_modules/@corral/<name>/<path> for the
//   others (a workspace link in the repository, a bundled copy in the CLI's tarball). Those files are
//   still there: the bundle only spares the loader from opening them.
// - dist/bundle/meta.json maps each output file to the modules whose code it holds (from esbuild's
//   metafile, paths relative to dist/bundle/), for the tests that record what a command loads.
import { existsSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const cliRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(cliRoot, "../..");
const bundleDir = path.join(cliRoot, "dist", "bundle");
/**
 * The bundle is written beside dist/bundle/ (at the same depth, so the relative URLs below hold) and
 * takes its place only when complete: a `corral` started meanwhile, or a test reading meta.json,
 * never sees a half-written bundle, and a failed build leaves the previous one as it was.
 */
const outdir = path.join(cliRoot, "dist", `.bundle-${process.pid}`);
removeAbandoned();
const esbuild = await import(createRequire(path.join(cliRoot, "package.json")).resolve("esbuild"));

/**
 * Packages left out of the bundle: native addons (better-sqlite3, hnswlib-node), what loads only
 * for some commands and is large (LangChain, pdf.js through unpdf, mathjs, the MCP SDK,
 * OpenTelemetry, Fastify and the server's plugins, Postgres), and packages that find files of their
 * own at run time (@fastify/swagger-ui's static files, pino's worker threads inside Fastify).
 */
const EXTERNAL = [
  "better-sqlite3",
  "hnswlib-node",
  "langchain",
  /^@langchain\//,
  "unpdf",
  "html-to-text",
  "mathjs",
  "ajv",
  /^@modelcontextprotocol\//,
  /^@opentelemetry\//,
  "fastify",
  /^@fastify\//,
  "fastify-type-provider-zod",
  "ioredis",
  "prom-client",
  "pg",
  /^@electric-sql\//,
];

/** `zod/v4/core` -> `zod`, `@langchain/core/tools` -> `@langchain/core`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const isExternal = (name) => EXTERNAL.some((rule) => (typeof rule === "string" ? rule === name : rule.test(name)));

/** The package.json above `file`, with its folder. */
function owningPackage(file) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) return { dir, name: JSON.parse(readFileSync(manifest, "utf8")).name };
  }
  throw new Error(`bundle: no package.json above ${file}`);
}

const workspaceDirs = [path.join(repoRoot, "packages"), path.join(repoRoot, "apps")].map((dir) => `${realpathSync(dir)}${path.sep}`);
const inlinedCorral = new Set();

/** Gives each corral module that reads `import.meta.url` the URL of its own file in an installed CLI. */
const moduleUrls = {
  name: "corral-module-urls",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:")) return { external: true };
      if (isExternal(packageName(args.path))) return { external: true };
      return undefined;
    });
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const file = realpathSync(args.path);
      if (!workspaceDirs.some((dir) => file.startsWith(dir))) return undefined;
      const owner = owningPackage(file);
      if (owner.name !== "@corral/cli") inlinedCorral.add(owner.name);
      const source = readFileSync(file, "utf8");
      if (!source.includes("import.meta.url")) return { contents: source, loader: "js", resolveDir: path.dirname(file) };
      const installed = owner.name === "@corral/cli" ? "" : `node_modules/${owner.name}/`;
      // The bundle's files are in dist/bundle/: two folders up is the CLI's package folder.
      const url = `../../${installed}${path.relative(owner.dir, file).split(path.sep).join("/")}`;
      const contents = source.replaceAll("import.meta.url", `new URL(${JSON.stringify(url)}, import.meta.url).href`);
      return { contents, loader: "js", resolveDir: path.dirname(file) };
    });
  },
};

/**
 * zod's locales (64 modules, 340 kB: a third of the chunk every command with a config loads) reach
 * the bundle through `z.locales`, which corral never uses: its messages are zod's English ones, the
 * default. The bundle's copy of the locales' index names English only.
 */
const englishZod = {
  name: "corral-zod-english",
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
    }));
  },
};

const result = await esbuild.build({
  entryPoints: { bin: path.join(cliRoot, "dist", "bin.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Inlined CommonJS (commander) requires Node's built-in modules.
  banner: {
    js: 'import { createRequire as __corralCreateRequire } from "node:module";\nconst require = __corralCreateRequire(import.meta.url);',
  },
  plugins: [moduleUrls, englishZod],
  metafile: true,
  absWorkingDir: repoRoot,
  logLevel: "warning",
});

// Every external package is imported from the bundle's folder, so apps/cli must declare it.
const missing = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const imported of output.imports) {
    if (!imported.external || imported.path.startsWith("node:") || builtinModules.includes(imported.path)) continue;
    const name = packageName(imported.path);
    if (!existsSync(path.join(cliRoot, "node_modules", name, "package.json"))) missing.add(name);
  }
}
for (const name of inlinedCorral) {
  if (!existsSync(path.join(cliRoot, "node_modules", name, "package.json"))) missing.add(name);
}
if (missing.size > 0) {
  fail(
    `the CLI's bundle imports ${[...missing].join(", ")}, which apps/cli/package.json does not declare: add ${missing.size === 1 ? "it" : "them"} to its dependencies (the version the package that uses ${missing.size === 1 ? "it" : "them"} declares) and run \`pnpm install\`.`,
  );
}

/**
 * corral's error classes name themselves with `new.target.name`, so a class the bundle renamed (two
 * top-level classes of one name in a chunk: esbuild calls the second `Name2`) would change an error's
 * name. esbuild's keepNames would keep every name, at about 45 ms of CPU per `corral ask` (a call for
 * each function and class at start-up); instead the build fails when a class of corral's is renamed.
 */
function renamedCorralClasses(outputs) {
  const renamed = [];
  for (const file of outputs) {
    let module;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      // esbuild's comment before each module's code: its path from the repository.
      const start = /^\/\/ (\S+\.[cm]?js)$/.exec(line);
      if (start) {
        module = /^(packages|apps)\//.test(start[1]) ? start[1] : undefined;
        continue;
      }
      const declared = /^(?:var|let|const) ([A-Za-z_$][\w$]*?\d+) = class\b|^class ([A-Za-z_$][\w$]*?\d+)\b/.exec(line);
      const name = declared?.[1] ?? declared?.[2];
      if (!module || !name) continue;
      if (!new RegExp(`\\bclass ${name.replace(/\$/g, "\\$")}\\b`).test(readFileSync(path.join(repoRoot, module), "utf8"))) {
        renamed.push(`${name} (${module})`);
      }
    }
  }
  return renamed;
}

/** An esbuild input (relative to the repository, through pnpm's links) as the path of its real file from the bundle's folder. */
function bundlePath(input) {
  const file = path.resolve(repoRoot, input);
  return path
    .relative(outdir, existsSync(file) ? realpathSync(file) : file)
    .split(path.sep)
    .join("/");
}

const renamed = renamedCorralClasses(
  Object.keys(result.metafile.outputs)
    .filter((file) => file.endsWith(".js"))
    .map((file) => path.resolve(repoRoot, file)),
);
if (renamed.length > 0) {
  fail(
    `the bundle renamed ${renamed.join(", ")}: another top-level class of the same name shares its chunk. Rename one of them (an error's name comes from its class).`,
  );
}

const outputs = Object.fromEntries(
  Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith(".js"))
    .map(([file, output]) => [
      path.basename(file),
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([input]) => bundlePath(input)),
    ]),
);
writeFileSync(path.join(outdir, "meta.json"), `${JSON.stringify({ outputs }, null, 1)}\n`);

// dist/bundle/ is replaced by two renames; the old one is removed after.
const previous = path.join(cliRoot, "dist", `.bundle-old-${process.pid}`);
if (existsSync(bundleDir)) renameSync(bundleDir, previous);
renameSync(outdir, bundleDir);
rmSync(previous, { recursive: true, force: true });

/** Ends the build with `message`, leaving the previous bundle as it was (the new one is removed). */
function fail(message) {
  rmSync(outdir, { recursive: true, force: true });
  process.stderr.write(`bundle: ${message}\n`);
  process.exit(1);
}

/** Removes the folders of bundle builds whose process is gone (killed before it finished). */
function removeAbandoned() {
  const dist = path.join(cliRoot, "dist");
  if (!existsSync(dist)) return;
  for (const name of readdirSync(dist)) {
    const pid = /^\.bundle-(?:old-)?(\d+)$/.exec(name)?.[1];
    if (pid && !isRunning(Number(pid))) rmSync(path.join(dist, name), { recursive: true, force: true });
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
