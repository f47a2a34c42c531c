import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SessionStore } from "@corral/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/run-cli.js";
import { type ChatSessionData, SessionFiles } from "./session-files.js";

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.remove();
});

const record = (name: string, messages: ChatSessionData["messages"] = []): ChatSessionData => ({
  version: 1,
  name,
  model: "qwen3:4b",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  messages,
});

describe("SessionFiles", () => {
  it("writes atomically (no temporary file left) and reads what it wrote", async () => {
    const sessions = new SessionFiles(path.join(temp.dir, "sessions"));
    expect(await sessions.read("notes")).toBeUndefined();
    const data = record("notes", [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello", thinking: "greet back" },
    ]);
    await sessions.write(data);
    await sessions.write({ ...data, messages: [...data.messages, { role: "user", content: "again" }] });
    expect(await readdir(path.join(temp.dir, "sessions"))).toEqual(["notes.json"]);
    expect((await sessions.read("notes"))?.messages.map((message) => message.content)).toEqual(["hi", "hello", "again"]);
  });

  it("is core's SessionStore: load, save and delete a history by session name", async () => {
    const store: SessionStore = new SessionFiles(path.join(temp.dir, "store"));
    expect(await store.load("talk")).toBeUndefined();
    await store.save("talk", [{ role: "user", content: "first" }]);
    expect(await store.load("talk")).toEqual([{ role: "user", content: "first" }]);
    await store.save("talk", [
      { role: "user", content: "first" },
      { role: "assistant", content: "answer" },
    ]);
    expect((await store.load("talk"))?.map((message) => message.content)).toEqual(["first", "answer"]);
    expect(await store.delete("talk")).toBe(true);
    expect(await store.load("talk")).toBeUndefined();
    expect(await store.delete("talk")).toBe(false);
    await expect(store.save("../escape", [])).rejects.toMatchObject({ code: "usage" });
  });

  it("save keeps the session's model and creation time, and drops the sources of the history it replaces", async () => {
    const sessions = new SessionFiles(path.join(temp.dir, "kept"));
    await sessions.write({ ...record("chat", [{ role: "user", content: "old" }]), lastSources: [{ path: "a.md" }] });
    await sessions.save("chat", [{ role: "user", content: "new" }]);
    const saved = await sessions.read("chat");
    expect(saved).toMatchObject({ name: "chat", model: "qwen3:4b", createdAt: "2026-01-01T00:00:00.000Z" });
    expect(saved?.updatedAt).not.toBe("2026-01-01T00:00:00.000Z");
    expect(saved?.messages).toEqual([{ role: "user", content: "new" }]);
    expect(saved?.lastSources).toBeUndefined();
  });

  it("is private: the sessions folder is 0700 and each file 0600, whatever the umask", async () => {
    const previous = process.umask(0);
    try {
      const folder = path.join(temp.dir, "private", "sessions");
      await new SessionFiles(folder).write(record("secret"));
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
    const sessions = new SessionFiles(folder);
    await expect(sessions.load("broken")).rejects.toMatchObject({
      code: "session_invalid",
      message: expect.stringMatching(/broken\.json is damaged/),
    });
    await expect(sessions.save("broken", [])).rejects.toMatchObject({ code: "session_invalid" });
    await writeFile(
      path.join(folder, "wrong.json"),
      JSON.stringify({ version: 1, name: "wrong", messages: [{ role: "robot", content: 1 }] }),
    );
    await expect(sessions.read("wrong")).rejects.toMatchObject({ message: expect.stringMatching(/messages\.0\.role/) });
    expect(await readFile(path.join(folder, "broken.json"), "utf8")).toBe('{"version":1,"messages":[');
  });

  it("refuses names that could escape the folder", async () => {
    const sessions = new SessionFiles(temp.dir);
    expect(() => sessions.fileOf("../etc/passwd")).toThrow(/not valid/);
    expect(() => sessions.fileOf("")).toThrow(/not valid/);
    await expect(sessions.delete("../x")).rejects.toThrow(/not valid/);
    expect(SessionFiles.newName(new Date(2026, 0, 2, 3, 4, 5))).toBe("2026-01-02-030405");
  });
});
