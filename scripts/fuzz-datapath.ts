/**
 * The datapath fuzz outside the test suite: `npm run fuzz:datapath [count]
 * [seed]` runs `count` (default 1,000,000) random and mutated frames with
 * random action lists through extraction and action execution
 * (reference/datapath/testing/fuzz-frames.ts) and prints frames,
 * exceptions, stale keys and seconds; exits 1 on any failure, printing the
 * first one.
 */
import { runDatapathFuzz } from '../reference/datapath/testing/fuzz-frames.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 0x0da7a9a7);
if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed)) {
  process.stderr.write('usage: fuzz-datapath.ts [count] [seed]\n');
  process.exit(2);
}
const r = runDatapathFuzz(count, seed);
const drops = Object.entries(r.drops).map(([k, v]) => `${k}:${v}`).join(' ');
process.stdout.write(`frames: ${r.frames} exceptions: ${r.exceptions} stale-keys: ${r.staleKeys} seconds: ${r.seconds.toFixed(1)}\n`);
process.stdout.write(`seed: ${seed} outputs: ${r.outputs} drops: ${drops}\n`);
if (r.firstFailure !== undefined) process.stdout.write(`first failure: ${r.firstFailure}\n`);
process.exit(r.exceptions + r.staleKeys > 0 ? 1 : 0);
