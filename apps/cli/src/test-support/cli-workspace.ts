import { type FakeOllama, startFakeOllama } from "@corral/testkit";
import { afterAll, beforeAll } from "vitest";
import { writeDocs } from "./docs-fixture.js";
import { makeTempDir } from "./run-cli.js";

/** A fake Ollama and a temp folder (with a small `docs/` tree unless asked not to), shared by one test file. */
export interface CliWorkspace {
  /** The fake Ollama (set once the file's tests start). */
  readonly fake: FakeOllama;
  /** The temp folder; `docs/` is inside it when it was written. */
  readonly dir: string;
  /** The environment that points the CLI at the fake. */
  env(): { OLLAMA_HOST: string };
}

/** Starts a fake Ollama and a temp folder (writing the docs into it) before the file's tests; removes both after them. */
export function useCliWorkspace(options: { writeDocs?: boolean } = {}): CliWorkspace {
  let fake: FakeOllama | undefined;
  let temp: Awaited<ReturnType<typeof makeTempDir>> | undefined;
  beforeAll(async () => {
    fake = await startFakeOllama();
    temp = await makeTempDir();
    if (options.writeDocs ?? true) await writeDocs(temp.dir);
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
