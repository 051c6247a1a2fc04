// Prints vitest's JSON report as the one plain closing line CI reads: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`test summary: no vitest report at ${file}: ${err.message}`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
