import { describe, expect, it } from "vitest";
import { REDACTED_PATH, redactPaths } from "./redact-paths.js";

describe("redactPaths", () => {
  it("replaces absolute POSIX and Windows paths, keeping the punctuation after them", () => {
    expect(redactPaths("if that process is gone, delete /srv/corral/index/lock.")).toBe(
      `if that process is gone, delete ${REDACTED_PATH}.`,
    );
    expect(redactPaths("Bad index (index at /tmp/x/index).")).toBe(`Bad index (index at ${REDACTED_PATH}).`);
    expect(redactPaths('Cannot write "C:\\data\\corral.json": denied')).toBe(`Cannot write "${REDACTED_PATH}": denied`);
    expect(redactPaths("/etc/passwd is not readable")).toBe(`${REDACTED_PATH} is not readable`);
  });

  it("keeps URLs, relative names and plain text", () => {
    const text = "Ollama at http://127.0.0.1:11434/api/chat refused; see docs/a.md and 3/4 of the file.";
    expect(redactPaths(text)).toBe(text);
  });
});
