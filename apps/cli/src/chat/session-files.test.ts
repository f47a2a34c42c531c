import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/run-cli.js";
import { SessionFile } from "./session-file.js";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

describe("SessionFile", () => {
  it("saves atomically (no temporary file left) and loads what it saved", async () => {
    const session = new SessionFile(path.join(temp.dir, "sessions"), "notes");
    expect(await session.load()).toBeUndefined();
    const data = {
      version: 1 as const,
      name: "notes",
      model: "qwen3:4b",
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      messages: [
        { role: "user" as const, content: "hi" },
        { role: "assistant" as const, content: "hello", thinking: "greet back" },
      ],
    };
    await session.save(data);
    await session.save({ ...data, messages: [...data.messages, { role: "user", content: "again" }] });
    expect(await readdir(path.join(temp.dir, "sessions"))).toEqual(["notes.json"]);
    expect((await session.load())?.messages.map((message) => message.content)).toEqual(["hi", "hello", "again"]);
  });

  it("is private: the sessions folder is 0700 and each file 0600, whatever the umask", async () => {
    const previous = process.umask(0);
    try {
      const folder = path.join(temp.dir, "private", "sessions");
      const session = new SessionFile(folder, "secret");
      await session.save({
        version: 1,
        name: "secret",
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
        messages: [],
      });
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      expect((await stat(path.join(folder, "secret.json"))).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("reports a damaged file without touching it", async () => {
    const folder = path.join(temp.dir, "damaged");
    await mkdir(folder);
    await writeFile(path.join(folder, "broken.json"), '{"version":1,"messages":[');
    const session = new SessionFile(folder, "broken");
    await expect(session.load()).rejects.toMatchObject({
      code: "session_invalid",
      message: expect.stringMatching(/broken\.json is damaged/),
    });
    await writeFile(
      path.join(folder, "wrong.json"),
      JSON.stringify({ version: 1, name: "wrong", messages: [{ role: "robot", content: 1 }] }),
    );
    await expect(new SessionFile(folder, "wrong").load()).rejects.toMatchObject({ message: expect.stringMatching(/messages\.0\.role/) });
    expect(await readFile(path.join(folder, "broken.json"), "utf8")).toBe('{"version":1,"messages":[');
  });

  it("refuses names that could escape the folder", () => {
    expect(() => new SessionFile(temp.dir, "../etc/passwd")).toThrow(/not valid/);
    expect(() => new SessionFile(temp.dir, "")).toThrow(/not valid/);
    expect(SessionFile.newName(new Date(2026, 0, 2, 3, 4, 5))).toBe("2026-01-02-030405");
  });
});
