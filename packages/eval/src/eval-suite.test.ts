import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSuite, parseSuite } from "./eval-suite.js";
import { EvalSuiteError } from "./eval-suite-error.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("parseSuite", () => {
  it("rejects a typo in a task's expect, naming the task and the key", () => {
    const suite = { tasks: [{ name: "adds", prompt: "2+3?", expect: { contain: "5" } }] };
    expect(() => parseSuite(suite)).toThrow(EvalSuiteError);
    expect(() => parseSuite(suite)).toThrow(/task "adds": expect: Unrecognized key.*"contain"/);
  });

  it("rejects an unknown task key, an empty expect, args without a tool, a bad regex and duplicate names", () => {
    expect(() => parseSuite({ tasks: [{ name: "a", prompt: "p", tool: "x", expect: { contains: "5" } }] })).toThrow(/task "a": .*"tool"/);
    expect(() => parseSuite({ tasks: [{ name: "a", prompt: "p", expect: {} }] })).toThrow(/task "a": expect: expect is empty/);
    expect(() => parseSuite({ tasks: [{ name: "a", prompt: "p", expect: { args: { x: 1 } } }] })).toThrow(/needs expect.tool/);
    expect(() => parseSuite({ tasks: [{ name: "a", prompt: "p", expect: { matches: "(" } }] })).toThrow(
      /task "a".*not a valid regular expression/i,
    );
    const twice = { name: "a", prompt: "p", expect: { contains: "x" } };
    expect(() => parseSuite({ tasks: [twice, twice] })).toThrow(/two tasks named "a"/);
    expect(() => parseSuite({ tasks: [] })).toThrow(/tasks/);
  });

  it("names a task without a name by its position", () => {
    expect(() => parseSuite({ tasks: [{ prompt: "p", expect: { contains: "x" } }] })).toThrow(/task #1: name/);
  });
});

describe("loadSuite", () => {
  it("reads YAML and resolves docs against the file's folder", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "corral-suite-"));
    const file = path.join(dir, "suite.yaml");
    await writeFile(
      file,
      [
        "tasks:",
        "  - name: adds",
        "    prompt: 'What is 2+3?'",
        "    tools: [math]",
        "    docs: ./docs",
        "    expect:",
        "      tool: calculator",
        '      contains: "5"',
        "",
      ].join("\n"),
    );
    await expect(loadSuite(file)).rejects.toThrow(/Task "adds" in .*suite\.yaml: docs .*docs is not a folder/);
    await mkdir(path.join(dir, "docs"));
    const suite = await loadSuite(file);
    expect(suite.tasks[0]).toMatchObject({
      name: "adds",
      tools: ["math"],
      docs: path.join(dir, "docs"),
      expect: { tool: "calculator", contains: "5" },
    });
  });

  it("reads JSON, and says what is wrong with a missing or broken file", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "corral-suite-"));
    const json = path.join(dir, "suite.json");
    await writeFile(json, JSON.stringify({ tasks: [{ name: "x", prompt: "p", expect: { matches: "^a" } }] }));
    expect((await loadSuite(json)).tasks[0]!.expect.matches).toBe("^a");
    await expect(loadSuite(path.join(dir, "nope.yaml"))).rejects.toThrow(/Cannot read the suite .*nope\.yaml: it does not exist/);
    await writeFile(json, "{ not json");
    await expect(loadSuite(json)).rejects.toThrow(/is not valid JSON/);
  });
});
