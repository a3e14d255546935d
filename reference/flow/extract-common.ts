/**
 * Pieces shared by the two flow-key extractors (extract-flow.ts, userspace
 * `flow_extract` semantics; extract-datapath-key.ts, Linux `key_extract`
 * semantics): the result codes, the packet metadata, and the parsing steps
 * on which Open vSwitch 3.1 lib/flow.c and Linux net/openvswitch/flow.c
 * agree byte for byte once given the same end-of-data bound (Ethernet and
 * VLAN, MPLS label stack, ARP, L4 ports, ICMPv6 neighbour discovery).
 *
 * Invariants: nothing here throws or allocates; every read of `p` is
 * preceded by a bounds check against `end` (≤ p.length); the key is written
 * only at `FlowOffset` positions.
 *
 * Left out on purpose: tunnel metadata, NSH, the conntrack original-direction
 * tuple, IGMP group and ND reserved field (no slot in `FlowKey`).
 */
import type { FlowKey } from './flow-key.ts';
import { DL_TYPE_NONE, FlowOffset, VLAN_CFI } from './flow-key.ts';

// Module-level alias: under tsx every access to an imported binding is a getter call.
const O = FlowOffset;

/** Why extraction stopped early, or `ok`. A closed list. */
export const ExtractResult = {
  ok: 'ok',
  /** Shorter than an Ethernet header (the kernel drops such a frame). */
  truncatedL2: 'truncated-l2',
  /** L3 header (IPv4, IPv6, ARP, MPLS stack) cut short. */
  truncatedL3: 'truncated-l3',
  /** IPv4/IPv6 header lengths inconsistent with each other or the frame. */
  badIpHeader: 'bad-ip-header',
  /** IPv6 extension-header chain runs past the data. */
  badIpv6ExtHeader: 'bad-ipv6-ext-header',
  /** ARP/RARP for other than Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4). */
  unsupportedArp: 'unsupported-arp',
  /** TCP/UDP/SCTP/ICMP/ICMPv6/IGMP header (or ND target) cut short, or bad TCP data offset. */
  truncatedL4: 'truncated-l4',
  /** ND option with length 0 or past the data, or a repeated link-layer option. */
  badNdOptions: 'bad-nd-options',
} as const;
export type ExtractResult = (typeof ExtractResult)[keyof typeof ExtractResult];

/** Packet metadata the datapath knows before looking at the bytes. */
export interface ExtractMetadata {
  /** Input port (datapath port number, or OpenFlow port when the caller is ofproto). */
  readonly inPort: number;
  readonly skbPriority?: number;
  readonly pktMark?: number;
  readonly recircId?: number;
  readonly dpHash?: number;
  readonly ctState?: number;
  readonly ctZone?: number;
  readonly ctMark?: number;
  /** (namespace << 16) | type; 0 (Ethernet) when absent. Namespace 1 means an L3 packet of that ethertype. */
  readonly packetType?: number;
}

export const ETH_HEADER_BYTES = 14;
export const EtherType = { IP: 0x0800, ARP: 0x0806, RARP: 0x8035, IPV6: 0x86dd, MPLS: 0x8847, MPLS_MCAST: 0x8848, VLAN: 0x8100, QINQ: 0x88a8 } as const;
export const Proto = { HOPOPTS: 0, ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, ROUTING: 43, FRAGMENT: 44, ESP: 50, AH: 51, ICMPV6: 58, NONE: 59, DSTOPTS: 60, SCTP: 132 } as const;
export const ND_SOLICIT = 135;
export const ND_ADVERT = 136;

export function u16(p: Uint8Array, o: number): number {
  return (p[o]! << 8) | p[o + 1]!;
}

export function u32(p: Uint8Array, o: number): number {
  return ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
}

/** Copies `n` bytes of `p` at `from` into the key's bytes at `to`. */
export function copyToKey(p: Uint8Array, from: number, key: FlowKey, to: number, n: number): void {
  const b = key.bytes;
  for (let i = 0; i < n; i++) b[to + i] = p[from + i]!;
}

function zeroKey(key: FlowKey, at: number, n: number): void {
  const b = key.bytes;
  for (let i = 0; i < n; i++) b[at + i] = 0;
}

function isZeroMac(key: FlowKey, at: number): boolean {
  const b = key.bytes;
  return (b[at]! | b[at + 1]! | b[at + 2]! | b[at + 3]! | b[at + 4]! | b[at + 5]!) === 0;
}

/** Writes the metadata fields of `md` into `key`. */
export function writeMetadata(key: FlowKey, md: ExtractMetadata): void {
  const v = key.view;
  v.setUint32(O.in_port, md.inPort >>> 0);
  v.setUint32(O.skb_priority, (md.skbPriority ?? 0) >>> 0);
  v.setUint32(O.pkt_mark, (md.pktMark ?? 0) >>> 0);
  v.setUint32(O.recirc_id, (md.recircId ?? 0) >>> 0);
  v.setUint32(O.dp_hash, (md.dpHash ?? 0) >>> 0);
  v.setUint8(O.ct_state, (md.ctState ?? 0) & 0xff);
  v.setUint16(O.ct_zone, (md.ctZone ?? 0) & 0xffff);
  v.setUint32(O.ct_mark, (md.ctMark ?? 0) >>> 0);
  v.setUint32(O.packet_type, (md.packetType ?? 0) >>> 0);
}

/**
 * Parses the Ethernet header, up to `vlanLimit` 802.1Q/802.1ad tags and the
 * ethertype or 802.2 LLC/SNAP header of a frame at least 14 bytes long.
 * A tag is taken only when 6 bytes remain from its TPID (tag + next type).
 * A length field (< 0x600) gives `DL_TYPE_NONE` unless an LLC/SNAP header
 * with DSAP=SSAP=0xaa, OUI 0 (and control 0x03 when `snapNeedsUi`) and a
 * SNAP type ≥ 0x600 follows. Returns the offset of the L3 header.
 */
export function parseEthernet(p: Uint8Array, len: number, key: FlowKey, vlanLimit: number, snapNeedsUi: boolean): number {
  const v = key.view;
  copyToKey(p, 0, key, O.dl_dst, 6);
  copyToKey(p, 6, key, O.dl_src, 6);
  let off = 12;
  let type = u16(p, off);
  for (let n = 0; n < vlanLimit && (type === EtherType.VLAN || type === EtherType.QINQ); n++) {
    if (len - off < 6) break;
    const slot = n === 0 ? O.vlan0_tpid : O.vlan1_tpid;
    v.setUint16(slot, type);
    v.setUint16(slot + 2, u16(p, off + 2) | VLAN_CFI);
    off += 4;
    type = u16(p, off);
  }
  off += 2;
  if (type < 0x600) {
    type = DL_TYPE_NONE;
    if (len - off >= 8 && p[off] === 0xaa && p[off + 1] === 0xaa && (!snapNeedsUi || p[off + 2] === 0x03)
        && (p[off + 3]! | p[off + 4]! | p[off + 5]!) === 0) {
      const snapType = u16(p, off + 6);
      off += 8;
      if (snapType >= 0x600) type = snapType;
    }
  }
  v.setUint16(O.dl_type, type);
  return off;
}

/**
 * Reads the MPLS label stack at `off` up to the bottom-of-stack entry,
 * keeping the first three entries. `truncated-l3` when the data ends first.
 */
export function parseMpls(p: Uint8Array, off: number, end: number, key: FlowKey): ExtractResult {
  for (let n = 0; end - off >= 4; n++, off += 4) {
    const lse = u32(p, off);
    if (n < 3) key.view.setUint32(O.mpls_lse + 4 * n, lse);
    if ((lse & 0x100) !== 0) return ExtractResult.ok;
  }
  return ExtractResult.truncatedL3;
}

/** ARP/RARP for Ethernet/IPv4: addresses, opcode (when ≤ 0xff) in nw_proto. */
export function parseArp(p: Uint8Array, off: number, end: number, key: FlowKey): ExtractResult {
  if (end - off < 28) return ExtractResult.truncatedL3;
  if (u16(p, off) !== 1 || u16(p, off + 2) !== EtherType.IP || p[off + 4] !== 6 || p[off + 5] !== 4) {
    return ExtractResult.unsupportedArp;
  }
  const v = key.view;
  const op = u16(p, off + 6);
  if (op <= 0xff) v.setUint8(O.nw_proto, op);
  copyToKey(p, off + 8, key, O.arp_sha, 6);
  v.setUint32(O.nw_src, u32(p, off + 14));
  copyToKey(p, off + 18, key, O.arp_tha, 6);
  v.setUint32(O.nw_dst, u32(p, off + 24));
  return ExtractResult.ok;
}

/** Which of ICMP and IGMP `parseL4` reads (TCP, UDP and SCTP always). */
export const L4Extra = { none: 0, icmp: 1, icmpIgmp: 3 } as const;
export type L4Extra = (typeof L4Extra)[keyof typeof L4Extra];

/**
 * TCP/UDP/SCTP ports, TCP flags, and ICMP or IGMP type/code when `extra`
 * allows, of the L4 header at `off`, data ending at `end`. Fields stay zero
 * when the header is short. ICMPv6 goes through `parseIcmpv6`.
 */
export function parseL4(p: Uint8Array, off: number, end: number, proto: number, key: FlowKey, extra: L4Extra): ExtractResult {
  const v = key.view;
  const size = end - off;
  switch (proto) {
    case Proto.TCP: {
      if (size < 20) return ExtractResult.truncatedL4;
      const hdrBytes = (p[off + 12]! >> 4) * 4;
      if (hdrBytes < 20 || size < hdrBytes) return ExtractResult.truncatedL4;
      v.setUint16(O.tcp_flags, u16(p, off + 12) & 0x0fff);
      v.setUint16(O.tp_src, u16(p, off));
      v.setUint16(O.tp_dst, u16(p, off + 2));
      return ExtractResult.ok;
    }
    case Proto.UDP:
    case Proto.SCTP:
      if (size < (proto === Proto.UDP ? 8 : 12)) return ExtractResult.truncatedL4;
      v.setUint16(O.tp_src, u16(p, off));
      v.setUint16(O.tp_dst, u16(p, off + 2));
      return ExtractResult.ok;
    case Proto.ICMP:
    case Proto.IGMP:
      if ((extra & (proto === Proto.ICMP ? 1 : 2)) === 0) return ExtractResult.ok;
      if (size < 8) return ExtractResult.truncatedL4;
      v.setUint16(O.tp_src, p[off]!);
      v.setUint16(O.tp_dst, p[off + 1]!);
      return ExtractResult.ok;
    default:
      return ExtractResult.ok;
  }
}

/**
 * ICMPv6 type/code and, for a neighbour solicitation/advertisement with
 * code 0, the ND target and the source/target link-layer address options.
 * Options are walked while 8 bytes remain: a zero or overlong length stops
 * the walk keeping what was found; a second SLL (or TLL) option, when the
 * first was non-zero, clears target, SLL and TLL. With `recordOptType`
 * (userspace) the type of the first stored option goes to `tcp_flags`, where
 * struct flow keeps nd_options_type.
 */
export function parseIcmpv6(p: Uint8Array, off: number, end: number, key: FlowKey, recordOptType: boolean): ExtractResult {
  if (end - off < 8) return ExtractResult.truncatedL4;
  const v = key.view;
  const type = p[off]!;
  const code = p[off + 1]!;
  v.setUint16(O.tp_src, type);
  v.setUint16(O.tp_dst, code);
  if (code !== 0 || (type !== ND_SOLICIT && type !== ND_ADVERT)) return ExtractResult.ok;
  let o = off + 8;
  if (end - o < 16) return ExtractResult.truncatedL4;
  copyToKey(p, o, key, O.nd_target, 16);
  o += 16;
  while (end - o >= 8) {
    const optBytes = p[o + 1]! * 8;
    if (optBytes === 0 || optBytes > end - o) return ExtractResult.badNdOptions;
    const optType = p[o]!;
    if ((optType === 1 || optType === 2) && optBytes === 8) {
      const slot = optType === 1 ? O.arp_sha : O.arp_tha;
      if (!isZeroMac(key, slot)) {
        zeroKey(key, O.nd_target, 16);
        zeroKey(key, O.arp_sha, 12);
        return ExtractResult.badNdOptions;
      }
      copyToKey(p, o + 2, key, slot, 6);
      if (recordOptType && v.getUint16(O.tcp_flags) === 0) v.setUint16(O.tcp_flags, optType);
    }
    o += optBytes;
  }
  return ExtractResult.ok;
}
