import t from 'tap';
import { formatProfileSummary, summariseCpuProfile } from './cpu-profile.ts';

const frame = (functionName: string, url: string): { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId: string } =>
  ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '1' });

// root → send (a.ts) → anonymous (a.ts); root → lookup (b.ts); root → (idle)
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 4, 5] },
    { id: 2, callFrame: frame('send', 'file:///repo/a.ts'), children: [3] },
    { id: 3, callFrame: frame('', 'file:///repo/a.ts') },
    { id: 4, callFrame: frame('lookup', 'file:///repo/b.ts') },
    { id: 5, callFrame: frame('(idle)', '') },
  ],
  samples: [3, 3, 4, 5, 2],
  // V8: delta before each sample; a sample's time is the next delta.
  timeDeltas: [0, 1000, 1000, 2000, 4000, 1000],
  startTime: 0,
  endTime: 9000,
};

t.test('self time per function and file, idle apart, anonymous named after callers', async (t) => {
  const s = summariseCpuProfile(profile, '/repo');
  t.equal(s.busyMs, 5, '1 + 1 + 2 + 1 ms busy');
  t.equal(s.idleMs, 4);
  t.same(s.functions.map((f) => [f.name, f.selfMs]), [['(anonymous) ← send  a.ts', 2], ['lookup  b.ts', 2], ['send  a.ts', 1]]);
  t.same(s.files.map((f) => [f.name, f.selfMs, f.share]), [['a.ts', 3, 0.6], ['b.ts', 2, 0.4]]);
  t.match(formatProfileSummary(s).join('\n'), /busy 0\.01 s, idle 0\.00 s[\s\S]*60\.0%  a\.ts/);
});

t.test('not a profile: a plain error', async (t) => {
  t.throws(() => summariseCpuProfile({ nodes: [] }, '/'), /not a V8 CPU profile/);
  t.throws(() => summariseCpuProfile(null, '/'), /not a V8 CPU profile/);
});
