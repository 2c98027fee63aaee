/**
 * Per-file test times from vitest's JSON report (`make test` writes test-artifacts/vitest-report.json):
 * the slowest files, then the total per folder, as Markdown tables for docs/testing.md.
 *
 *   npx tsx scripts/test-times.ts [REPORT] [--top N]
 *
 * A file's time is from its first test's start to its end in its worker (imports and hooks included).
 * Files that ran side by side (the quick tier) overlap, so the total of a folder can exceed the wall time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface FileResult {
  name: string;
  status: string;
  startTime: number;
  endTime: number;
  assertionResults: { status: string }[];
}

interface Report {
  startTime: number;
  success: boolean;
  numTotalTests: number;
  numFailedTests: number;
  testResults: FileResult[];
}

interface Row {
  file: string;
  seconds: number;
  tests: number;
  status: string;
}

function parseArgs(argv: string[]): { report: string; top: number } {
  let report = 'test-artifacts/vitest-report.json';
  let top = 20;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--top') {
      top = Number(argv[++i]);
      if (!Number.isInteger(top) || top < 1) throw new Error('--top needs a positive whole number, e.g. --top 20');
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: npx tsx scripts/test-times.ts [REPORT (test-artifacts/vitest-report.json)] [--top N (20)]\n');
      process.exit(0);
    } else {
      report = a;
    }
  }
  return { report, top };
}

function readReport(file: string): Report {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}. Fix: run \`make test\` (or vitest with --reporter=json --outputFile=${file}) first`, { cause: err });
  }
  const report = JSON.parse(text) as Report;
  if (!Array.isArray(report.testResults)) throw new Error(`${file} is not a vitest JSON report (no testResults)`);
  return report;
}

function secs(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)} min ${(s % 60).toFixed(0).padStart(2, '0')} s` : `${s.toFixed(1)} s`;
}

function main(): void {
  const { report: file, top } = parseArgs(process.argv.slice(2));
  const report = readReport(file);
  const root = process.cwd();
  const rows: Row[] = report.testResults.map((r) => ({
    file: path.relative(root, r.name),
    seconds: Math.max(0, r.endTime - r.startTime) / 1000,
    tests: r.assertionResults.length,
    status: r.status,
  }));
  rows.sort((a, b) => b.seconds - a.seconds);

  const first = Math.min(...report.testResults.map((r) => r.startTime));
  const last = Math.max(...report.testResults.map((r) => r.endTime));
  const sum = rows.reduce((s, r) => s + r.seconds, 0);
  const out: string[] = [];
  out.push(`${rows.length} files, ${report.numTotalTests} tests (${report.numFailedTests} failed); first start to last end ${secs((last - first) / 1000)}; files' times add up to ${secs(sum)}.`, '');

  out.push(`Slowest ${Math.min(top, rows.length)} files:`, '', '| file | tests | time |', '|---|---:|---:|');
  for (const r of rows.slice(0, top)) out.push(`| ${r.file}${r.status === 'passed' ? '' : ` (${r.status})`} | ${r.tests} | ${secs(r.seconds)} |`);

  const folders = new Map<string, { files: number; tests: number; seconds: number }>();
  for (const r of rows) {
    const dir = path.dirname(r.file);
    const f = folders.get(dir) ?? { files: 0, tests: 0, seconds: 0 };
    f.files += 1;
    f.tests += r.tests;
    f.seconds += r.seconds;
    folders.set(dir, f);
  }
  out.push('', 'Per folder:', '', '| folder | files | tests | time |', '|---|---:|---:|---:|');
  for (const [dir, f] of [...folders].sort((a, b) => b[1].seconds - a[1].seconds)) out.push(`| ${dir}/ | ${f.files} | ${f.tests} | ${secs(f.seconds)} |`);
  process.stdout.write(`${out.join('\n')}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`test-times: ${(err as Error).message}\n`);
  process.exit(1);
}
