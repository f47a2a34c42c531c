// Sums every vitest JSON report of the last test run into one line CI can read:
// "N passed, N failed, N skipped". Exits non-zero when a report is missing or a test failed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dirs = ["scripts", "examples", "distribution"];
for (const group of ["packages", "apps"]) {
  if (!existsSync(join(root, group))) continue;
  for (const name of readdirSync(join(root, group))) dirs.push(join(group, name));
}
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const dir of dirs) {
  const file = join(root, dir, ".vitest-report.json");
  if (!existsSync(file)) {
    if (existsSync(join(root, dir, "vitest.config.ts"))) {
      console.error(`no test report from ${dir}`);
      missing++;
    }
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (!report.success && (report.numFailedTests ?? 0) === 0) failed += report.numFailedTestSuites || 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing > 0 ? 1 : 0);
