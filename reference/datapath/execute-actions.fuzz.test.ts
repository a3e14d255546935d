// Fuzz (acceptance item of the datapath): random and mutated frames through
// kernel key extraction and action execution with random action lists of
// every kind, and every truncation of the seed frames through one list per
// rewriting action. Contract: nothing throws, and a key marked valid always
// equals a fresh extraction. Seeded (FUZZ_SEED) so a failure replays; the
// first failure prints its frame and actions. FUZZ_SCALE multiplies the
// volume; `npm run fuzz:datapath` runs 1,000,000 frames outside the suite.
import t from 'tap';
import { runDatapathFuzz, runTruncationSweep } from './testing/fuzz-frames.ts';

const seed = Number(process.env.FUZZ_SEED ?? 0x0da7a9a7);
const scale = Number(process.env.FUZZ_SCALE ?? 1);
t.comment(`fuzz seed ${seed} (FUZZ_SEED=${seed} replays it), scale ${scale}`);

t.test('100,000 random and mutated frames with random action lists', (t) => {
  const r = runDatapathFuzz(100_000 * scale, seed);
  t.equal(r.firstFailure, undefined, 'no failure');
  t.equal(r.exceptions, 0, 'no exception escaped');
  t.equal(r.staleKeys, 0, 'every key marked valid matched a fresh extraction');
  t.ok(r.outputs > 1000, `${r.outputs} frames sent`);
  for (const reason of ['last-action', 'explicit', 'action-error', 'invalid-port', 'meter', 'upcall-lost'] as const) {
    t.ok((r.drops[reason] ?? 0) > 0, `reached drop reason ${reason} (${r.drops[reason] ?? 0})`);
  }
  t.end();
});

t.test('every truncation of every third seed frame through each rewriting action', (t) => {
  const r = runTruncationSweep(undefined, Math.max(1, Math.round(3 / scale)));
  t.equal(r.firstFailure, undefined, 'no failure');
  t.equal(r.exceptions + r.staleKeys, 0, 'no exception, no stale key');
  t.ok(r.frames > 50_000, `${r.frames} runs`);
  t.end();
});
