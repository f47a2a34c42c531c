/**
 * Paths never indexed unless `defaultIgnores: false`: dependencies, VCS folders, build output,
 * caches, lock files. Written in .gitignore syntax, matched relative to each synced folder.
 */
export const DEFAULT_IGNORES: readonly string[] = [
  "node_modules/",
  ".git/",
  ".hg/",
  ".svn/",
  "dist/",
  "build/",
  "out/",
  "coverage/",
  ".next/",
  ".nuxt/",
  ".turbo/",
  ".cache/",
  ".venv/",
  "venv/",
  "__pycache__/",
  "target/",
  ".corral/",
  ".DS_Store",
  "*.min.js",
  "*.map",
  "package-lock.json",
  "pnpm-lock.yaml",
  "yarn.lock",
];
