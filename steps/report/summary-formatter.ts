/**
 * The refswitch summary formatter for cucumber-js: prints one line per
 * scenario as its last attempt ends, and at the end the closing summary;
 * writes the same text to `<reportsDir>/summary.txt` and the rows, counts
 * and exit code to `<reportsDir>/verdicts.json` (what `refswitch run` exits
 * with).
 *
 * Options (cucumber `formatOptions`, key `refswitch`):
 *   reportsDir   where summary.txt and verdicts.json go (default `reports`)
 *   reportFiles  other report paths to name in the summary (html, junit, ...)
 *
 * Invariants: formatters run in the coordinator process also under
 * `--parallel N` (workers forward their envelopes), so this sees every
 * attempt of every scenario. verdicts.json is written whole (temp file, then
 * rename) and only at the end, so a run that died early leaves none — the
 * runner treats that as a harness error. A run that stops before any test
 * case (a parse error) still gets a summary and exit code 3 or 4.
 * Left out on purpose: colour, and the verdict rules (verdicts.ts).
 */
import { Formatter, type IFormatterOptions } from '@cucumber/cucumber';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRowLine, formatSummary } from './summary-text.ts';
import { VerdictCollector } from './verdicts.ts';

export interface SummaryOptions {
  readonly reportsDir: string;
  readonly reportFiles: readonly string[];
}

/** Reads the `refswitch` key of cucumber's formatOptions; anything malformed falls back to defaults. */
export function readSummaryOptions(formatOptions: unknown): SummaryOptions {
  const all = typeof formatOptions === 'object' && formatOptions !== null ? (formatOptions as Record<string, unknown>) : {};
  const mine = typeof all['refswitch'] === 'object' && all['refswitch'] !== null ? (all['refswitch'] as Record<string, unknown>) : {};
  const dir = mine['reportsDir'];
  const files = mine['reportFiles'];
  return {
    reportsDir: typeof dir === 'string' && dir !== '' ? dir : 'reports',
    reportFiles: Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [],
  };
}

function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export default class SummaryFormatter extends Formatter {
  static override readonly documentation = 'refswitch: one line per scenario verdict, a closing summary, reports/summary.txt and reports/verdicts.json';

  private readonly collector = new VerdictCollector();
  private readonly options: SummaryOptions;
  private readonly printed: string[] = [];
  private readonly startedAtMs = Date.now();

  constructor(options: IFormatterOptions) {
    super(options);
    this.options = readSummaryOptions(options.parsedArgvOptions);
    options.eventBroadcaster.on('envelope', (envelope: unknown) => {
      const row = this.collector.accept(envelope);
      if (row !== undefined) this.print(`${formatRowLine(row)}\n`);
    });
  }

  private print(text: string): void {
    this.printed.push(text);
    this.log(text);
  }

  override async finished(): Promise<void> {
    const report = this.collector.report();
    const dir = this.options.reportsDir;
    const summaryPath = join(dir, 'summary.txt');
    const verdictsPath = join(dir, 'verdicts.json');
    this.print(formatSummary(report, { reportFiles: [...this.options.reportFiles, summaryPath, verdictsPath], wallTimeMs: Date.now() - this.startedAtMs }));
    mkdirSync(dir, { recursive: true });
    writeWhole(summaryPath, this.printed.join(''));
    writeWhole(verdictsPath, `${JSON.stringify({ exitCode: report.exitCode, counts: report.counts, runErrors: report.runErrors, durationMs: report.durationMs ?? null, rows: report.rows }, null, 2)}\n`);
    await super.finished();
  }
}
