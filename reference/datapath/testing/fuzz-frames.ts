/**
 * The datapath fuzz: random and mutated frames through kernel key
 * extraction and action execution with random action lists of every kind
 * (random set values and masks, nested clone/sample/check_pkt_len,
 * recirculations that run more random lists, meters, upcalls that fail).
 *
 * The contract under test: nothing throws, and wherever a packet's key is
 * marked valid it equals a fresh extraction of its bytes (checked when a
 * packet is recirculated or upcalled and after every run). Seeded: the
 * same (count, seed) replays the same frames and actions; the first failure
 * is reported with its frame in hex and its actions as ODP text.
 *
 * Seeds are the builder's scapy corpus (reference/packet/scapy/corpus.txt)
 * and the flow-extraction capture (captures/flow/extract-corpus.pcap).
 * Used by execute-actions.fuzz.test.ts and scripts/fuzz-datapath.ts.
 */
import { readFileSync } from 'node:fs';
import { FlowKey, ODP_ATTR_BYTES, extractDatapathKey, formatOdpActions, type OdpAction, type OdpFixedAttrName } from '../../flow/index.ts';
import { buildPacket, readPcapFileSync } from '../../packet/index.ts';
import type { DpPacket, DropReason } from '../action-host.ts';
import { copyBytes, executeActions } from '../execute-actions.ts';
import { locateHeaders } from '../packet-headers.ts';
import { RecordingHost, extractMetadataOf, isKeyFresh, packetFrom, parseActions } from './recording-host.ts';

/** mulberry32: a small seedable 32-bit PRNG. */
export class FuzzRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('FuzzRandom.pick: empty list');
    return xs[this.below(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.below(256);
    return b;
  }
}

const root = new URL('../../../', import.meta.url);

/** The seed frames: every corpus expression the builder accepts, and the extraction capture. */
export function loadSeedFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const corpus = readFileSync(new URL('reference/packet/scapy/corpus.txt', root), 'utf8');
  for (const line of corpus.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    try {
      frames.push(buildPacket(line));
    } catch {
      // a line the builder rejects is the builder test's business
    }
  }
  const pcap = readPcapFileSync(new URL('captures/flow/extract-corpus.pcap', root).pathname);
  for (const r of pcap.records) frames.push(copyBytes(r.data));
  return frames;
}

const SPECIAL = [0x00, 0x01, 0x06, 0x08, 0x11, 0x2b, 0x2c, 0x3a, 0x3b, 0x45, 0x4f, 0x60, 0x81, 0x84, 0x86, 0x87, 0x88, 0xa8, 0xdd, 0xff];

/** A mutated copy of `frame`: 1–4 bit flips, special bytes, truncations, extensions, insertions or deletions. */
export function mutateFrame(rng: FuzzRandom, frame: Uint8Array): Uint8Array {
  let out = copyBytes(frame);
  for (let n = 1 + rng.below(4); n > 0; n--) {
    const at = rng.below(Math.max(1, out.length));
    switch (rng.below(6)) {
      case 0: if (out.length > 0) out[at] = out[at]! ^ (1 << rng.below(8)); break;
      case 1: if (out.length > 0) out[at] = rng.pick(SPECIAL); break;
      case 2: out = copyBytes(out, rng.below(out.length + 1)); break;
      case 3: out = concat(out, rng.bytes(rng.below(64))); break;
      case 4: out = concat(concat(out.subarray(0, at), Uint8Array.of(rng.below(256))), out.subarray(at)); break;
      default: if (out.length > 0) out = concat(out.subarray(0, at), out.subarray(at + 1));
    }
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const SET_NAMES = Object.keys(ODP_ATTR_BYTES) as OdpFixedAttrName[];
const COMMON_SETS: readonly OdpFixedAttrName[] = ['eth', 'ipv4', 'ipv6', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'arp', 'nd', 'skb_mark', 'skb_priority'];

function randomMask(rng: FuzzRandom, n: number): Uint8Array {
  switch (rng.below(4)) {
    case 0: return new Uint8Array(n).fill(0xff);
    case 1: return new Uint8Array(n);
    default: return rng.bytes(n);
  }
}

/** The set attributes a frame has headers for (so that a random set mostly applies rather than failing). */
export function fittingSets(frame: Uint8Array): OdpFixedAttrName[] {
  const h = locateHeaders(frame);
  const names: OdpFixedAttrName[] = ['eth', 'skb_mark', 'skb_priority'];
  if (h.ipVersion === 4) names.push('ipv4');
  if (h.ipVersion === 6) names.push('ipv6');
  if (h.ethType === 0x0806 || h.ethType === 0x8035) names.push('arp');
  const l4: Partial<Record<number, OdpFixedAttrName[]>> = { 6: ['tcp'], 17: ['udp'], 132: ['sctp'], 1: ['icmp'], 58: ['icmpv6', 'nd'] };
  if (h.l4 >= 0) names.push(...(l4[h.proto] ?? []));
  return names;
}

function randomSet(rng: FuzzRandom, fitting: readonly OdpFixedAttrName[]): OdpAction {
  const r = rng.below(8);
  const name = r === 0 ? rng.pick(SET_NAMES) : r < 3 ? rng.pick(COMMON_SETS) : rng.pick(fitting);
  const n = rng.below(20) === 0 ? rng.below(ODP_ATTR_BYTES[name] + 1) : ODP_ATTR_BYTES[name];
  const attr = { name, key: rng.bytes(n), mask: randomMask(rng, n) };
  return rng.below(2) === 0 ? { type: 'set', attr } : { type: 'set_masked', attr };
}

const PORTS = [0, 1, 2, 3, 4, 9, 0xffffffff];

/**
 * A random action list of up to 6 actions (3 in nested lists), nesting at
 * most `depth` more levels; sets mostly of the attributes in `fitting` (see `fittingSets`).
 */
export function randomActions(rng: FuzzRandom, depth: number, fitting: readonly OdpFixedAttrName[] = COMMON_SETS): OdpAction[] {
  const out: OdpAction[] = [];
  for (let n = rng.below(depth >= 3 ? 7 : 4); n > 0; n--) out.push(randomAction(rng, depth, fitting));
  return out;
}

function randomAction(rng: FuzzRandom, depth: number, fitting: readonly OdpFixedAttrName[]): OdpAction {
  const nested = depth > 0;
  switch (rng.below(nested ? 20 : 16)) {
    case 0: case 1: return { type: 'output', port: rng.pick(PORTS) };
    case 2: case 3: case 4: return randomSet(rng, fitting);
    case 5: return { type: 'push_vlan', tpid: rng.pick([0x8100, 0x88a8, 0x0800]), tci: rng.below(0x10000) };
    case 6: return { type: 'pop_vlan' };
    case 7: return { type: 'trunc', maxLen: rng.below(200) };
    case 8: return { type: 'userspace', pid: rng.below(4), actions: rng.below(2) === 0 };
    case 9: return { type: 'hash', alg: rng.below(2) === 0 ? 'l4' : 'sym_l4', basis: rng.u32() };
    case 10: return { type: 'meter', id: rng.below(4) };
    case 11: return { type: 'recirc', id: rng.below(5) };
    case 12: return rng.below(3) === 0 ? { type: 'drop' } : randomSet(rng, fitting);
    case 13: return rng.below(3) === 0 ? randomSet(rng, fitting) : rng.pick<OdpAction>([{ type: 'ct', ct: {} }, { type: 'ct_clear' }, { type: 'pop_mpls', ethType: 0x800 }, { type: 'pop_eth' }]);
    case 14: case 15: return randomSet(rng, fitting);
    case 16: return { type: 'clone', actions: randomActions(rng, depth - 1, fitting) };
    case 17: return { type: 'sample', probability: rng.pick([0, 1, 0x80000000, 0xffffffff]), actions: randomActions(rng, depth - 1, fitting) };
    default:
      return { type: 'check_pkt_len', size: rng.below(200), gt: randomActions(rng, depth - 1, fitting), le: randomActions(rng, depth - 1, fitting) };
  }
}

export interface DatapathFuzzReport {
  frames: number;
  exceptions: number;
  /** Packets whose key was marked valid but differed from a fresh extraction. */
  staleKeys: number;
  outputs: number;
  drops: Partial<Record<DropReason, number>>;
  seconds: number;
  /** The first failure: frame hex, actions, and the error or the key difference. */
  firstFailure: string | undefined;
}

/** Runs `count` frames with random action lists from `seed`. Never throws (failures are counted and the first one described). */
export function runDatapathFuzz(count: number, seed: number): DatapathFuzzReport {
  const rng = new FuzzRandom(seed);
  const seeds = loadSeedFrames();
  const host = new FuzzHost(rng);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const frame = rng.below(6) === 0 ? rng.bytes(rng.below(256)) : mutateFrame(rng, rng.pick(seeds));
    host.runOne(frame, randomActions(rng, 3, fittingSets(frame)), rng.below(4));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { frames: count, exceptions: host.exceptions, staleKeys: host.staleKeys, outputs: host.outputCount, drops: host.dropCounts, seconds, firstFailure: host.firstFailure };
}

/** One list per rewriting action (each followed by an output), for the truncation sweep. */
export const SWEEP_ACTIONS: readonly string[] = [
  'set(eth(src=0a:00:00:00:00:01,dst=0a:00:00:00:00:02)),2',
  'set(ipv4(src=10.9.8.7,dst=10.6.5.4,tos=0x10,ttl=3)),2',
  'set(ipv6(src=2001:db8::7,dst=2001:db8::8,label=0x12345,tclass=0x20,hlimit=3)),2',
  'set(tcp(src=1111,dst=2222)),2',
  'set(udp(src=1111,dst=2222)),2',
  'set(sctp(src=1111,dst=2222)),2',
  'set(icmp(type=3,code=1)),set(icmpv6(type=136,code=0)),2',
  'set(icmpv6(type=135,code=0)),set(nd(target=fe80::7,sll=0a:00:00:00:00:07,tll=0a:00:00:00:00:08)),2',
  'set(arp(sip=1.2.3.4,tip=5.6.7.8,op=2,sha=0a:00:00:00:00:01,tha=0a:00:00:00:00:02)),2',
  'push_vlan(vid=9,pcp=1),set(ipv4(ttl=9)),pop_vlan,pop_vlan,2',
  'hash(l4(1)),hash(sym_l4(2)),trunc(20),2,recirc(0x1)',
  'clone(set(ipv6(hlimit=1)),3),check_pkt_len(size=60,gt(2),le(set(tcp(src=9)),3))',
];

/**
 * Every truncation of every seed frame (lengths 0..full) through each of
 * `actionLists` (default: SWEEP_ACTIONS); `seedStride` takes every n-th
 * seed. Returns the same report as the random fuzz.
 */
export function runTruncationSweep(actionLists: readonly OdpAction[][] = SWEEP_ACTIONS.map(parseActions), seedStride = 1): DatapathFuzzReport {
  const host = new FuzzHost(new FuzzRandom(1));
  const start = process.hrtime.bigint();
  let frames = 0;
  for (const full of loadSeedFrames().filter((_f, i) => i % seedStride === 0)) {
    for (let len = 0; len <= full.length; len++) {
      for (const actions of actionLists) {
        host.runOne(copyBytes(full, len), actions, 0);
        frames++;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { frames, exceptions: host.exceptions, staleKeys: host.staleKeys, outputs: host.outputCount, drops: host.dropCounts, seconds, firstFailure: host.firstFailure };
}

/** A host that counts, checks keys, and runs random lists for recirculated packets. */
class FuzzHost extends RecordingHost {
  exceptions = 0;
  staleKeys = 0;
  firstFailure: string | undefined;
  readonly dropCounts: Partial<Record<DropReason, number>> = {};
  private readonly scratch = new FlowKey();
  private currentFrame: Uint8Array = new Uint8Array(0);
  private currentActions: OdpAction[] = [];

  constructor(private readonly rng: FuzzRandom) {
    super(false);
    for (let id = 0; id < 4; id++) {
      this.meters.set(id, { unit: id % 2 === 0 ? 'pktps' : 'kbps', bands: [{ type: 'drop', rate: 1 + rng.below(100), burst: rng.below(10) }] }, 0);
    }
    this.onRecirculate = (pkt, depth) => {
      this.checkKey(pkt, 'recirculated');
      executeActions(this, pkt, randomActions(this.rng, 2, fittingSets(pkt.data)), depth);
    };
  }

  runOne(frame: Uint8Array, actions: OdpAction[], inPort: number): void {
    this.now += this.rng.below(3);
    this.upcallOk = this.rng.below(4) !== 0;
    this.currentFrame = copyBytes(frame);
    this.currentActions = actions;
    try {
      const pkt = packetFrom(frame, { inPort });
      executeActions(this, pkt, actions, 0);
      this.checkKey(pkt, 'after the run');
    } catch (err) {
      this.exceptions++;
      this.firstFailure ??= `${describe(this.currentFrame, this.currentActions)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    }
  }

  override upcall(pkt: DpPacket, info: Parameters<RecordingHost['upcall']>[1]): boolean {
    this.checkKey(pkt, 'upcalled');
    return super.upcall(pkt, info);
  }

  override drop(reason: DropReason): void {
    this.dropCounts[reason] = (this.dropCounts[reason] ?? 0) + 1;
  }

  private checkKey(pkt: DpPacket, when: string): void {
    if (!pkt.keyValid || isKeyFresh(pkt, this.scratch)) return;
    this.staleKeys++;
    if (this.firstFailure === undefined) {
      extractDatapathKey(pkt.data, this.scratch, extractMetadataOf(pkt.md));
      this.firstFailure = `${describe(this.currentFrame, this.currentActions)}: key ${when} is stale\n  now   ${Buffer.from(pkt.data).toString('hex')}\n  key   ${pkt.key.toHex()}\n  fresh ${this.scratch.toHex()}`;
    }
  }
}

function describe(frame: Uint8Array, actions: OdpAction[]): string {
  let text: string;
  try {
    text = formatOdpActions(actions);
  } catch {
    text = JSON.stringify(actions, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
  }
  return `frame ${Buffer.from(frame).toString('hex')} actions ${text}`;
}
