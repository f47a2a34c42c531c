import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The node arguments that run one of this folder's child scripts (`name` without extension): its
 * build in dist/test-support/ (built before the tests by the shared build-first set-up), which plain
 * node starts in a fraction of the time tsx takes to compile the sources; the sources through tsx
 * when that build failed or is missing.
 */
export function testChild(name: string): string[] {
  const script = path.join(here, "../../dist/test-support", `${name}.js`);
  if (existsSync(script) && !process.env.CORRAL_TEST_BUILD_FAILED) return [script];
  return ["--conditions=@corral/source", "--import", "tsx", path.join(here, `${name}.ts`)];
}
