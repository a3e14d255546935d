/**
 * bench/veth: the raw veth ceiling of our AF_PACKET addon — frames/s from a
 * sender socket on one end of a veth pair to a receiver socket on the other,
 * both in a private sandbox namespace, driven from one Node thread (send a
 * batch with sendmmsg, drain the receiver with recvmmsg, repeat).
 *
 * Measures, for 64 B and 1500 B frames, the median of `--runs` (default 3)
 * runs of `--frames` frames (default 500,000): received frames/s from the
 * first send to the last receive, plus frames lost (sent − received) and
 * the receiver's drop count. This is the upper bound for the harness's
 * capture; the harness paces its sends far below it (send-pacer.ts).
 * Needs root (netns, AF_PACKET); without it, says why and exits 2.
 * Not a test: prints figures, asserts nothing. No switch is involved.
 */
import { parseArgs } from 'node:util';
import { PacketSocket } from '../reference/netdev/index.ts';
import { checkSandboxSupport } from '../steps/harness/sandbox-support.ts';
import { Sandbox } from '../steps/harness/sandbox.ts';

const { values } = parseArgs({ options: { frames: { type: 'string' }, runs: { type: 'string' }, batch: { type: 'string' } } });
const total = Number(values.frames ?? 500_000);
const runs = Number(values.runs ?? 3);
const batchSize = Number(values.batch ?? 256);
const IDLE_GIVE_UP_MS = 200;

interface RunResult {
  readonly framesPerSec: number;
  readonly lost: number;
  readonly drops: number;
}

function frameOf(size: number): Buffer {
  const b = Buffer.alloc(size, 0x5a);
  b.write('020000000002020000000001', 'hex');
  b.writeUInt16BE(0x88b5, 12); // IEEE local experimental ethertype
  return b;
}

/** One run: `total` frames of `size` bytes from p1-h to p1. */
function runOnce(ns: string, size: number): RunResult {
  const tx = PacketSocket.open({ namespace: ns, ifname: 'p1-h', rcvbufBytes: 0 });
  const rx = PacketSocket.open({ namespace: ns, ifname: 'p1' });
  try {
    const batch = Array.from({ length: batchSize }, () => frameOf(size));
    let sent = 0;
    let received = 0;
    let lastArrival = performance.now();
    const start = performance.now();
    while (received < total) {
      if (sent < total) sent += tx.send(sent + batchSize <= total ? batch : batch.slice(0, total - sent));
      const n = rx.receive(4096).length;
      received += n;
      const now = performance.now();
      if (n > 0) lastArrival = now;
      else if (sent >= total && now - lastArrival > IDLE_GIVE_UP_MS) break;
    }
    const seconds = (lastArrival - start) / 1000;
    return { framesPerSec: received / seconds, lost: sent - received, drops: rx.stats().drops };
  } finally {
    tx.close();
    rx.close();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const reason = await checkSandboxSupport();
if (reason !== undefined) {
  console.error(`bench/veth: cannot run: ${reason}`);
  process.exit(2);
}
const sb = await Sandbox.create({ scenarioId: 'bench/veth', workerId: `bv${process.pid}`.slice(0, 8), ports: ['p1'] });
try {
  console.log(`bench/veth: ${total} frames per run, median of ${runs}, sendmmsg batches of ${batchSize}, one veth pair in ${sb.namespace}`);
  for (const size of [64, 1500]) {
    const results = Array.from({ length: runs }, () => runOnce(sb.namespace, size));
    const rate = median(results.map((r) => r.framesPerSec));
    const lost = results.map((r) => r.lost).join('/');
    const drops = results.map((r) => r.drops).join('/');
    console.log(
      `  ${String(size).padStart(4)} B: ${Math.round(rate).toLocaleString('en-US').padStart(9)} frames/s` +
        `  (${((rate * size * 8) / 1e9).toFixed(2)} Gbit/s; runs ${results.map((r) => Math.round(r.framesPerSec / 1000)).join('/')}k; lost ${lost}; receiver drops ${drops})`,
    );
  }
} finally {
  const report = await sb.destroy();
  if (report.errors.length > 0) console.error(`bench/veth: cleanup errors: ${report.errors.join('; ')}`);
}
