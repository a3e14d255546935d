/**
 * The text of the run summary: one line per scenario as it finishes, and a
 * closing block (counts per verdict, the scenarios that did not pass with
 * their reasons, run errors, report paths, time, exit code).
 *
 * Invariant: plain ASCII layout, no colour and no terminal control codes, so
 * the same text reads the same on a terminal, in a CI log and in
 * reports/summary.txt; at most one line per scenario, so the closing block
 * fits one screen (the list is capped; verdicts.json has every row).
 * Left out on purpose: where the text goes (summary-formatter.ts).
 */
import { VERDICTS, type Verdict } from './verdict.ts';
import { EXIT_CODES, type ScenarioRow, type VerdictReport } from './verdicts.ts';

const VERDICT_WIDTH = Math.max(...VERDICTS.map((v) => v.length));
/** Longest line of the not-passing list before the reason is cut. */
export const LINE_MAX = 160;
/** Most not-passing scenarios listed in the closing block. */
export const LIST_MAX = 25;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 3))}...`;
}

/** `PASS           features/l2/normal.feature:12  Learning switch floods unknown destination` */
export function formatRowLine(row: ScenarioRow): string {
  const tries = row.attempts > 1 ? `  (${row.attempts} attempts)` : '';
  return `${row.verdict.padEnd(VERDICT_WIDTH)}  ${row.uri}:${row.line}  ${row.name}${tries}`;
}

/** `1m02.3s`, `4.5s`, `0.01s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 1) return `${s.toFixed(2)}s`;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${(s - m * 60).toFixed(1).padStart(4, '0')}s`;
}

function countsLine(report: VerdictReport): string {
  const n = report.rows.length;
  const parts = VERDICTS.filter((v) => report.counts[v] > 0).map((v: Verdict) => `${report.counts[v]} ${v}`);
  return `${n} scenario${n === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  [EXIT_CODES.ok]: 'every scenario PASS, FLAKY or UNSUPPORTED',
  [EXIT_CODES.fail]: 'a scenario FAILED',
  [EXIT_CODES.harnessError]: 'the harness failed; nothing is known about some scenarios',
  [EXIT_CODES.noScenarios]: 'no scenarios ran',
};

export interface SummaryContext {
  /** Report files to name, in order. */
  readonly reportFiles: readonly string[];
  /** Used when the messages carried no run start/finish. */
  readonly wallTimeMs: number;
}

/** The closing block, lines joined with `\n`, ending with a newline. */
export function formatSummary(report: VerdictReport, ctx: SummaryContext): string {
  const out = ['', `refswitch: ${countsLine(report)}`];
  const notPassing = report.rows.filter((r) => r.verdict !== 'PASS');
  if (notPassing.length > 0) {
    out.push('', 'Not passing:');
    for (const r of notPassing.slice(0, LIST_MAX)) {
      const head = `  ${formatRowLine(r)}`;
      out.push(r.reason === '' ? head : `${head} -- ${clip(r.reason, Math.max(40, LINE_MAX - head.length - 4))}`);
    }
    if (notPassing.length > LIST_MAX) out.push(`  ... and ${notPassing.length - LIST_MAX} more (every row is in verdicts.json)`);
  }
  if (report.runErrors.length > 0) {
    out.push('', 'Run errors:');
    for (const e of report.runErrors.slice(0, LIST_MAX)) out.push(`  ${clip(e, LINE_MAX - 2)}`);
  }
  if (ctx.reportFiles.length > 0) out.push('', `Reports: ${ctx.reportFiles.join('  ')}`);
  const time = formatDuration(report.durationMs ?? ctx.wallTimeMs);
  out.push(`Time: ${time}   Exit code: ${report.exitCode} (${EXIT_MEANINGS[report.exitCode] ?? 'unknown'})`, '');
  return out.join('\n');
}
