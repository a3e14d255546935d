/**
 * `refswitch run` without running cucumber: argument parsing, the cucumber
 * argv and environment it builds, the target and not-root refusals, and the
 * exit code taken from verdicts.json (the node child is replaced by a fake
 * that writes, or does not write, that file in a temporary root).
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './command.ts';
import {
  NEEDS_ROOT,
  cucumberBinPath,
  cucumberInvocation,
  exitCodeFromVerdicts,
  parseRunArgs,
  runConformance,
  type RunDeps,
  type RunPlan,
} from './run-command.ts';

function plan(argv: readonly string[]): RunPlan {
  const p = parseRunArgs(argv);
  if (p === 'help') throw new Error('unexpected help');
  return p;
}

t.test('parsing: own options first, then everything for cucumber', async (t) => {
  t.same(plan([]), { target: 'reference', updateGolden: false, parallel: undefined, slowFactor: undefined, retry: undefined, cucumberArgs: [] });
  t.same(plan(['--target', 'ovs', '--update-golden', '--parallel', '4', '--slow-factor=2.5', '--retry=0', '--name', 'floods', 'features/l2/normal.feature']), {
    target: 'ovs',
    updateGolden: true,
    parallel: 4,
    slowFactor: '2.5',
    retry: 0,
    cucumberArgs: ['--name', 'floods', 'features/l2/normal.feature'],
  });
  t.same(plan(['--parallel', '2', '--', '--tags', '@l2 and not @slow']).cucumberArgs, ['--tags', '@l2 and not @slow']);
  t.same(plan(['--', '--target']).cucumberArgs, ['--target'], 'after -- nothing is ours');
  t.equal(parseRunArgs(['--help']), 'help');
  t.equal(parseRunArgs(['--retry', '2', '-h']), 'help');
});

t.test('parsing: bad values are usage errors', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [['--target', 'vendor'], /--target: expected ovs or reference, got 'vendor'/],
    [['--target'], /--target: expected/],
    [['--parallel', 'many'], /--parallel: expected a whole number, got 'many'/],
    [['--retry', '-1'], /--retry: expected a whole number/],
    [['--slow-factor', '0.5'], /--slow-factor: expected a number from 1 to 100, got '0.5'/],
    [['--slow-factor', 'x'], /--slow-factor/],
    [['--update-golden=yes'], /takes no value/],
    [['features/a.feature', '--target', 'ovs'], /--target must come before cucumber-js options/],
    [['--name', 'x', '--update-golden'], /--update-golden must come before/],
  ];
  for (const [argv, message] of bad) t.throws(() => parseRunArgs(argv), { name: 'UsageError', message }, argv.join(' '));
});

t.test('the cucumber command line and environment', async (t) => {
  const base = { NODE_OPTIONS: '--max-old-space-size=4096', PATH: '/usr/bin', REFSWITCH_UPDATE_GOLDEN: '1', CUCUMBER_PUBLISH_TOKEN: 'x', CUCUMBER_PUBLISH_ENABLED: 'true' };
  const a = cucumberInvocation(plan(['--parallel', '3', '--name', 'floods']), '/bin/cucumber.js', base);
  t.same(a.args, ['/bin/cucumber.js', '--config', 'cucumber.mjs', '--retry', '1', '--parallel', '3', '--name', 'floods']);
  t.equal(a.env['NODE_OPTIONS'], '--max-old-space-size=4096 --import tsx');
  t.equal(a.env['REFSWITCH_TARGET'], 'reference');
  t.equal(a.env['REFSWITCH_UPDATE_GOLDEN'], '0', 'an inherited 1 never records goldens by accident');
  t.equal(a.env['REFSWITCH_SLOW_FACTOR'], undefined);
  t.equal(a.env['PATH'], '/usr/bin');
  t.notOk('CUCUMBER_PUBLISH_TOKEN' in a.env || 'CUCUMBER_PUBLISH_ENABLED' in a.env, 'publishing cannot be switched on');
  t.equal(base.NODE_OPTIONS, '--max-old-space-size=4096', 'the caller environment is not modified');

  const ref = cucumberInvocation(plan(['--target', 'reference']), '/c.js', {});
  t.equal(ref.env['REFSWITCH_TARGET'], 'reference', 'the reference switch is a target like any other');

  const b = cucumberInvocation(plan(['--update-golden', '--retry', '3', '--slow-factor', '4']), '/c.js', { NODE_OPTIONS: '--import tsx' });
  t.same(b.args, ['/c.js', '--config', 'cucumber.mjs', '--retry', '3']);
  t.equal(b.env['NODE_OPTIONS'], '--import tsx', 'tsx is not imported twice');
  t.equal(b.env['REFSWITCH_UPDATE_GOLDEN'], '1');
  t.equal(b.env['REFSWITCH_SLOW_FACTOR'], '4');

  const c = cucumberInvocation(plan(['--name', 'x', '--retry', '0']), '/c.js', {});
  t.same(c.args, ['/c.js', '--config', 'cucumber.mjs', '--name', 'x', '--retry', '0'], "the user's own --retry replaces the default");
  t.equal(c.env['NODE_OPTIONS'], '--import tsx');
});

t.test('the installed cucumber-js is found from its package.json', async (t) => {
  t.match(cucumberBinPath(process.cwd()), /node_modules\/@cucumber\/cucumber\/bin\/cucumber\.js$/);
});

t.test('exit code from verdicts.json', async (t) => {
  t.same(exitCodeFromVerdicts('{"exitCode":1,"rows":[]}'), { code: 1 });
  t.same(exitCodeFromVerdicts('{"exitCode":4}'), { code: 4 });
  t.match(exitCodeFromVerdicts(undefined), { why: /was not written/ });
  t.match(exitCodeFromVerdicts('{"exit'), { why: /is not JSON/ });
  t.match(exitCodeFromVerdicts('{"exitCode":0.5}'), { why: /no valid exitCode \(0.5\)/ });
});

function fakeDeps(t: { teardown(fn: () => void): void }, over: Partial<RunDeps>): RunDeps & { out: string[]; err: string[]; runs: Array<readonly string[]> } {
  const out: string[] = [];
  const err: string[] = [];
  const runs: Array<readonly string[]> = [];
  const root = mkdtempSync(join(tmpdir(), 'refswitch-run-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return {
    out,
    err,
    runs,
    isRoot: () => true,
    root,
    cucumberBin: () => '/fake/cucumber.js',
    env: {},
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    runNode: async (args) => {
      runs.push(args);
      return { code: 0, signal: null };
    },
    ...over,
  };
}

t.test('refusals happen before cucumber is started', async (t) => {
  const never: RunDeps['runNode'] = async () => {
    throw new Error('cucumber must not be started');
  };
  const user = fakeDeps(t, { isRoot: () => false, runNode: never });
  t.equal(await runConformance(['--parallel', '2'], user), 2);
  t.match(user.err.join(''), /must run as root.*CAP_NET_ADMIN/);
  t.equal(user.err.join(''), `${NEEDS_ROOT}\n`);

  const help = fakeDeps(t, { runNode: never });
  t.equal(await runConformance(['--help'], help), 0);
  t.match(help.out.join(''), /^usage: refswitch run \[--target ovs\|reference\]/);

  await t.rejects(runConformance(['--parallel', 'x'], fakeDeps(t, { runNode: never })), UsageError);
});

t.test('the exit code is the one verdicts.json records; a stale one is removed first', async (t) => {
  const d = fakeDeps(t, {});
  mkdirSync(join(d.root, 'reports'));
  writeFileSync(join(d.root, 'reports', 'verdicts.json'), '{"exitCode":0}');
  const writes = fakeDeps(t, {
    root: d.root,
    runNode: async (args, env, cwd) => {
      t.equal(cwd, d.root);
      t.equal(env['REFSWITCH_TARGET'], 'reference');
      t.same(args.slice(0, 4), ['/fake/cucumber.js', '--config', 'cucumber.mjs', '--retry']);
      t.notOk(existsSync(join(cwd, 'reports', 'verdicts.json')), 'stale verdicts.json removed');
      writeFileSync(join(cwd, 'reports', 'verdicts.json'), '{"exitCode":1}');
      return { code: 1, signal: null };
    },
  });
  t.equal(await runConformance([], writes), 1);

  const dies = fakeDeps(t, { root: d.root, runNode: async () => ({ code: null, signal: 'SIGINT' }) });
  t.equal(await runConformance([], dies), 3);
  t.match(dies.err.join(''), /reports\/verdicts\.json was not written: cucumber-js was stopped by SIGINT/);
});
