/**
 * The summary text: row lines, durations, the closing block (counts, the
 * not-passing list with clipped reasons and its cap, run errors, report
 * paths, exit code), and the options the formatter reads.
 */
import t from 'tap';
import { readSummaryOptions } from './summary-formatter.ts';
import { LINE_MAX, LIST_MAX, formatDuration, formatRowLine, formatSummary } from './summary-text.ts';
import { countVerdicts, exitCodeFor, type ScenarioRow, type VerdictReport } from './verdicts.ts';

function row(verdict: ScenarioRow['verdict'], line: number, reason = '', attempts = 1): ScenarioRow {
  return { uri: 'features/l2/normal.feature', line, name: `scenario ${line}`, verdict, attempts, reason, durationMs: 5, target: 'ovs', history: [] };
}

function report(rows: ScenarioRow[], runErrors: string[], durationMs: number | undefined): VerdictReport {
  return { rows, counts: countVerdicts(rows), runErrors, exitCode: exitCodeFor(rows, runErrors), durationMs };
}

t.test('row lines align the verdicts and show retries', async (t) => {
  t.equal(formatRowLine(row('PASS', 12)), 'PASS           features/l2/normal.feature:12  scenario 12');
  t.equal(formatRowLine(row('HARNESS-ERROR', 3)), 'HARNESS-ERROR  features/l2/normal.feature:3  scenario 3');
  t.equal(formatRowLine(row('FLAKY', 7, 'x', 2)), 'FLAKY          features/l2/normal.feature:7  scenario 7  (2 attempts)');
});

t.test('durations', async (t) => {
  t.equal(formatDuration(12), '0.01s');
  t.equal(formatDuration(4_520), '4.5s');
  t.equal(formatDuration(62_340), '1m02.3s');
  t.equal(formatDuration(-5), '0.00s');
});

t.test('the closing block', async (t) => {
  const text = formatSummary(report([row('PASS', 1), row('FAIL', 2, 'expected 2 frames\non p2, got 1'), row('FLAKY', 3, 'attempt 1 FAIL: lost', 2), row('UNSUPPORTED', 4, 'needs dp-dump')], [], 61_250), {
    reportFiles: ['reports/cucumber.html', 'reports/junit.xml'],
    wallTimeMs: 1,
  });
  t.equal(
    text,
    [
      '',
      'refswitch: 4 scenarios: 1 PASS, 1 FAIL, 1 UNSUPPORTED, 1 FLAKY',
      '',
      'Not passing:',
      '  FAIL           features/l2/normal.feature:2  scenario 2 -- expected 2 frames on p2, got 1',
      '  FLAKY          features/l2/normal.feature:3  scenario 3  (2 attempts) -- attempt 1 FAIL: lost',
      '  UNSUPPORTED    features/l2/normal.feature:4  scenario 4 -- needs dp-dump',
      '',
      'Reports: reports/cucumber.html  reports/junit.xml',
      'Time: 1m01.3s   Exit code: 1 (a scenario FAILED)',
      '',
    ].join('\n'),
  );
});

t.test('long reasons are clipped, long lists capped, run errors listed, empty runs said', async (t) => {
  const many = Array.from({ length: LIST_MAX + 5 }, (_, i) => row('HARNESS-ERROR', i + 1, 'x'.repeat(500)));
  const text = formatSummary(report(many, ['BeforeAll/AfterAll hook FAILED: broke'], undefined), { reportFiles: [], wallTimeMs: 2_000 });
  const lines = text.split('\n');
  t.ok(lines.every((l) => l.length <= LINE_MAX), 'no line longer than LINE_MAX');
  t.equal(lines.filter((l) => l.startsWith('  HARNESS-ERROR')).length, LIST_MAX);
  t.ok(lines.includes('  ... and 5 more (every row is in verdicts.json)'));
  t.ok(lines.includes('Run errors:') && lines.includes('  BeforeAll/AfterAll hook FAILED: broke'));
  t.ok(lines.some((l) => l.endsWith('...')), 'clipped with an ellipsis');
  t.match(text, /Time: 2\.0s   Exit code: 3 \(the harness failed/);
  t.match(formatSummary(report([], [], 0), { reportFiles: [], wallTimeMs: 0 }), /refswitch: 0 scenarios\n[^]*Exit code: 4 \(no scenarios ran\)/);
});

t.test('formatter options', async (t) => {
  t.same(readSummaryOptions({}), { reportsDir: 'reports', reportFiles: [] });
  t.same(readSummaryOptions(undefined), { reportsDir: 'reports', reportFiles: [] });
  t.same(readSummaryOptions({ refswitch: { reportsDir: '/tmp/r', reportFiles: ['a.html', 3] } }), { reportsDir: '/tmp/r', reportFiles: ['a.html'] });
  t.same(readSummaryOptions({ refswitch: { reportsDir: '' } }), { reportsDir: 'reports', reportFiles: [] });
});
