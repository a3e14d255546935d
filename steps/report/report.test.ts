/**
 * The reporting chain end to end, without root: cucumber-js (as `refswitch
 * run` starts it, TypeScript through NODE_OPTIONS=--import tsx) runs a tiny
 * feature and step file written into a fixture directory at test time, with
 * the refswitch summary formatter and the HTML, JUnit and message reports
 * pointed into that directory. Checks each verdict (PASS, FAIL, FLAKY after a
 * retry, HARNESS-ERROR, UNSUPPORTED from a skipped step and from an attached
 * AttemptVerdict), the exit codes, summary.txt against stdout, and that the
 * HTML and JUnit reports exist and carry the failure; then the same under
 * --parallel 2, where formatters run in the coordinator; an empty run (exit 4)
 * and a feature that does not parse (exit 3).
 * The fixture directory is tap's testdir (under .tap/ in the repository), so
 * `@cucumber/cucumber` and `tsx` resolve from the repository's node_modules.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cucumberBinPath } from '../../reference/cli/run-command.ts';
import { VERDICT_MEDIA_TYPE } from './verdict.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const formatterPath = join(import.meta.dirname, 'summary-formatter.ts');

const FEATURE = `Feature: reporting chain
  Scenario: passes
    Given it works

  Scenario: the switch fails
    Given the switch drops the frame

  Scenario: flaky
    Given it fails the first time

  Scenario: the rig breaks
    Given the harness cannot create a namespace

  Scenario: skipped step
    Given the switch lacks a capability

  @declared
  Scenario: declared unsupported
    Given it works
`;

const STEPS = `import { After, Given } from '@cucumber/cucumber';
import { existsSync, writeFileSync } from 'node:fs';
const counter = new URL('./attempts.txt', import.meta.url);
Given('it works', function () {});
Given('the switch drops the frame', function () {
  this.attach('expected: 1 frame on p2\\nactual:   0 frames', { mediaType: 'text/plain', fileName: 'frames-diff.txt' });
  this.attach('a plain text log line', 'text/plain');
  throw new Error('expected 1 frame on p2, got 0');
});
Given('it fails the first time', function () {
  if (!existsSync(counter)) {
    writeFileSync(counter, '1');
    throw new Error('lost a frame on attempt 1');
  }
});
Given('the harness cannot create a namespace', function () {
  throw new Error('harness error: create namespace rsw-0: ip netns add failed (exit code 1)');
});
Given('the switch lacks a capability', function () { return 'skipped'; });
After({ tags: '@declared' }, function () {
  this.attach(JSON.stringify({ verdict: 'UNSUPPORTED', reason: 'needs dp-dump', target: 'fake' }), '${VERDICT_MEDIA_TYPE}');
});
`;

interface Run {
  readonly dir: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly verdicts: { exitCode: number; rows: Array<Record<string, unknown>>; counts: Record<string, number> };
}

const asRelative = (p: string): string => (p.startsWith('.') ? p : `./${p}`);

function runCucumber(dir: string, extra: readonly string[]): Run {
  const reports = join(dir, 'out');
  const args = [
    cucumberBinPath(repoRoot),
    'features/**/*.feature',
    '--import', 'glue/steps.ts',
    '--retry', '1',
    // A path relative to the working directory: a file:// URL's colons draw a deprecation warning.
    '--format', asRelative(relative(dir, formatterPath)),
    '--format', `html:${join(reports, 'cucumber.html')}`,
    '--format', `junit:${join(reports, 'junit.xml')}`,
    '--format', `message:${join(reports, 'messages.ndjson')}`,
    '--format-options', JSON.stringify({ junit: { suiteName: 'refswitch' }, refswitch: { reportsDir: reports } }),
    ...extra,
  ];
  const env = { ...process.env, NODE_OPTIONS: '--import tsx', FORCE_COLOR: '0' };
  const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  const text = existsSync(join(reports, 'verdicts.json')) ? readFileSync(join(reports, 'verdicts.json'), 'utf8') : 'null';
  return { dir, status: r.status, stdout: r.stdout, stderr: r.stderr, verdicts: JSON.parse(text) as Run['verdicts'] };
}

function checkRun(t: Test, run: Run): void {
  t.ok(run.verdicts, 'verdicts.json written');
  t.equal(run.stderr, '', 'nothing on stderr');
  if (!run.verdicts) return;
  const byName = new Map(run.verdicts.rows.map((r) => [r['name'], r]));
  t.match(byName.get('passes'), { verdict: 'PASS', attempts: 1, reason: '', uri: 'features/chain.feature', line: 2 });
  t.match(byName.get('the switch fails'), { verdict: 'FAIL', attempts: 2, reason: 'expected 1 frame on p2, got 0 (step: the switch drops the frame)' });
  t.match(byName.get('flaky'), { verdict: 'FLAKY', attempts: 2, reason: 'attempt 1 FAIL: lost a frame on attempt 1 (step: it fails the first time)' });
  t.match(byName.get('the rig breaks'), { verdict: 'HARNESS-ERROR', reason: /^harness error: create namespace rsw-0/ });
  t.match(byName.get('skipped step'), { verdict: 'UNSUPPORTED', attempts: 1, reason: 'skipped at step: the switch lacks a capability' });
  t.match(byName.get('declared unsupported'), { verdict: 'UNSUPPORTED', reason: 'needs dp-dump', target: 'fake' });
  t.same(run.verdicts.counts, { PASS: 1, FAIL: 1, UNSUPPORTED: 2, 'HARNESS-ERROR': 1, FLAKY: 1 });
  t.equal(run.verdicts.exitCode, 1, 'a FAIL makes exit code 1');
  t.equal(run.status, 1, 'cucumber itself failed too');

  t.match(run.stdout, /^FAIL {11}features\/chain\.feature:5 {2}the switch fails {2}\(2 attempts\)$/m, 'a live line per scenario');
  t.match(run.stdout, /^refswitch: 6 scenarios: 1 PASS, 1 FAIL, 2 UNSUPPORTED, 1 HARNESS-ERROR, 1 FLAKY$/m);
  t.match(run.stdout, /Exit code: 1 \(a scenario FAILED\)/);
  t.equal(readFileSync(join(run.dir, 'out', 'summary.txt'), 'utf8'), run.stdout, 'summary.txt is what was printed');

  const html = readFileSync(join(run.dir, 'out', 'cucumber.html'), 'utf8');
  t.ok(html.includes('expected 1 frame on p2, got 0'), "the HTML report carries the failing step's message");
  const junit = readFileSync(join(run.dir, 'out', 'junit.xml'), 'utf8');
  t.match(junit, /<testsuite name="refswitch"/);
  t.match(junit, /expected 1 frame on p2, got 0/);
  t.ok(existsSync(join(run.dir, 'out', 'messages.ndjson')));
}

const fixture = { features: { 'chain.feature': FEATURE }, glue: { 'steps.ts': STEPS } };

t.test('serial run: every verdict, reports and exit code', async (t) => {
  checkRun(t, runCucumber(t.testdir(fixture), []));
});

t.test('--parallel 2: the formatter in the coordinator sees every worker', async (t) => {
  checkRun(t, runCucumber(t.testdir(fixture), ['--parallel', '2']));
});

t.test('a run with no scenarios must not pass', async (t) => {
  const run = runCucumber(t.testdir(fixture), ['--name', 'no scenario has this name']);
  t.equal(run.verdicts.exitCode, 4);
  t.same(run.verdicts.rows, []);
  t.match(run.stdout, /refswitch: 0 scenarios[^]*Exit code: 4 \(no scenarios ran\)/);
});

t.test('a feature that does not parse is a harness error, not an empty run', async (t) => {
  const run = runCucumber(t.testdir({ ...fixture, features: { 'bad.feature': 'Feature: x\n  Scenario: y\n    Given it works\n  not gherkin\n' } }), []);
  t.equal(run.verdicts.exitCode, 3);
  t.match(run.stdout, /Run errors:\n {2}parse error in features\/bad\.feature:4: /);
});
