/**
 * Runs one regular expression over a list of files, off the main thread so that a
 * catastrophic pattern can be stopped by terminating the worker. The main thread owns the
 * time budgets; this file only reports progress (`file`), matches, skips and `done`.
 * It is plain JavaScript so that the same file runs from `src/` (tests) and `dist/`.
 * The job and the messages are typed in run-search.ts (SearchJob, SearchMessage).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from "node:fs";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";

/**
 * @param {string} file @param {number} maxBytes @param {boolean} allowHardLinks
 * @returns {Uint8Array | string} the bytes, or why the file was skipped
 */
function readSmallFile(file, maxBytes, allowHardLinks) {
  let descriptor;
  try {
    // lstat first, and O_NONBLOCK for one swapped in after it: opening a FIFO must never block.
    if (!lstatSync(file).isFile()) return "not a regular file";
    descriptor = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) return "not a regular file";
    if (stats.nlink > 1 && !allowHardLinks) return `it has ${stats.nlink} hard links (allowHardLinks is off)`;
    if (stats.size > maxBytes) return `larger than ${maxBytes} bytes`;
    const bytes = new Uint8Array(stats.size);
    let offset = 0;
    while (offset < bytes.length) {
      const read = readSync(descriptor, bytes, offset, bytes.length - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return bytes.subarray(0, offset);
  } catch {
    return "unreadable";
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** @param {any} job @param {(message: any) => void} post */
function run(job, post) {
  const regex = new RegExp(job.pattern, job.flags);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const inside = (/** @type {string} */ candidate) => candidate === job.root || candidate.startsWith(job.root + path.sep);
  let matches = 0;
  for (let index = job.start; index < job.files.length && matches < job.maxMatches; index++) {
    post({ type: "file", index });
    let real;
    try {
      real = realpathSync(job.files[index]);
    } catch {
      post({ type: "skip", index, reason: "unreadable" });
      continue;
    }
    if (!inside(real)) {
      post({ type: "skip", index, reason: "symbolic link outside the root" });
      continue;
    }
    const bytes = readSmallFile(real, job.maxFileBytes, job.allowHardLinks);
    if (typeof bytes === "string") {
      post({ type: "skip", index, reason: bytes });
      continue;
    }
    // Binary files are passed over silently, as grep -I does.
    if (bytes.subarray(0, 8192).includes(0)) continue;
    let text;
    try {
      text = decoder.decode(bytes);
    } catch {
      continue;
    }
    const lines = text.split(/\r?\n/);
    for (let line = 0; line < lines.length && matches < job.maxMatches; line++) {
      const content = lines[line];
      regex.lastIndex = 0;
      if (regex.test(content)) {
        matches++;
        const shown = content.length > job.maxLineChars ? `${content.slice(0, job.maxLineChars)}...` : content;
        post({ type: "match", index, line: line + 1, text: shown });
      }
    }
  }
  post({ type: "done" });
}

if (parentPort && workerData) {
  const port = parentPort;
  run(workerData, (message) => port.postMessage(message));
}
