/**
 * Verdicts from synthetic Cucumber envelopes: every verdict from an attached
 * AttemptVerdict and from step results alone, retries (FLAKY), parallel
 * interleaving, scenarios that never ran or never finished, run errors and
 * the exit-code policy. The envelopes mirror what cucumber-js 12.9 emits.
 */
import t from 'tap';
import { VERDICT_MEDIA_TYPE } from './verdict.ts';
import { EXIT_CODES, VerdictCollector, exitCodeFor, firstLine, verdictsFromNdjson, type ScenarioRow } from './verdicts.ts';

type Status = 'PASSED' | 'FAILED' | 'SKIPPED' | 'UNDEFINED' | 'AMBIGUOUS' | 'PENDING';

/** Builds envelopes for scenarios of one step each plus an After hook (step ids `<case>-step`, `<case>-hook`). */
class Envelopes {
  readonly list: unknown[] = [{ hook: { id: 'after', type: 'AFTER_TEST_CASE', sourceReference: { uri: 'steps/support/hooks.ts', location: { line: 50 } } } }];
  private clock = 1_000_000;

  scenario(id: string, line: number, name: string, stepText = 'a step'): this {
    this.list.push({ pickle: { id: `p-${id}`, uri: 'features/l2/normal.feature', location: { line, column: 3 }, name, steps: [{ id: `ps-${id}`, text: stepText }] } });
    this.list.push({ testCase: { id: `tc-${id}`, pickleId: `p-${id}`, testSteps: [{ id: `${id}-step`, pickleStepId: `ps-${id}` }, { id: `${id}-hook`, hookId: 'after' }] } });
    return this;
  }
  start(id: string, attempt: number): this {
    this.list.push({ testCaseStarted: { id: `${id}#${attempt}`, testCaseId: `tc-${id}`, attempt, timestamp: this.tick() } });
    return this;
  }
  step(id: string, attempt: number, status: Status, message = '', exceptionType = 'Error'): this {
    const testStepResult: Record<string, unknown> = { status, duration: { seconds: 0, nanos: 1 } };
    if (message !== '') {
      testStepResult['message'] = `${exceptionType}: ${message}\n    at World.<anonymous> (steps/x.ts:1:1)`;
      testStepResult['exception'] = { type: exceptionType, message };
    }
    this.list.push({ testStepFinished: { testCaseStartedId: `${id}#${attempt}`, testStepId: `${id}-step`, testStepResult, timestamp: this.tick() } });
    return this;
  }
  verdict(id: string, attempt: number, verdict: string, reason = ''): this {
    const body = JSON.stringify({ verdict, reason, target: 'ovs' });
    this.list.push({ attachment: { testCaseStartedId: `${id}#${attempt}`, testStepId: `${id}-hook`, mediaType: VERDICT_MEDIA_TYPE, body, contentEncoding: 'IDENTITY' } });
    this.list.push({ testStepFinished: { testCaseStartedId: `${id}#${attempt}`, testStepId: `${id}-hook`, testStepResult: { status: 'PASSED' }, timestamp: this.tick() } });
    return this;
  }
  finish(id: string, attempt: number, willBeRetried = false): this {
    this.list.push({ testCaseFinished: { testCaseStartedId: `${id}#${attempt}`, willBeRetried, timestamp: this.tick() } });
    return this;
  }
  push(envelope: unknown): this {
    this.list.push(envelope);
    return this;
  }
  private tick(): { seconds: number; nanos: number } {
    this.clock += 250;
    return { seconds: Math.floor(this.clock / 1000), nanos: (this.clock % 1000) * 1e6 };
  }
}

function collect(e: Envelopes): { live: ScenarioRow[]; collector: VerdictCollector } {
  const collector = new VerdictCollector();
  const live: ScenarioRow[] = [];
  for (const env of e.list) {
    const row = collector.accept(env);
    if (row) live.push(row);
  }
  return { live, collector };
}

function only(e: Envelopes): ScenarioRow {
  const rows = collect(e).collector.rows();
  if (rows.length !== 1 || rows[0] === undefined) throw new Error(`expected one row, got ${rows.length}`);
  return rows[0];
}

t.test('the attached AttemptVerdict decides each verdict', async (t) => {
  for (const v of ['PASS', 'FAIL', 'UNSUPPORTED', 'HARNESS-ERROR'] as const) {
    const status: Status = v === 'PASS' ? 'PASSED' : v === 'UNSUPPORTED' ? 'SKIPPED' : 'FAILED';
    const row = only(new Envelopes().scenario('a', 12, 'Learning switch floods').start('a', 0).step('a', 0, status, status === 'FAILED' ? 'boom' : '').verdict('a', 0, v, v === 'PASS' ? '' : `why ${v}`).finish('a', 0));
    t.equal(row.verdict, v);
    t.equal(row.reason, v === 'PASS' ? '' : `why ${v}`);
    t.match(row, { uri: 'features/l2/normal.feature', line: 12, name: 'Learning switch floods', attempts: 1, target: 'ovs', durationMs: 750 });
  }
});

t.test('without an attachment the verdict comes from the step results', async (t) => {
  const cases: Array<[Status, string, string, string, RegExp]> = [
    ['PASSED', '', 'Error', 'PASS', /^$/],
    ['FAILED', 'expected 2 packets, got 1\nmore detail', 'Error', 'FAIL', /^expected 2 packets, got 1 \(step: ping twice\)$/],
    ['FAILED', 'harness error: create namespace rsw-0: `ip netns add` failed', 'HarnessError', 'HARNESS-ERROR', /^harness error: create namespace/],
    ['FAILED', 'harness error: thrown as a plain Error', 'Error', 'HARNESS-ERROR', /^harness error: thrown/],
    ['FAILED', 'golden features/x.golden/a.flows is missing', 'GoldenFileError', 'HARNESS-ERROR', /golden/],
    ['UNDEFINED', '', 'Error', 'HARNESS-ERROR', /^undefined step: ping twice$/],
    ['AMBIGUOUS', 'Multiple step definitions match', 'Error', 'HARNESS-ERROR', /^ambiguous step: ping twice$/],
    ['PENDING', '', 'Error', 'HARNESS-ERROR', /^pending step: ping twice$/],
    ['SKIPPED', '', 'Error', 'UNSUPPORTED', /^skipped at step: ping twice$/],
  ];
  for (const [status, message, type, verdict, reason] of cases) {
    const row = only(new Envelopes().scenario('a', 3, 'x', 'ping twice').start('a', 0).step('a', 0, status, message, type).finish('a', 0));
    t.equal(row.verdict, verdict, `${status} ${type}`);
    t.match(row.reason, reason, `${status} ${type}`);
    t.equal(row.target, '');
  }
});

t.test('a PASS attachment does not hide a failed step; a failed hook is reported by its location', async (t) => {
  const row = only(new Envelopes().scenario('a', 3, 'x').start('a', 0).step('a', 0, 'FAILED', 'bad').verdict('a', 0, 'PASS').finish('a', 0));
  t.equal(row.verdict, 'FAIL');
  const hookFail = new Envelopes().scenario('b', 3, 'y').start('b', 0).step('b', 0, 'PASSED');
  hookFail.push({ testStepFinished: { testCaseStartedId: 'b#0', testStepId: 'b-hook', testStepResult: { status: 'FAILED', message: 'HarnessError: harness error: teardown left problems' } } }).finish('b', 0);
  const r = only(hookFail);
  t.equal(r.verdict, 'HARNESS-ERROR');
  t.equal(r.reason, 'harness error: teardown left problems (hook steps/support/hooks.ts:50)');
});

t.test('reasons are the first line of the error, without the error type', async (t) => {
  const r = (message: string, exceptionMessage = ''): string => firstLine({ status: 'FAILED', message, exceptionType: '', exceptionMessage });
  t.equal(r('Error: plain\n    at x'), 'plain');
  t.equal(r('AssertionError [ERR_ASSERTION]: 1 !== 2\n'), '1 !== 2');
  t.equal(r('\n\nexpected: 3 frames'), 'expected: 3 frames');
  t.equal(r('Error: ignored', '\n  from the exception  \nsecond'), 'from the exception');
  t.equal(r('x'.repeat(1000)).length, 300);
});

t.test('retries: FLAKY when the last attempt passes after one that did not', async (t) => {
  const e = new Envelopes().scenario('a', 3, 'x').start('a', 0).step('a', 0, 'FAILED', 'lost a frame').verdict('a', 0, 'FAIL', 'lost a frame').finish('a', 0, true);
  e.start('a', 1).step('a', 1, 'PASSED').verdict('a', 1, 'PASS').finish('a', 1);
  const { live, collector } = collect(e);
  t.equal(live.length, 1, 'one live row, when the last attempt ends');
  const row = collector.rows()[0];
  t.match(row, { verdict: 'FLAKY', attempts: 2, reason: 'attempt 1 FAIL: lost a frame', history: ['FAIL', 'PASS'], durationMs: 1500 });

  const twice = new Envelopes().scenario('b', 3, 'y').start('b', 0).step('b', 0, 'FAILED', 'one').finish('b', 0, true);
  twice.start('b', 1).step('b', 1, 'FAILED', 'two').finish('b', 1);
  t.match(only(twice), { verdict: 'FAIL', attempts: 2, reason: 'two (step: a step)', history: ['FAIL', 'FAIL'] });

  const harnessThenFail = new Envelopes().scenario('c', 3, 'z').start('c', 0).verdict('c', 0, 'HARNESS-ERROR', 'veth').finish('c', 0, true);
  harnessThenFail.start('c', 1).verdict('c', 1, 'FAIL', 'diff').finish('c', 1);
  t.match(only(harnessThenFail), { verdict: 'FAIL', reason: 'diff' }, 'the last attempt decides');
});

t.test('parallel workers interleave envelopes of different scenarios', async (t) => {
  const e = new Envelopes().scenario('a', 3, 'first').scenario('b', 9, 'second').scenario('c', 20, 'third');
  e.start('b', 0).start('a', 0).step('a', 0, 'FAILED', 'a1').step('b', 0, 'PASSED').start('c', 0);
  e.verdict('b', 0, 'PASS').verdict('a', 0, 'FAIL', 'a1').finish('a', 0, true).step('c', 0, 'SKIPPED');
  e.start('a', 1).finish('b', 0).verdict('c', 0, 'UNSUPPORTED', 'no trace').step('a', 1, 'PASSED').finish('c', 0);
  e.verdict('a', 1, 'PASS').finish('a', 1);
  const { live, collector } = collect(e);
  t.same(live.map((r) => r.name), ['second', 'third', 'first'], 'live rows in finishing order');
  t.same(collector.rows().map((r) => [r.line, r.verdict]), [[3, 'FLAKY'], [9, 'PASS'], [20, 'UNSUPPORTED']], 'final rows by file and line');
  t.equal(collector.report().exitCode, EXIT_CODES.ok);
});

t.test('scenarios that never ran or never finished are HARNESS-ERROR; failed (not skipped) run hooks are run errors', async (t) => {
  const e = new Envelopes().scenario('a', 3, 'never started').scenario('b', 9, 'died').start('b', 0).step('b', 0, 'PASSED');
  e.push({ testRunHookFinished: { testRunHookStartedId: 'h', result: { status: 'FAILED', message: 'Error: beforeall broke\n    at x', exception: { type: 'Error', message: 'beforeall broke' } } } });
  e.push({ testRunHookFinished: { testRunHookStartedId: 'h2', result: { status: 'SKIPPED' } } });
  const report = collect(e).collector.report();
  t.match(report.rows, [
    { verdict: 'HARNESS-ERROR', attempts: 0, reason: /never ran/ },
    { verdict: 'HARNESS-ERROR', attempts: 1, reason: /attempt 1 never finished/ },
  ]);
  t.same(report.runErrors, ['BeforeAll/AfterAll hook FAILED: beforeall broke']);
  t.equal(report.exitCode, EXIT_CODES.harnessError);
});

t.test('exit codes: FAIL beats HARNESS-ERROR beats PASS; empty runs do not pass', async (t) => {
  const row = (verdict: ScenarioRow['verdict']): ScenarioRow => ({ uri: 'f', line: 1, name: 'n', verdict, attempts: 1, reason: '', durationMs: 0, target: '', history: [] });
  t.equal(exitCodeFor([row('PASS'), row('FLAKY'), row('UNSUPPORTED')], []), 0);
  t.equal(exitCodeFor([row('PASS'), row('HARNESS-ERROR'), row('FAIL')], []), 1);
  t.equal(exitCodeFor([row('PASS'), row('HARNESS-ERROR')], []), 3);
  t.equal(exitCodeFor([row('PASS')], ['parse error']), 3);
  t.equal(exitCodeFor([], []), 4);
  t.equal(exitCodeFor([], ['parse error in features/a.feature:3: expected ...']), 3);
});

t.test('verdictsFromNdjson reads the message formatter output, skipping junk and base64 bodies', async (t) => {
  const e = new Envelopes().scenario('a', 3, 'x').start('a', 0);
  e.push({ attachment: { testCaseStartedId: 'a#0', mediaType: VERDICT_MEDIA_TYPE, contentEncoding: 'BASE64', body: Buffer.from(JSON.stringify({ verdict: 'UNSUPPORTED', reason: 'no dp-dump', target: 'ovs' })).toString('base64') } });
  e.finish('a', 0);
  e.push({ testRunStarted: { timestamp: { seconds: 10, nanos: 0 } } }).push({ testRunFinished: { success: true, timestamp: { seconds: 12, nanos: 500_000_000 } } });
  e.push({ parseError: { source: { uri: 'features/bad.feature', location: { line: 4 } }, message: '(4:5): expected: #EOF\nmore' } });
  const ndjson = ['not json', '', ...e.list.map((x) => JSON.stringify(x)), '{"unknownKind":{}}'].join('\n');
  const report = verdictsFromNdjson(ndjson);
  t.match(report.rows, [{ verdict: 'UNSUPPORTED', reason: 'no dp-dump' }]);
  t.same(report.counts, { PASS: 0, FAIL: 0, UNSUPPORTED: 1, 'HARNESS-ERROR': 0, FLAKY: 0 });
  t.same(report.runErrors, ['parse error in features/bad.feature:4: (4:5): expected: #EOF']);
  t.equal(report.durationMs, 2500);
  t.equal(report.exitCode, 3);
});

t.test('odd envelopes never throw', async (t) => {
  const c = new VerdictCollector();
  for (const x of [null, 3, 'x', [], {}, { pickle: {} }, { testCaseFinished: { testCaseStartedId: 'nope' } }, { attachment: { testCaseStartedId: 'nope', mediaType: VERDICT_MEDIA_TYPE, body: '{' } }, { testStepFinished: null }]) {
    t.doesNotThrow(() => c.accept(x));
  }
  t.same(c.rows(), []);
  t.equal(c.report().exitCode, 4);
});
