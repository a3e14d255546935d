#!/usr/bin/env node
// The test command: type check, import-direction check, then every node-tap
// unit test. Ends with one plain line `tests: N passed, N failed, N skipped`
// that CI reads; exits non-zero if any stage failed.
import { spawnSync } from 'node:child_process';

const stages = [];
function run(name, cmd, args, { capture = false } = {}) {
  process.stdout.write(`\n== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, {
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (capture && r.stdout) process.stdout.write(r.stdout);
  stages.push({ name, ok: r.status === 0 });
  return r;
}

const extra = process.argv.slice(2);
run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
run('imports', 'node', ['--import', 'tsx', 'scripts/check-imports.ts']);
const tap = run('unit tests', 'npx', ['tap', '--reporter=tap', ...extra], { capture: true });

// tap's closing line looks like `# { total: 12, pass: 11, fail: 1, skip: 2 }`.
let pass = 0, fail = 0, skip = 0;
const summary = (tap.stdout ?? '').split('\n').reverse().find((l) => /^# \{ total: \d+/.test(l));
if (summary) {
  const num = (k) => Number((summary.match(new RegExp(`\\b${k}: (\\d+)`)) ?? [])[1] ?? 0);
  pass = num('pass');
  fail = num('fail');
  skip = num('skip') + num('todo');
}
const failedStages = stages.filter((s) => !s.ok).map((s) => s.name);
if (!summary) failedStages.includes('unit tests') || failedStages.push('unit tests (no summary)');
fail += failedStages.filter((s) => s !== 'unit tests').length;
if (failedStages.length > 0) process.stdout.write(`\nfailed stages: ${failedStages.join(', ')}\n`);
process.stdout.write(`tests: ${pass} passed, ${fail} failed, ${skip} skipped\n`);
process.exit(failedStages.length > 0 || fail > 0 ? 1 : 0);
