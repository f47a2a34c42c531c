#!/usr/bin/env node
// Packs every publishable package into dist/packs/, and makes the CLI's tarball stand alone:
// the workspace packages it needs travel inside it (bundleDependencies), and their third-party
// dependencies become the CLI's own, so `npm install -g ./dist/packs/corral-cli-<version>.tgz`
// installs them from the registry as usual. Run it after `pnpm build` (the root `pack` script does both).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { projectRemote, repositoryField } from "./repository-field.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "packs");
const quiet = process.argv.includes("--quiet");
const log = (line) => {
  if (!quiet) process.stderr.write(`${line}\n`);
};

/** Replaces a file by rename, never truncating it in place: other processes may be reading it. */
function replace(file, text) {
  writeFileSync(`${file}.pack`, text);
  renameSync(`${file}.pack`, file);
}

/** The workspace's publishable packages by name, with their folders. */
function workspacePackages() {
  const found = new Map();
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(path.join(root, group), { withFileTypes: true })) {
      const file = path.join(root, group, entry.name, "package.json");
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      if (!manifest.private) found.set(manifest.name, { dir: path.dirname(file), manifest });
    }
  }
  return found;
}

function tarballName(name, version) {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

function extract(tarball, into) {
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
}

const packages = workspacePackages();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const remote = projectRemote(root);
if (!repositoryField(remote, ".")) log("no public git remote (origin or CORRAL_REPOSITORY_URL): the packages get no repository field");

const restores = [];
try {
  for (const [name, { dir }] of packages) {
    if (!existsSync(path.join(dir, "dist"))) {
      throw new Error(`${name} is not built (${path.relative(root, dir)}/dist is missing): run \`pnpm build\` first.`);
    }
    // The repository field names the project's public address and this package's folder in it; it is
    // written for the pack only, so package.json in the clone stays as it is.
    const repository = repositoryField(remote, path.relative(root, dir).split(path.sep).join("/"));
    if (!repository) continue;
    const manifestFile = path.join(dir, "package.json");
    const original = readFileSync(manifestFile, "utf8");
    restores.push(() => replace(manifestFile, original));
    replace(manifestFile, `${JSON.stringify({ ...JSON.parse(original), repository }, null, 2)}\n`);
  }
  // One pnpm for every package (pnpm pack turns workspace:* into real versions and applies publishConfig).
  execFileSync(
    "pnpm",
    ["-r", "--workspace-concurrency=1", ...[...packages.keys()].flatMap((name) => ["--filter", name]), "pack", "--pack-destination", out],
    {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
} finally {
  for (const restore of restores) restore();
}
log(`packed ${[...packages.keys()].join(", ")}`);

// The CLI on its own: every @corral package it reaches, bundled inside.
const cli = packages.get("@corral/cli");
const stage = mkdtempSync(path.join(tmpdir(), "corral-cli-pack-"));
try {
  const cliTarball = path.join(out, tarballName(cli.manifest.name, cli.manifest.version));
  extract(cliTarball, stage);
  const manifest = JSON.parse(readFileSync(path.join(stage, "package.json"), "utf8"));
  const bundled = [];
  const dependencies = { ...manifest.dependencies };
  const queue = Object.keys(manifest.dependencies ?? {}).filter((dep) => packages.has(dep));
  while (queue.length > 0) {
    const dep = queue.shift();
    if (bundled.includes(dep)) continue;
    bundled.push(dep);
    const { manifest: depManifest } = packages.get(dep);
    // npm bundles only what is also a dependency: a package reached through another one is listed too.
    dependencies[dep] = depManifest.version;
    const target = path.join(stage, "node_modules", ...dep.split("/"));
    extract(path.join(out, tarballName(dep, depManifest.version)), target);
    const packed = JSON.parse(readFileSync(path.join(target, "package.json"), "utf8"));
    for (const [child, range] of Object.entries(packed.dependencies ?? {})) {
      if (packages.has(child)) {
        queue.push(child);
        continue;
      }
      if (dependencies[child] && dependencies[child] !== range) {
        throw new Error(`${dep} wants ${child}@${range} but the CLI bundle already has ${dependencies[child]}: align the versions.`);
      }
      dependencies[child] = range;
    }
    // npm counts whatever a bundled package depends on as part of the bundle and would not fetch it;
    // its dependencies are the CLI's own instead (above), found by Node's lookup one level up.
    delete packed.dependencies;
    delete packed.devDependencies;
    writeFileSync(path.join(target, "package.json"), `${JSON.stringify(packed, null, 2)}\n`);
  }
  manifest.dependencies = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
  manifest.bundleDependencies = bundled.sort();
  delete manifest.devDependencies;
  writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(cliTarball);
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: stage, encoding: "utf8" }).trim();
  log(`packed ${cli.manifest.name} (standalone, bundling ${bundled.join(", ")}) as ${packed}`);
  cpSync(path.join(out, packed), path.join(out, "corral-cli.tgz"));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
process.stdout.write(`${out}\n`);
