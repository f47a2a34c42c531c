import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh temp folder, and a writer of files into it. */
export function makeTempDir(prefix = "corral-rag-"): {
  dir: string;
  write: (relative: string, content: string | Uint8Array) => string;
  remove: () => void;
} {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return {
    dir,
    write: (relative, content) => {
      const file = path.join(dir, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
