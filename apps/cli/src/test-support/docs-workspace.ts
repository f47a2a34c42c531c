import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll } from "vitest";
import { writeDocs } from "./docs-fixture.js";
import { makeTempDir } from "./run-cli.js";

/** A fake Ollama and a temp folder holding a small `docs/` tree, shared by one test file. */
export interface DocsWorkspace {
  /** The fake Ollama (set once the file's tests start). */
  readonly fake: FakeOllama;
  /** The temp folder; `docs/` is inside it. */
  readonly dir: string;
  /** The environment that points the CLI at the fake. */
  env(): { OLLAMA_HOST: string };
}

/** Starts a fake Ollama and writes the docs before the file's tests; removes both after them. */
export function useDocsWorkspace(): DocsWorkspace {
  let fake: FakeOllama | undefined;
  let temp: Awaited<ReturnType<typeof makeTempDir>> | undefined;
  beforeAll(async () => {
    fake = await startFakeOllama();
    temp = await makeTempDir();
    await writeDocs(temp.dir);
  });
  afterAll(async () => {
    await fake?.close();
    await temp?.remove();
  });
  return {
    get fake() {
      return fake!;
    },
    get dir() {
      return temp!.dir;
    },
    env: () => ({ OLLAMA_HOST: fake!.url }),
  };
}
