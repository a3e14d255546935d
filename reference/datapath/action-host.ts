/**
 * The contract between action execution (execute-actions.ts) and the
 * datapath that hosts it (datapath.ts): the packet being processed, the
 * services actions need from the datapath (output, upcall, recirculation,
 * meters, the clock) and the closed list of reasons a packet is dropped.
 *
 * Invariants:
 *  - `DpPacket.key` describes `DpPacket.data` whenever `keyValid` is true;
 *    an action that rewrites the packet either updates the key in place or
 *    sets `keyValid = false`, and whoever needs the key next (recirculation,
 *    an upcall) re-extracts it first (as the kernel's `ovs_flow_key_update`).
 *  - Every packet that does not leave through an output or an upcall ends
 *    with exactly one `drop(reason)` call, or by running out of actions
 *    after at least one output/upcall (a normal end, not a drop).
 *  - Nothing here throws on packet contents: a packet too short for an
 *    action ends in `drop('action-error')`.
 *
 * Drop reasons follow the kernel's OVS_DROP_* list (net/openvswitch/drop.h)
 * with the userspace datapath's coverage counter names where it has one.
 */
import type { FlowKey } from '../flow/index.ts';
import type { DpUpcall } from './dpif-types.ts';

/** Why the datapath dropped a packet, and the coverage counter it bumps. */
export const DROP_REASONS = {
  /** The action list was empty (the flow's actions are `drop`). */
  'last-action': 'datapath_drop_last_action',
  /** An explicit `drop` action. */
  explicit: 'datapath_drop_explicit',
  /** An action could not be applied to this packet (too short, bad header, bad argument). */
  'action-error': 'datapath_drop_action_error',
  /** A meter's drop band. */
  meter: 'datapath_drop_meter',
  /** Nested action lists (recirc/clone/sample/check_pkt_len) deeper than the recursion limit. */
  'recursion-limit': 'datapath_drop_recursion_limit',
  /** The deferred-action FIFO was full. */
  'deferred-limit': 'datapath_drop_deferred_limit',
  /** Output to a port that does not exist. */
  'invalid-port': 'datapath_drop_invalid_port',
  /** An upcall found the upcall queue full (also counted as `lost`). */
  'upcall-lost': 'datapath_drop_upcall_error',
  /** A received frame the datapath cannot take (shorter than an Ethernet header). */
  'rx-invalid-packet': 'datapath_drop_rx_invalid_packet',
  /** The output port could not send (socket buffer full, port down). */
  'tx-error': 'datapath_drop_tx_error',
} as const;
export type DropReason = keyof typeof DROP_REASONS;

/** Packet metadata that is not in the packet bytes (skb fields). */
export interface PacketMetadata {
  inPort: number;
  skbPriority: number;
  skbMark: number;
  recircId: number;
  dpHash: number;
}

/** A packet being processed: bytes, metadata, and the flow key describing them. */
export interface DpPacket {
  /** Frame bytes; actions may replace the array (push/pop change its length). */
  data: Uint8Array;
  md: PacketMetadata;
  /** The packet's flow key (datapath extraction); valid only while `keyValid`. */
  key: FlowKey;
  keyValid: boolean;
  /** Bytes kept by the next output (trunc); 0 = whole packet. */
  cutlen: number;
}

/** What a `userspace` action adds to its ACTION upcall. */
export type ActionUpcallInfo = Pick<DpUpcall, 'pid' | 'cookie' | 'actions'>;

/** What actions need from the datapath. Implemented by the Datapath. */
export interface ActionHost {
  /** Datapath clock in ms (injected, so tests and time/warp control it). */
  nowMs(): number;
  /**
   * Sends `frame` (already cut to length, owned by the callee from now on) out
   * of port `portNo`. Returns false when there is no such port (the caller
   * drops with 'invalid-port') — a send failure on an existing port is the
   * host's to count.
   */
  output(portNo: number, frame: Uint8Array): boolean;
  /**
   * Queues an ACTION upcall for `pkt` as it is now (the host copies the bytes
   * and builds the key, re-extracting first if `keyValid` is false); false
   * when the queue is full (the caller drops with 'upcall-lost').
   */
  upcall(pkt: DpPacket, action: ActionUpcallInfo): boolean;
  /**
   * Looks `pkt` up again in the flow table (its `md.recircId` already set) and
   * executes what matches, or sends a MISS upcall. `depth` is the nesting
   * level the recirculated packet's actions run at.
   */
  recirculate(pkt: DpPacket, depth: number): void;
  /** Runs meter `id` on a packet of `bytes` bytes; false = a band drops it. Unknown meter: true (kernel: pass). */
  meter(id: number, bytes: number): boolean;
  /** Counts a dropped packet. */
  drop(reason: DropReason): void;
  /** Re-extracts `pkt.key` from `pkt.data` and `pkt.md`; sets keyValid. */
  reextract(pkt: DpPacket): void;
}
