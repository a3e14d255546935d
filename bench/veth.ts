/**
 * bench/veth: the raw veth ceiling of our AF_PACKET addon — frames/s from a
 * sender socket on one end of a veth pair to a receiver socket on the other,
 * both in a private sandbox namespace, driven from one Node thread.
 *
 * Three I/O paths, side by side in one run, for 64 B and 1500 B frames:
 *  - objects:  send(Uint8Array[]) and receive() (a Buffer and an object per
 *              frame), polled in a loop — what the harness uses;
 *  - ring:     sendFrom(FrameSpans) and receiveInto(RxRing), nothing
 *              allocated per frame, polled in a loop;
 *  - ring+evt: the same calls, but the receiver drains only when the event
 *              loop says the socket is readable (onReadable) and the sender
 *              sends one batch per loop turn (setImmediate) — the switch's
 *              shape.
 * Each figure is the median of `--runs` (default 3) runs of `--frames`
 * frames (default 500,000), the paths taking turns so that noise from other
 * work on the machine hits them alike: received frames/s from the first
 * send to the last receive; the same per second of this process's CPU time
 * (user + system: the rate with the CPU to itself, less the softirq time
 * the kernel may not charge to us); frames lost (sent − received); receiver
 * drops; and the share of the run spent inside the send and receive calls
 * (the kernel's veth delivery happens inside send: one thread does both
 * ends). This is the upper bound for a switch's veth vports and for the
 * harness's capture.
 * Needs root (netns, AF_PACKET); without it, says why and exits 2.
 * Not a test: prints figures, asserts nothing. No switch is involved.
 */
import { parseArgs } from 'node:util';
import { PacketSocket, RxRing, type FrameSpans } from '../reference/netdev/index.ts';
import { checkSandboxSupport } from '../steps/harness/sandbox-support.ts';
import { Sandbox } from '../steps/harness/sandbox.ts';

const { values } = parseArgs({
  options: { frames: { type: 'string' }, runs: { type: 'string' }, batch: { type: 'string' }, slots: { type: 'string' } },
});
const total = Number(values.frames ?? 500_000);
const runs = Number(values.runs ?? 3);
const batchSize = Number(values.batch ?? 256);
const slots = Number(values.slots ?? 256);
const IDLE_GIVE_UP_MS = 200;

interface RunResult {
  readonly framesPerSec: number;
  readonly framesPerCpuSec: number;
  readonly lost: number;
  readonly drops: number;
  readonly sendShare: number;
  readonly receiveShare: number;
}

/** One way of moving frames: `step` sends up to `budget` frames (0: none) and drains; returns frames received. */
interface Path {
  readonly name: string;
  readonly isEvented: boolean;
  make(tx: PacketSocket, rx: PacketSocket, size: number): { send(budget: number): number; receive(): number };
}

function frameOf(size: number): Buffer {
  const b = Buffer.alloc(size, 0x5a);
  b.write('020000000002020000000001', 'hex');
  b.writeUInt16BE(0x88b5, 12); // IEEE local experimental ethertype
  return b;
}

function spansOf(size: number): FrameSpans {
  const data = new Uint8Array(batchSize * size);
  const frame = frameOf(size);
  for (let i = 0; i < batchSize; i++) data.set(frame, i * size);
  return {
    data,
    offsets: Uint32Array.from({ length: batchSize }, (_, i) => i * size),
    lengths: new Uint32Array(batchSize).fill(size),
  };
}

const objects: Path = {
  name: 'objects  send()+receive()',
  isEvented: false,
  make(tx, rx, size) {
    const batch = Array.from({ length: batchSize }, () => frameOf(size));
    return {
      send: (budget) => tx.send(budget >= batchSize ? batch : batch.slice(0, budget)),
      receive: () => rx.receive(4096).length,
    };
  },
};

function ringPath(name: string, isEvented: boolean): Path {
  return {
    name,
    isEvented,
    make(tx, rx, size) {
      const spans = spansOf(size);
      const ring = new RxRing({ slots, slotBytes: Math.max(2048, size + 4) });
      return {
        send: (budget) => tx.sendFrom(spans, Math.min(budget, batchSize)),
        receive: () => {
          let got = 0;
          for (let n = slots; n === slots; got += n) n = rx.receiveInto(ring);
          return got;
        },
      };
    },
  };
}

const paths: readonly Path[] = [objects, ringPath('ring     sendFrom()+receiveInto()', false), ringPath('ring+evt onReadable, setImmediate', true)];

/** Timing around the send and receive calls of one run. */
class Clock {
  readonly start = performance.now();
  readonly cpuStart = process.cpuUsage();
  lastArrival = this.start;
  sendMs = 0;
  receiveMs = 0;
  timed(into: 'sendMs' | 'receiveMs', fn: () => number): number {
    const t0 = performance.now();
    const n = fn();
    this[into] += performance.now() - t0;
    return n;
  }
}

function result(clock: Clock, sent: number, received: number, rx: PacketSocket): RunResult {
  const ms = clock.lastArrival - clock.start;
  const cpu = process.cpuUsage(clock.cpuStart);
  return {
    framesPerSec: received / (ms / 1000),
    framesPerCpuSec: received / ((cpu.user + cpu.system) / 1e6),
    lost: sent - received,
    drops: rx.stats().drops,
    sendShare: clock.sendMs / ms,
    receiveShare: clock.receiveMs / ms,
  };
}

/** Polled: send a batch, drain, repeat, until all arrived or nothing came for IDLE_GIVE_UP_MS. */
function runPolled(io: ReturnType<Path['make']>, rx: PacketSocket): RunResult {
  const clock = new Clock();
  let sent = 0;
  let received = 0;
  while (received < total) {
    if (sent < total) sent += clock.timed('sendMs', () => io.send(total - sent));
    const n = clock.timed('receiveMs', () => io.receive());
    received += n;
    const now = performance.now();
    if (n > 0) clock.lastArrival = now;
    else if (sent >= total && now - clock.lastArrival > IDLE_GIVE_UP_MS) break;
  }
  return result(clock, sent, received, rx);
}

/** Evented: one batch per loop turn from setImmediate, draining only in rx's readable callback. */
function runEvented(io: ReturnType<Path['make']>, rx: PacketSocket): Promise<RunResult> {
  return new Promise((resolve) => {
    const clock = new Clock();
    let sent = 0;
    let received = 0;
    const finish = (): void => {
      rx.offReadable();
      clearTimeout(idle);
      resolve(result(clock, sent, received, rx));
    };
    // Gives up only once everything is sent and nothing came for a while (as runPolled).
    const idle = setTimeout(function check() {
      if (sent >= total && performance.now() - clock.lastArrival > IDLE_GIVE_UP_MS) finish();
      else idle.refresh();
    }, IDLE_GIVE_UP_MS);
    rx.onReadable(() => {
      received += clock.timed('receiveMs', () => io.receive());
      clock.lastArrival = performance.now();
      if (received >= total) finish();
    });
    const sendOne = (): void => {
      if (sent >= total) return;
      sent += clock.timed('sendMs', () => io.send(total - sent));
      setImmediate(sendOne);
    };
    sendOne();
  });
}

async function runOnce(ns: string, size: number, path: Path): Promise<RunResult> {
  const tx = PacketSocket.open({ namespace: ns, ifname: 'p1-h', rcvbufBytes: 0 });
  const rx = PacketSocket.open({ namespace: ns, ifname: 'p1' });
  try {
    const io = path.make(tx, rx, size);
    return path.isEvented ? await runEvented(io, rx) : runPolled(io, rx);
  } finally {
    tx.close();
    rx.close();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function describe(size: number, path: Path, results: readonly RunResult[]): string {
  const rate = median(results.map((r) => r.framesPerSec));
  const cpuRate = median(results.map((r) => r.framesPerCpuSec));
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const count = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(9);
  return (
    `  ${String(size).padStart(4)} B  ${path.name.padEnd(36)} ${count(rate)} frames/s, ${count(cpuRate)} per CPU-s` +
    `  (${((rate * size * 8) / 1e9).toFixed(2)} Gbit/s; runs ${results.map((r) => Math.round(r.framesPerSec / 1000)).join('/')}k;` +
    ` in send ${pct(median(results.map((r) => r.sendShare)))}, receive ${pct(median(results.map((r) => r.receiveShare)))};` +
    ` lost ${results.map((r) => r.lost).join('/')}; receiver drops ${results.map((r) => r.drops).join('/')})`
  );
}

const reason = await checkSandboxSupport();
if (reason !== undefined) {
  console.error(`bench/veth: cannot run: ${reason}`);
  process.exit(2);
}
const sb = await Sandbox.create({ scenarioId: 'bench/veth', workerId: `bv${process.pid}`.slice(0, 8), ports: ['p1'] });
try {
  console.log(
    `bench/veth: ${total} frames per run, median of ${runs}, send batches of ${batchSize}, rings of ${slots} slots, one veth pair in ${sb.namespace}`,
  );
  for (const size of [64, 1500]) {
    const results = paths.map((): RunResult[] => []);
    for (let i = 0; i < runs; i++) {
      for (const [k, path] of paths.entries()) results[k]?.push(await runOnce(sb.namespace, size, path));
    }
    paths.forEach((path, k) => console.log(describe(size, path, results[k] ?? [])));
  }
} finally {
  const report = await sb.destroy();
  if (report.errors.length > 0) console.error(`bench/veth: cleanup errors: ${report.errors.join('; ')}`);
}
