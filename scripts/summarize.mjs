// Reads vitest's JSON report (and, when named, the gem's minitest output) and prints the closing line CI
// reads: "N passed, N failed[, N skipped]", both runners counted together. A report that is missing, or
// that ran no test, counts as a failure: a green run must have run tests.
import { readFileSync } from "node:fs";

let report;
try {
  report = JSON.parse(readFileSync(process.argv[2], "utf8"));
} catch (error) {
  console.log(`no test report (${error.message})`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that failed outside any test (an import error, a failing hook) counts once; a file whose
// failures are its tests' counts through them.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
let skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
let passedAll = passed;
let failedAll = failed;
if (process.argv[3]) {
  // minitest's closing line: "N runs, N assertions, N failures, N errors, N skips".
  let text = "";
  try {
    text = readFileSync(process.argv[3], "utf8");
  } catch {}
  const m = /(\d+) runs, \d+ assertions, (\d+) failures, (\d+) errors, (\d+) skips/.exec(text);
  if (!m || Number(m[1]) === 0) {
    console.log("no minitest summary (the gem's suite did not run or ran no test)");
    failedAll += 1;
  } else {
    const [runs, failures, errors, skips] = m.slice(1).map(Number);
    passedAll += runs - failures - errors - skips;
    failedAll += failures + errors;
    skipped += skips;
  }
}
console.log(`${passedAll} passed, ${failedAll} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failedAll > 0 || passedAll === 0 || skipped > 0 ? 1 : 0);
