import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The web playground: built into dist/playground-web, which the server package ships and
// src/playground/ serves (the page at `/`, the assets under /playground/assets/).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/playground/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/playground-web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // Every asset is a file of its own: the Content-Security-Policy allows no data: URLs.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
