/**
 * The dpif API: what the datapath offers its user (ofproto/upcall, the
 * `dpctl/*` commands, tests), shaped like the Linux datapath's generic
 * netlink families (include/linux/openvswitch.h): DATAPATH, VPORT, FLOW,
 * PACKET, METER and CT_LIMIT, each with NEW/DEL/GET/SET and dump where the
 * kernel has them, plus the MISS and ACTION upcalls the PACKET family sends
 * the other way.
 *
 * Invariants:
 *  - Keys, masks and actions cross this API as ODP attribute lists (the
 *    netlink payloads, `OdpKey`/`OdpAction`), never as the datapath's
 *    internal `FlowKey`, so the user could as well be talking to a kernel.
 *  - Every operation answers with a `DpResult`: a value, or a `DpError`
 *    carrying the errno the kernel would return (EEXIST for FLOW NEW with
 *    create-only on an existing flow, ENOENT for an unknown ufid, EINVAL for
 *    an inconsistent key or action list, EFBIG for a full flow table…) and a
 *    message naming the offending value. Operations never throw for bad
 *    input.
 *  - Upcalls are delivered to one registered handler in order; a queue of
 *    bounded length sits in front of it, and an upcall that finds the queue
 *    full is counted in `lost` and dropped.
 *
 * Left out on purpose: multicast VPORT notifications, per-CPU upcall PIDs
 * and dispatch modes, OVS_FLOW_ATTR_PROBE, UFID "omit" flags on dumps (the
 * dump always carries key, mask and actions).
 */
import type { OdpAction, OdpKey, OdpUserspaceCookie } from '../flow/index.ts';

/** Errno names the datapath answers with (a subset of the kernel's). */
export const DP_ERRNOS = ['EEXIST', 'ENOENT', 'EINVAL', 'EBUSY', 'EFBIG', 'E2BIG', 'ENODEV', 'EOPNOTSUPP', 'ENOSPC', 'EMSGSIZE'] as const;
export type DpErrno = (typeof DP_ERRNOS)[number];

/** A refused operation: the errno the kernel would return and a message quoting the culprit. */
export interface DpError {
  readonly errno: DpErrno;
  readonly message: string;
}
export type DpResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DpError };

// ---------------------------------------------------------------- DATAPATH

/** `ovs-dpctl show` counters (struct ovs_dp_stats + ovs_dp_megaflow_stats). */
export interface DpStats {
  /** Lookups that found a flow (every recirculation pass is a lookup). */
  readonly hit: number;
  /** Lookups that found no flow (MISS upcalls attempted). */
  readonly missed: number;
  /** Upcalls (MISS or ACTION) dropped because the queue was full; a subset of missed for misses. */
  readonly lost: number;
  readonly flows: number;
  /** Masks probed over all lookups. */
  readonly maskHit: number;
  readonly masksTotal: number;
  /** Lookups answered by the mask cache. */
  readonly cacheHit: number;
}

export interface DpInfo {
  readonly name: string;
  readonly stats: DpStats;
  /** Entries of the mask cache (a power of two; 0 disables it). */
  readonly masksCacheSize: number;
}

export interface DpSetRequest {
  readonly masksCacheSize?: number;
}

// ---------------------------------------------------------------- VPORT

/**
 * Vport types, named as Open vSwitch's `Interface.type` names them:
 * `system` a Linux network interface (a veth end) read and written through
 * AF_PACKET; `internal` the datapath's local port (port 0) and bridge ports,
 * in memory; `dummy` an in-memory port (Open vSwitch's `--enable-dummy`),
 * fed by `netdev-dummy/receive`.
 */
export const VPORT_TYPES = ['system', 'internal', 'dummy'] as const;
export type VportType = (typeof VPORT_TYPES)[number];

export interface VportStats {
  readonly rxPackets: number;
  readonly rxBytes: number;
  readonly txPackets: number;
  readonly txBytes: number;
  readonly rxDropped: number;
  readonly txDropped: number;
  readonly rxErrors: number;
  readonly txErrors: number;
}

export interface VportInfo {
  readonly portNo: number;
  readonly name: string;
  readonly type: VportType;
  /** Type-specific configuration shown by `dpctl/show` as `(type: k=v, …)`. */
  readonly options: ReadonlyMap<string, string>;
  readonly stats: VportStats;
}

export interface VportNewRequest {
  readonly name: string;
  readonly type: VportType;
  /** Requested port number; the lowest free one (≥ 1) when absent. */
  readonly portNo?: number;
  /** `system`: the network namespace (name under /run/netns) holding the interface. */
  readonly namespace?: string;
  /** `dummy`: `tx_pcap`, `rxq_pcap` file paths recording what the port sends and receives. */
  readonly options?: ReadonlyMap<string, string>;
}

// ---------------------------------------------------------------- FLOW

export interface DpFlowStats {
  readonly packets: number;
  readonly bytes: number;
  /** Datapath clock (ms) of the last packet; 0 = never. */
  readonly usedMs: number;
  /** TCP flags seen (12 bits). */
  readonly tcpFlags: number;
}

/** One megaflow as FLOW GET/dump return it: the masked key, kernel attribute order. */
export interface DpFlow {
  /** 128-bit flow id, UUID text (lowercase, 8-4-4-4-12). */
  readonly ufid: string;
  /** Key values already masked, mask in each attribute (kernel dump form). */
  readonly key: OdpKey;
  readonly actions: readonly OdpAction[];
  readonly stats: DpFlowStats;
}

/**
 * FLOW NEW / SET. `create` and `modify` are NLM_F_CREATE-without-EXCL and
 * "replace actions" as dpif_flow_put's DPIF_FP_CREATE / DPIF_FP_MODIFY:
 * create-only on an existing flow → EEXIST; modify-only on a missing one →
 * ENOENT. Without `ufid` one is derived from the key (dpctl does the same).
 */
export interface DpFlowPut {
  /** Key with masks in each attribute (ODP text with `/mask` parses to this). */
  readonly key: OdpKey;
  readonly actions: readonly OdpAction[];
  readonly ufid?: string;
  readonly create: boolean;
  readonly modify: boolean;
  /** Reset the stats of a modified flow (DPIF_FP_ZERO_STATS). */
  readonly zeroStats?: boolean;
}

/** Identifies a flow for GET/DEL: by ufid, or by key (matched exactly, key and mask). */
export type DpFlowId = { readonly ufid: string } | { readonly key: OdpKey };

// ---------------------------------------------------------------- PACKET

/** PACKET EXECUTE: run `actions` on `packet` as if it had arrived with `key`'s metadata. */
export interface DpExecute {
  readonly packet: Uint8Array;
  /** Metadata attributes (in_port, skb_priority, skb_mark, recirc_id, dp_hash); packet fields are re-extracted. */
  readonly key: OdpKey;
  readonly actions: readonly OdpAction[];
  /** Probe: do not count failures as errors (OVS_PACKET_ATTR_PROBE). */
  readonly probe?: boolean;
}

/** An upcall: MISS (no flow matched) or ACTION (a `userspace` action). */
export interface DpUpcall {
  readonly type: 'miss' | 'action';
  /** The packet as it was when the upcall was made (after earlier actions for ACTION). */
  readonly packet: Uint8Array;
  /** The full (unmasked) flow key the datapath extracted, kernel attribute order. */
  readonly key: OdpKey;
  /** ACTION: the `userspace` action's cookie (OVS_PACKET_ATTR_USERDATA, decoded). */
  readonly cookie?: OdpUserspaceCookie;
  /** ACTION: the pid the `userspace` action named. */
  readonly pid?: number;
  /** ACTION with `actions` flag: the flow's action list. */
  readonly actions?: readonly OdpAction[];
}

/** Receives upcalls; called from the datapath's event loop turn, one upcall at a time. */
export type DpUpcallHandler = (upcall: DpUpcall) => void;

// ---------------------------------------------------------------- METER

export type DpMeterBandType = 'drop';
export interface DpMeterBand {
  readonly type: DpMeterBandType;
  /** kbps or pktps, by the meter's unit. */
  readonly rate: number;
  /** Burst size in kilobits or packets; 0 means the rate's worth of one second. */
  readonly burst: number;
}
export interface DpMeterConfig {
  readonly unit: 'kbps' | 'pktps';
  readonly bands: readonly DpMeterBand[];
}
export interface DpMeterStats {
  readonly packetsIn: number;
  readonly bytesIn: number;
  /** Per band: packets and bytes the band applied to (dropped, for drop bands). */
  readonly bands: readonly { readonly packets: number; readonly bytes: number }[];
}
export interface DpMeterFeatures {
  readonly maxMeters: number;
  readonly maxBands: number;
  readonly bandTypes: readonly DpMeterBandType[];
  readonly units: readonly ('kbps' | 'pktps')[];
}

// ---------------------------------------------------------------- CT_LIMIT

/** Connection-tracking limits: stored and reported; there is no conntrack to enforce them yet. */
export interface DpCtLimit {
  /** undefined = the default limit for zones without their own. */
  readonly zone?: number;
  readonly limit: number;
}

// ---------------------------------------------------------------- the API

/** The datapath interface. One instance per datapath. */
export interface Dpif {
  // DATAPATH
  datapathGet(): DpInfo;
  datapathSet(req: DpSetRequest): DpResult<DpInfo>;
  // VPORT
  vportNew(req: VportNewRequest): Promise<DpResult<VportInfo>>;
  vportDel(port: number | string): DpResult<VportInfo>;
  vportGet(port: number | string): DpResult<VportInfo>;
  vportSet(port: number | string, options: ReadonlyMap<string, string>): DpResult<VportInfo>;
  vportDump(): VportInfo[];
  // FLOW
  flowPut(req: DpFlowPut): DpResult<DpFlow>;
  flowDel(id: DpFlowId): DpResult<DpFlow>;
  /** FLOW DEL without a key: removes every flow; returns how many. */
  flowFlush(): number;
  flowGet(id: DpFlowId): DpResult<DpFlow>;
  /** Flows in the table's order (mask insertion order, then flow insertion order). */
  flowDump(): DpFlow[];
  // PACKET
  packetExecute(req: DpExecute): DpResult<void>;
  /** Registers the (single) upcall handler; `undefined` unregisters (upcalls are then lost). */
  setUpcallHandler(handler: DpUpcallHandler | undefined): void;
  // METER
  meterFeatures(): DpMeterFeatures;
  meterSet(id: number, config: DpMeterConfig): DpResult<void>;
  meterDel(id: number): DpResult<DpMeterStats>;
  meterGet(id: number): DpResult<DpMeterStats>;
  // CT_LIMIT
  ctLimitSet(limits: readonly DpCtLimit[]): DpResult<void>;
  ctLimitDel(zones: readonly number[]): DpResult<void>;
  ctLimitGet(zones?: readonly number[]): DpResult<DpCtLimit[]>;
}
