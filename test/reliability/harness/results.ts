// What each reliability test tried and measured, appended as JSON lines to the file named by
// ORG_TRACE_RELIABILITY_RESULTS (set by tools/reliability/run.js). The docs table is built from these
// records joined with Jest's own pass/fail verdicts, so a number in docs/reliability.md is always
// one a test measured and checked, never typed by hand. Without the variable this is a no-op.
import { appendFileSync } from 'node:fs';

export interface ResultRecord {
  /** Issue item: faults, shutdown, config, headers, sql, load. */
  area: string;
  /** What was tried, in words. */
  tried: string;
  /** What was measured, in words with numbers. */
  measured: string;
}

export function record(r: ResultRecord): void {
  const file = process.env.ORG_TRACE_RELIABILITY_RESULTS;
  if (!file) return;
  const test = expect.getState().currentTestName ?? '';
  appendFileSync(file, JSON.stringify({ test, ...r }) + '\n');
}
