/**
 * The reference datapath: Linux's net/openvswitch in one object — vports,
 * the megaflow table, action execution, meters, upcalls and the
 * `ovs-dpctl show` statistics — offered through the dpif API
 * (dpif-types.ts) and hosting action execution (action-host.ts).
 *
 * What happens to a frame (datapath.c ovs_dp_process_packet): a port hands
 * it over; a frame shorter than an Ethernet header is dropped
 * (`rx-invalid-packet`); otherwise its key is extracted (kernel semantics,
 * reference/flow extractDatapathKey) and looked up in the megaflow table.
 * A hit updates the flow's stats (packets, bytes, used, TCP flags) and runs
 * its actions; a miss queues a MISS upcall with the full key (`lost` when
 * the queue is full). Every recirculation is another lookup. Outputs are
 * queued on their ports and flushed at the end of each batch.
 *
 * Invariants:
 *  - Data-plane input never throws: bad frames end in a named drop.
 *  - Control-plane requests answer with a DpResult (errno + message), never
 *    throw for bad input; a refused request changes nothing.
 *  - Port 0 is the internal port named after the datapath; it cannot be
 *    deleted. Flows referring to a deleted port stay; output to it drops
 *    with `invalid-port`.
 *  - The clock is injected (`clock`), so `used:` and meters are reproducible.
 *
 * Left out on purpose: conntrack (and ct_* matching beyond the key bits),
 * tunnels, MPLS and NSH actions (refused at install), per-CPU structures,
 * the periodic mask-array rebalance, flow-table size limits beyond
 * `maxFlows`, multicast notifications.
 */
import { FlowKey, FlowOffset, extractDatapathKey } from '../flow/index.ts';
import type { OdpAction } from '../flow/index.ts';
import type { ActionHost, ActionUpcallInfo, DpPacket, DropReason, PacketMetadata } from './action-host.ts';
import { DROP_REASONS } from './action-host.ts';
import type {
  DpCtLimit, DpError, DpExecute, DpFlow, DpFlowId, DpFlowPut, DpFlowStats, DpInfo, DpMeterConfig, DpMeterFeatures, DpMeterStats,
  DpResult, DpSetRequest, DpUpcallHandler, Dpif, VportInfo, VportNewRequest,
} from './dpif-types.ts';
import { executeActions } from './execute-actions.ts';
import { flowMatchFromOdp, odpKeyFromMatch, odpKeyFromPacketKey, packetMetadataFromOdp } from './flow-match.ts';
import type { FlowMatch } from './flow-match.ts';
import { DEFAULT_MASK_CACHE_SIZE, MegaflowTable, megaflowCacheHash } from './megaflow-table.ts';
import type { MegaflowEntry } from './megaflow-table.ts';
import { MeterTable } from './meter-table.ts';
import { normalizeUfid, ufidFromKey } from './ufid.ts';
import { UpcallQueue, DEFAULT_UPCALL_QUEUE_LENGTH } from './upcall-queue.ts';
import { validateActions } from './validate-actions.ts';
import { DummyVport, InternalVport, SystemVport, Vport } from './vport.ts';

export interface DatapathOptions {
  /** Datapath name; port 0 is an internal port of that name (default `ovs-system`). */
  readonly name?: string;
  /** Monotonic clock in ms (default performance.now). */
  readonly clock?: () => number;
  readonly upcallQueueLength?: number;
  readonly maskCacheSize?: number;
  /** FLOW NEW beyond this many flows answers EFBIG (default 1,000,000). */
  readonly maxFlows?: number;
}

/** What the datapath keeps per megaflow. */
interface FlowState {
  actions: readonly OdpAction[];
  readonly match: FlowMatch;
  packets: number;
  bytes: number;
  usedMs: number;
  tcpFlags: number;
}

const TCP_FLAGS_AT = FlowOffset.tcp_flags;
const MAX_PORTS = 65535;
/** The kernel refuses bigger mask caches (32 KiB of per-CPU memory / 8-byte entries). */
const MAX_MASK_CACHE_SIZE = 4096;

function fail<T>(errno: DpError['errno'], message: string): DpResult<T> {
  return { ok: false, error: { errno, message } };
}
function ok<T>(value: T): DpResult<T> {
  return { ok: true, value };
}

export class Datapath implements Dpif, ActionHost {
  readonly name: string;
  private readonly clock: () => number;
  private readonly table: MegaflowTable<FlowState>;
  private readonly meters = new MeterTable();
  private readonly upcalls: UpcallQueue;
  private readonly ports = new Map<number, Vport>();
  private readonly ctLimits = new Map<number | 'default', number>();
  private readonly counters = new Map<string, number>();
  private readonly maxFlows: number;
  private readonly scratchKey = new FlowKey();
  private readonly dirtyPorts = new Set<Vport>();
  private stats = { hit: 0, missed: 0, lost: 0, maskHit: 0, cacheHit: 0 };
  private isClosed = false;

  constructor(opts: DatapathOptions = {}) {
    this.name = opts.name ?? 'ovs-system';
    this.clock = opts.clock ?? (() => performance.now());
    this.table = new MegaflowTable<FlowState>({ maskCacheSize: opts.maskCacheSize ?? DEFAULT_MASK_CACHE_SIZE });
    this.upcalls = new UpcallQueue(opts.upcallQueueLength ?? DEFAULT_UPCALL_QUEUE_LENGTH);
    this.maxFlows = opts.maxFlows ?? 1_000_000;
    for (const reason of Object.values(DROP_REASONS)) this.counters.set(reason, 0);
    this.addPort(new InternalVport(0, this.name));
  }

  // ------------------------------------------------------------ DATAPATH

  datapathGet(): DpInfo {
    const s = this.stats;
    return {
      name: this.name,
      masksCacheSize: this.table.maskCacheSize,
      stats: { hit: s.hit, missed: s.missed, lost: s.lost, flows: this.table.flowCount, maskHit: s.maskHit, masksTotal: this.table.maskCount, cacheHit: s.cacheHit },
    };
  }

  datapathSet(req: DpSetRequest): DpResult<DpInfo> {
    const size = req.masksCacheSize;
    if (size !== undefined && (size > MAX_MASK_CACHE_SIZE || !this.table.setMaskCacheSize(size))) {
      return fail('EINVAL', `masks-cache size ${size} is not 0 or a power of two up to ${MAX_MASK_CACHE_SIZE}`);
    }
    return ok(this.datapathGet());
  }

  /** Coverage counters: drop reasons (`datapath_drop_*`) and others, name → count. */
  coverage(): ReadonlyMap<string, number> {
    return new Map(this.counters);
  }

  // ------------------------------------------------------------ VPORT

  async vportNew(req: VportNewRequest): Promise<DpResult<VportInfo>> {
    if (this.isClosed) return fail('ENODEV', `datapath ${this.name} is closed`);
    if (!/^[^\s/]{1,15}$/.test(req.name)) return fail('EINVAL', `port name ${JSON.stringify(req.name)} is not 1-15 characters without spaces or slashes`);
    if (this.findPort(req.name)) return fail('EEXIST', `port ${req.name} already exists`);
    let portNo = req.portNo;
    if (portNo !== undefined) {
      if (!Number.isInteger(portNo) || portNo < 1 || portNo > MAX_PORTS) return fail('EINVAL', `port number ${portNo} is not in 1..${MAX_PORTS}`);
      if (this.ports.has(portNo)) return fail('EBUSY', `port number ${portNo} is taken by ${this.ports.get(portNo)?.name}`);
    } else {
      portNo = 1;
      while (this.ports.has(portNo)) portNo++;
      if (portNo > MAX_PORTS) return fail('EFBIG', 'no free port number');
    }
    const created = this.createVport(portNo, req);
    if (!created.ok) return created;
    this.addPort(created.value);
    return ok(created.value.info());
  }

  private createVport(portNo: number, req: VportNewRequest): DpResult<Vport> {
    const options = req.options ?? new Map<string, string>();
    switch (req.type) {
      case 'system':
        if (options.size > 0) return fail('EINVAL', `port ${req.name}: system ports take no options`);
        return SystemVport.open(portNo, req.name, req.namespace);
      case 'internal':
        if (options.size > 0) return fail('EINVAL', `port ${req.name}: internal ports take no options`);
        return ok(new InternalVport(portNo, req.name));
      case 'dummy':
        try {
          return ok(new DummyVport(portNo, req.name, options));
        } catch (err) {
          return fail('EINVAL', (err as Error).message);
        }
    }
  }

  private addPort(port: Vport): void {
    this.ports.set(port.portNo, port);
    port.start(
      (p, frame) => this.processFrame(p, frame),
      () => this.flushPorts(),
    );
  }

  private findPort(port: number | string): Vport | undefined {
    if (typeof port === 'number') return this.ports.get(port);
    for (const p of this.ports.values()) if (p.name === port) return p;
    return undefined;
  }

  vportDel(port: number | string): DpResult<VportInfo> {
    const p = this.findPort(port);
    if (!p) return fail('ENODEV', `no port ${JSON.stringify(port)}`);
    if (p.portNo === 0) return fail('EINVAL', `port 0 (${p.name}) is the datapath's own port and cannot be deleted`);
    this.flushPorts();
    p.close();
    this.ports.delete(p.portNo);
    this.dirtyPorts.delete(p);
    return ok(p.info());
  }

  vportGet(port: number | string): DpResult<VportInfo> {
    const p = this.findPort(port);
    return p ? ok(p.info()) : fail('ENODEV', `no port ${JSON.stringify(port)}`);
  }

  vportSet(port: number | string, options: ReadonlyMap<string, string>): DpResult<VportInfo> {
    const p = this.findPort(port);
    if (!p) return fail('ENODEV', `no port ${JSON.stringify(port)}`);
    const r = p.setOptions(options);
    return r.ok ? ok(p.info()) : r;
  }

  vportDump(): VportInfo[] {
    return [...this.ports.values()].sort((a, b) => a.portNo - b.portNo).map((p) => p.info());
  }

  /** Datapath port number → name, every port. */
  portNames(): Map<number, string> {
    return new Map([...this.ports.values()].map((p) => [p.portNo, p.name]));
  }

  /** The frames a dummy port has sent (oldest first); undefined for other ports. */
  dummySent(port: number | string): readonly Uint8Array[] | undefined {
    const p = this.findPort(port);
    return p instanceof DummyVport ? p.sent : undefined;
  }

  // ------------------------------------------------------------ FLOW

  flowPut(req: DpFlowPut): DpResult<DpFlow> {
    const m = flowMatchFromOdp(req.key);
    if (!m.ok) return fail(m.error.errno, m.error.message);
    const v = validateActions(m.match, req.actions);
    if (!v.ok) return fail(v.error.errno, v.error.message);
    let ufid: string;
    if (req.ufid !== undefined) {
      const n = normalizeUfid(req.ufid);
      if (n === undefined) return fail('EINVAL', `ufid ${JSON.stringify(req.ufid)} is not a 128-bit UUID`);
      ufid = n;
    } else ufid = ufidFromKey(req.key);
    const existing = this.table.findByUfid(ufid) ?? this.table.findExact(m.match.key, m.match.mask);
    if (existing) {
      if (!req.modify) return fail('EEXIST', `flow ${existing.ufid} already exists`);
      if (!existing.key.equals(m.match.key) || !existing.mask.mask.equals(m.match.mask)) {
        return fail('EINVAL', `ufid ${ufid} names a flow with a different key`);
      }
      const s = existing.value;
      s.actions = req.actions.slice();
      if (req.zeroStats) Object.assign(s, { packets: 0, bytes: 0, usedMs: 0, tcpFlags: 0 });
      return ok(this.describeFlow(existing));
    }
    if (!req.create) return fail('ENOENT', `no flow with ufid ${ufid}`);
    if (this.table.flowCount >= this.maxFlows) return fail('EFBIG', `flow table full (${this.maxFlows} flows)`);
    const state: FlowState = { actions: req.actions.slice(), match: m.match, packets: 0, bytes: 0, usedMs: 0, tcpFlags: 0 };
    const r = this.table.insert(m.match.key, m.match.mask, ufid, state);
    if (!r.ok) return fail('EEXIST', `flow ${r.existing.ufid} already exists`);
    return ok(this.describeFlow(r.entry));
  }

  private findFlow(id: DpFlowId): DpResult<MegaflowEntry<FlowState>> {
    if ('ufid' in id) {
      const n = normalizeUfid(id.ufid);
      if (n === undefined) return fail('EINVAL', `ufid ${JSON.stringify(id.ufid)} is not a 128-bit UUID`);
      const e = this.table.findByUfid(n);
      return e ? ok(e) : fail('ENOENT', `no flow with ufid ${n}`);
    }
    const m = flowMatchFromOdp(id.key);
    if (!m.ok) return fail(m.error.errno, m.error.message);
    const e = this.table.findExact(m.match.key, m.match.mask);
    return e ? ok(e) : fail('ENOENT', 'no flow with that key and mask');
  }

  flowDel(id: DpFlowId): DpResult<DpFlow> {
    const f = this.findFlow(id);
    if (!f.ok) return f;
    const d = this.describeFlow(f.value);
    this.table.remove(f.value);
    return ok(d);
  }

  flowFlush(): number {
    return this.table.flush();
  }

  flowGet(id: DpFlowId): DpResult<DpFlow> {
    const f = this.findFlow(id);
    return f.ok ? ok(this.describeFlow(f.value)) : f;
  }

  flowDump(): DpFlow[] {
    return this.table.entries().map((e) => this.describeFlow(e));
  }

  private describeFlow(e: MegaflowEntry<FlowState>): DpFlow {
    const s = e.value;
    const stats: DpFlowStats = { packets: s.packets, bytes: s.bytes, usedMs: s.usedMs, tcpFlags: s.tcpFlags };
    return { ufid: e.ufid, key: odpKeyFromMatch(s.match), actions: s.actions.slice(), stats };
  }

  // ------------------------------------------------------------ PACKET

  packetExecute(req: DpExecute): DpResult<void> {
    const md = packetMetadataFromOdp(req.key);
    if (!md.ok) return md;
    if (req.packet.length < 14) return fail('EINVAL', `packet of ${req.packet.length} bytes is shorter than an Ethernet header`);
    const key = new FlowKey();
    extractDatapathKey(req.packet, key, md.md);
    const v = validateActions({ key, mask: FlowKey.allOnes() }, req.actions);
    if (!v.ok) return fail(v.error.errno, v.error.message);
    const pkt: DpPacket = { data: new Uint8Array(req.packet), md: { ...md.md }, key, keyValid: true, cutlen: 0 };
    executeActions(this, pkt, req.actions, 0);
    this.flushPorts();
    return ok(undefined);
  }

  setUpcallHandler(handler: DpUpcallHandler | undefined): void {
    this.upcalls.setHandler(handler);
  }

  /** Injects a frame as if port `port` had received it (netdev-dummy/receive); ENODEV for an unknown port. */
  receive(port: number | string, frame: Uint8Array): DpResult<void> {
    const p = this.findPort(port);
    if (!p) return fail('ENODEV', `no port ${JSON.stringify(port)}`);
    if (this.isClosed) return fail('ENODEV', `datapath ${this.name} is closed`);
    p.counters.rxPackets++;
    p.counters.rxBytes += frame.length;
    if (p instanceof DummyVport) p.recordReceived(frame);
    this.processFrame(p, new Uint8Array(frame));
    this.flushPorts();
    return ok(undefined);
  }

  /** One frame from a port: extract, look up, execute or upcall. Never throws. */
  private processFrame(port: Vport, frame: Uint8Array): void {
    if (frame.length < 14) {
      port.counters.rxDropped++;
      this.drop('rx-invalid-packet');
      return;
    }
    const md: PacketMetadata = { inPort: port.portNo, skbPriority: 0, skbMark: 0, recircId: 0, dpHash: 0 };
    const key = this.scratchKey;
    extractDatapathKey(frame, key, md);
    const pkt: DpPacket = { data: frame, md, key, keyValid: true, cutlen: 0 };
    try {
      this.lookupAndExecute(pkt, 0);
    } catch (err) {
      // A bug, not bad input: count it and keep forwarding.
      this.bump('datapath_internal_error');
      process.emitWarning(`refswitch datapath: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private lookupAndExecute(pkt: DpPacket, depth: number): void {
    if (!pkt.keyValid) this.reextract(pkt);
    const r = this.table.lookup(pkt.key, megaflowCacheHash(pkt.key));
    const s = this.stats;
    s.maskHit += r.nMaskHit;
    if (r.cacheHit) s.cacheHit++;
    const e = r.entry;
    if (e === undefined) {
      s.missed++;
      if (!this.upcalls.offer({ type: 'miss', packet: new Uint8Array(pkt.data), key: odpKeyFromPacketKey(pkt.key) })) {
        s.lost++;
        this.drop('upcall-lost');
      }
      return;
    }
    s.hit++;
    const f = e.value;
    f.packets++;
    f.bytes += pkt.data.length;
    f.usedMs = this.clock();
    f.tcpFlags |= pkt.key.view.getUint16(TCP_FLAGS_AT) & 0x0fff;
    executeActions(this, pkt, f.actions, depth);
  }

  private flushPorts(): void {
    for (const p of this.ports.values()) {
      const dropped = p.flush();
      if (dropped > 0) this.bump(DROP_REASONS['tx-error'], dropped);
    }
  }

  // ------------------------------------------------------------ ActionHost

  nowMs(): number {
    return this.clock();
  }

  output(portNo: number, frame: Uint8Array): boolean {
    const p = this.ports.get(portNo);
    if (!p) return false;
    if (!p.send(frame)) this.drop('tx-error');
    return true;
  }

  upcall(pkt: DpPacket, action: ActionUpcallInfo): boolean {
    if (!pkt.keyValid) this.reextract(pkt);
    // A trunc before the userspace action cuts the packet the upcall carries (kernel: OVS_PACKET_ATTR_LEN keeps the original length).
    const cut = pkt.cutlen > 0 && pkt.cutlen < pkt.data.length ? pkt.cutlen : pkt.data.length;
    const u = { type: 'action' as const, packet: Uint8Array.prototype.slice.call(pkt.data, 0, cut), key: odpKeyFromPacketKey(pkt.key), ...action };
    if (this.upcalls.offer(u)) return true;
    this.stats.lost++;
    return false;
  }

  recirculate(pkt: DpPacket, depth: number): void {
    this.lookupAndExecute(pkt, depth);
  }

  meter(id: number, bytes: number): boolean {
    return this.meters.apply(id, bytes, this.clock());
  }

  drop(reason: DropReason): void {
    this.bump(DROP_REASONS[reason]);
  }

  reextract(pkt: DpPacket): void {
    extractDatapathKey(pkt.data, pkt.key, pkt.md);
    pkt.keyValid = true;
  }

  private bump(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  // ------------------------------------------------------------ METER, CT_LIMIT

  meterFeatures(): DpMeterFeatures {
    return this.meters.features();
  }
  meterSet(id: number, config: DpMeterConfig): DpResult<void> {
    return this.meters.set(id, config, this.clock());
  }
  meterDel(id: number): DpResult<DpMeterStats> {
    return this.meters.del(id);
  }
  meterGet(id: number): DpResult<DpMeterStats> {
    return this.meters.get(id);
  }

  ctLimitSet(limits: readonly DpCtLimit[]): DpResult<void> {
    for (const l of limits) {
      if (!Number.isInteger(l.limit) || l.limit < 0 || l.limit > 0xffffffff) return fail('EINVAL', `limit ${l.limit} is not a 32-bit unsigned integer`);
      if (l.zone !== undefined && (!Number.isInteger(l.zone) || l.zone < 0 || l.zone > 0xffff)) return fail('EINVAL', `zone ${l.zone} is not in 0..65535`);
    }
    for (const l of limits) this.ctLimits.set(l.zone ?? 'default', l.limit);
    return ok(undefined);
  }
  ctLimitDel(zones: readonly number[]): DpResult<void> {
    for (const z of zones) this.ctLimits.delete(z);
    return ok(undefined);
  }
  ctLimitGet(zones?: readonly number[]): DpResult<DpCtLimit[]> {
    const dflt = this.ctLimits.get('default') ?? 0;
    const out: DpCtLimit[] = [{ limit: dflt }];
    const list = zones ?? [...this.ctLimits.keys()].filter((z): z is number => z !== 'default').sort((a, b) => a - b);
    for (const z of list) out.push({ zone: z, limit: this.ctLimits.get(z) ?? dflt });
    return ok(out);
  }

  // ------------------------------------------------------------ lifecycle

  /** Closes every port and stops upcalls. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.flushPorts();
    this.isClosed = true;
    this.upcalls.setHandler(undefined);
    for (const p of this.ports.values()) p.close();
  }
}
