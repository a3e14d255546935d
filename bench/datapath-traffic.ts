/**
 * bench/datapath-traffic: the load and the counting of bench/datapath —
 * the frames, the megaflows that match them, and one measured window of
 * "send as fast as possible into one interface, count what comes out of
 * another".
 *
 * Frames: `distinct` UDP/IPv4 frames of exactly `sizeBytes` (the length
 * handed to the socket, no FCS), frame j from 10.k.x.y to 192.168.0.1 with
 * k = j mod 10. The megaflow set for N flows is 10 groups of N/10 (10
 * masks: group k matches ipv4 src exactly and dst under a /(23+k) prefix),
 * disjoint because src's second byte is k; frame j hits flow
 * ⌊j/10⌋·stride of its group, so the frames spread over the whole table.
 *
 * The window: one thread sends batches with sendFrom (cycling over the
 * frames) and drains the receiver with receiveInto, yielding to the event
 * loop every millisecond or so. After `warmupMs` it counts, for `windowMs`:
 * frames the sender's socket took (offered), frames received, and, from
 * the interface counters read at both ends of the window, what arrived at
 * the switch's end of the ingress veth and what the switch sent out of the
 * egress one. Rates are per second of the window.
 *
 * Left out on purpose: pacing below the maximum (the rate is the maximum
 * forwarding rate under overload), latency, other protocols.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { PacketSocket, RxRing, type FrameSpans } from '../reference/netdev/index.ts';
import { encodePacket } from '../reference/packet/index.ts';
import type { Sandbox } from '../steps/harness/index.ts';

export const MASKS = 10;
const HEADERS_BYTES = 14 + 20 + 8;
const SEND_BATCH = 256;
const SLICE_MS = 1;

/** ipv4 source of the i-th flow of group k. */
function srcOf(k: number, i: number): string {
  return `10.${k}.${(i >> 8) & 255}.${i & 255}`;
}

/** Prefix mask of group k: /(23+k), k = 0..9. */
function dstMaskOf(k: number): string {
  const bits = 23 + k;
  const m = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.');
}

/** How far apart, inside its group, the flows hit by consecutive frames are. */
function strideOf(flows: number, distinct: number): number {
  return Math.max(1, Math.floor(flows / MASKS / Math.max(1, Math.ceil(distinct / MASKS))));
}

/**
 * `distinct` frames of `sizeBytes` as FrameSpans holding `distinct + SEND_BATCH`
 * spans (the first batch repeated at the end), so any start in 0..distinct-1
 * can send a whole batch in one call.
 */
export function buildFrames(sizeBytes: number, distinct: number, flows: number): FrameSpans {
  if (sizeBytes < HEADERS_BYTES) throw new Error(`frames of ${sizeBytes} bytes cannot hold Ethernet + IPv4 + UDP (${HEADERS_BYTES})`);
  const stride = strideOf(flows, distinct);
  const groupSize = Math.max(1, Math.floor(flows / MASKS));
  const frames: Uint8Array[] = [];
  for (let j = 0; j < distinct; j++) {
    const k = j % MASKS;
    const i = (Math.floor(j / MASKS) * stride) % groupSize;
    frames.push(
      encodePacket([
        { name: 'Ether', fields: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } },
        { name: 'IP', fields: { src: srcOf(k, i), dst: '192.168.0.1' } },
        { name: 'UDP', fields: { sport: 1024 + (j % 50_000), dport: 2000 } },
        { name: 'Raw', fields: { load: 'x'.repeat(sizeBytes - HEADERS_BYTES) } },
      ]),
    );
  }
  const spans = distinct + SEND_BATCH;
  const data = new Uint8Array(spans * sizeBytes);
  const offsets = new Uint32Array(spans);
  const lengths = new Uint32Array(spans).fill(sizeBytes);
  for (let s = 0; s < spans; s++) {
    const f = frames[s % distinct];
    if (f === undefined || f.length !== sizeBytes) throw new Error(`frame ${s % distinct} is ${f?.length} bytes, not ${sizeBytes}`);
    data.set(f, s * sizeBytes);
    offsets[s] = s * sizeBytes;
  }
  return { data, offsets, lengths };
}

/** `flows` megaflows over MASKS masks as dpctl/add-flow [key, actions] pairs (flows a multiple of MASKS). */
export function* megaflowSet(flows: number, inPort: number, outPort: number): Generator<readonly [string, string]> {
  const groupSize = Math.floor(flows / MASKS);
  for (let k = 0; k < MASKS; k++) {
    const dst = `192.168.0.1/${dstMaskOf(k)}`;
    for (let i = 0; i < groupSize; i++) {
      yield [`in_port(${inPort}),eth(),eth_type(0x0800),ipv4(src=${srcOf(k, i)},dst=${dst},frag=no)`, String(outPort)];
    }
  }
}

export interface WindowSpec {
  readonly sandbox: Sandbox;
  /** Interface the frames are sent into (a harness end, `p1-h`). */
  readonly txIfname: string;
  /** Interface they are counted on (`p2-h`, or `p1` for the raw ceiling). */
  readonly rxIfname: string;
  /** The switch's ingress and egress interfaces, for the arrival/forward counters (omit for the raw case). */
  readonly switchPorts?: { readonly ingress: string; readonly egress: string };
  readonly frames: FrameSpans;
  readonly warmupMs: number;
  readonly windowMs: number;
  /** Called at the window's start and end, e.g. to read a switch's CPU time. */
  readonly onWindowEdge?: (edge: 'start' | 'end') => void;
}

export interface WindowResult {
  readonly windowMs: number;
  /** Frames per second the sender's socket took. */
  readonly offeredPps: number;
  /** Frames per second received on rxIfname. */
  readonly receivedPps: number;
  /** Frames the receiver's socket dropped during the window. */
  readonly receiverDrops: number;
  /** From the interface counters: frames/s arriving at the switch, frames/s the switch sent. */
  readonly arrivedPps?: number;
  readonly forwardedPps?: number;
}

type Counters = Map<string, { rx: number; tx: number }>;

async function readCounters(sandbox: Sandbox): Promise<Counters> {
  return new Map((await sandbox.links()).map((l) => [l.name, { rx: l.rxPackets, tx: l.txPackets }]));
}

/** One measured window (see the header). Opens and closes its own sockets. */
export async function measureWindow(spec: WindowSpec): Promise<WindowResult> {
  const ns = spec.sandbox.namespace;
  const tx = PacketSocket.open({ namespace: ns, ifname: spec.txIfname, rcvbufBytes: 0 });
  const rx = PacketSocket.open({ namespace: ns, ifname: spec.rxIfname });
  const ring = new RxRing({ slots: 256, slotBytes: 2048 });
  const distinct = spec.frames.offsets.length - SEND_BATCH;
  let next = 0;
  let sent = 0;
  let received = 0;
  const run = async (ms: number): Promise<void> => {
    const end = performance.now() + ms;
    for (let now = performance.now(); now < end; now = performance.now()) {
      const sliceEnd = now + SLICE_MS;
      do {
        const n = tx.sendFrom(spec.frames, SEND_BATCH, next);
        sent += n;
        next = (next + n) % distinct;
        for (let got = ring.slots; got === ring.slots; received += got) got = rx.receiveInto(ring);
      } while (performance.now() < sliceEnd);
      await yieldToLoop();
    }
  };
  try {
    await run(spec.warmupMs);
    const before = { sent, received, drops: rx.stats().drops, at: performance.now() };
    const countersBefore = spec.switchPorts ? readCounters(spec.sandbox) : undefined;
    spec.onWindowEdge?.('start');
    await run(spec.windowMs);
    spec.onWindowEdge?.('end');
    const countersAfter = spec.switchPorts ? readCounters(spec.sandbox) : undefined;
    const seconds = (performance.now() - before.at) / 1000;
    const result: WindowResult = {
      windowMs: seconds * 1000,
      offeredPps: (sent - before.sent) / seconds,
      receivedPps: (received - before.received) / seconds,
      receiverDrops: rx.stats().drops - before.drops,
    };
    await run(20); // keep the load on while the `ip` reads finish
    if (spec.switchPorts === undefined || countersBefore === undefined || countersAfter === undefined) return result;
    const [a, b] = await Promise.all([countersBefore, countersAfter]);
    const delta = (name: string, dir: 'rx' | 'tx'): number => (b.get(name)?.[dir] ?? 0) - (a.get(name)?.[dir] ?? 0);
    return { ...result, arrivedPps: delta(spec.switchPorts.ingress, 'rx') / seconds, forwardedPps: delta(spec.switchPorts.egress, 'tx') / seconds };
  } finally {
    tx.close();
    rx.close();
  }
}
