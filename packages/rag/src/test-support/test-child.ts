import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const built = path.join(here, "../../dist/test-support");

/**
 * The node arguments that run one of this folder's child scripts (`name` without extension, e.g.
 * `"lock-child"`): its build in dist/test-support/ (the package's tsconfig compiles the child
 * scripts, and the shared build-first set-up builds before the tests), which starts in a fraction of
 * the time the TypeScript takes through tsx; the sources through tsx when that build failed or is missing.
 */
export function testChild(name: string): string[] {
  const script = path.join(built, `${name}.js`);
  if (existsSync(script) && !process.env.CORRAL_TEST_BUILD_FAILED) return [script];
  return ["--conditions=@corral/source", "--import", "tsx", path.join(here, `${name}.ts`)];
}
