import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../test-support/temp-dir.js";
import { chooseLoaderEntry } from "./loader-process.js";

describe("the loader process's entry", () => {
  // A test may make several packages: every one is removed after it.
  const temps: Array<ReturnType<typeof makeTempDir>> = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.remove();
  });

  /** A package with src/load/{loader-child,load-file}.ts and, when `built`, dist/load/*.js written `age` seconds after the sources. */
  const packageWith = (built: boolean, age = 10) => {
    const temp = makeTempDir();
    temps.push(temp);
    const past = Date.now() / 1000 - 100;
    for (const name of ["loader-process", "loader-child", "load-file"]) {
      const source = temp.write(`src/load/${name}.ts`, "export {};\n");
      fs.utimesSync(source, past, past);
      if (built) {
        const output = temp.write(`dist/load/${name}.js`, "export {};\n");
        fs.utimesSync(output, past + age, past + age);
      }
    }
    temp.write("src/load/load-file.test.ts", "export {};\n");
    return path.join(temp.dir, "src/load/loader-process.ts");
  };

  it("is the built JavaScript when the build is not older than any loader source", () => {
    const self = packageWith(true);
    expect(chooseLoaderEntry(self)).toEqual({
      script: path.join(path.dirname(self), "../../dist/load/loader-child.js"),
      execArgv: [],
      kind: "built",
    });
  });

  it("is the TypeScript through tsx when there is no build, or a source changed after it", () => {
    expect(chooseLoaderEntry(packageWith(false))).toMatchObject({
      kind: "source",
      execArgv: ["--conditions=@corral/source", "--import", "tsx"],
    });
    const self = packageWith(true);
    fs.utimesSync(path.join(path.dirname(self), "load-file.ts"), new Date(), new Date());
    expect(chooseLoaderEntry(self)).toMatchObject({ kind: "source", script: path.join(path.dirname(self), "loader-child.ts") });
    expect(chooseLoaderEntry(packageWith(true, -5)).kind).toBe("source");
  });

  it("is the file next to it in a built package", () => {
    expect(chooseLoaderEntry("/opt/corral/rag/dist/load/loader-process.js")).toEqual({
      script: "/opt/corral/rag/dist/load/loader-child.js",
      execArgv: [],
      kind: "built",
    });
  });
});
