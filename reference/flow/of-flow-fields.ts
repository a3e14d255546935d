/**
 * The field names the OpenFlow flow text uses, and where each one lives in a
 * `FlowKey`: the lookup table behind of-flow-parse.ts.
 *
 * What: `OF_TEXT_FIELDS` maps every name that `match_format` prints (plus
 * the common NXM/OXM aliases ovs-ofctl accepts: `eth_src`, `ip_proto`,
 * `tcp_dst`, `icmpv6_type`…) to a storage description: FlowKey offset, byte
 * width, the bits of the slot it occupies, its value syntax and whether a
 * `/mask` may follow. Names that share storage (`icmp_type` and `tp_src`,
 * `nd_sll` and `arp_sha`, `arp_spa` and `nw_src`) are overloads exactly as
 * in OVS's `struct flow`.
 *
 * Invariant: every entry lies inside the 256-byte FlowKey; sub-fields give
 * their bits within the slot (`dl_vlan` = 0x0fff of vlan0_tci).
 *
 * Left out on purpose: tunnel, NSH and xreg/xxreg fields, the conntrack
 * original-direction addresses (absent from FlowKey). This table describes
 * text spelling only; field semantics (prerequisites, writability) belong to
 * the field catalog (field-catalog.ts).
 */
import { FlowOffset } from './flow-key.ts';

/** Value syntaxes of the flow text. */
export const OfValueSyntax = {
  /** Decimal or 0x-hex integer. */
  int: 'int',
  port: 'port',
  mac: 'mac',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  frag: 'frag',
  tcpFlags: 'tcpFlags',
  ctState: 'ctState',
  packetType: 'packetType',
} as const;
export type OfValueSyntax = (typeof OfValueSyntax)[keyof typeof OfValueSyntax];

export interface OfTextField {
  /** Byte offset in FlowKey. */
  readonly offset: number;
  /** Bytes of storage: 1, 2, 4, 6, 8 or 16. */
  readonly bytes: 1 | 2 | 4 | 6 | 8 | 16;
  /** For ≤ 4-byte slots: the bits of the slot this field occupies (whole slot if absent). */
  readonly bitMask?: number;
  /** Right shift from slot bits to the value; trailing zeros of bitMask if absent (nw_tos keeps its DSCP unshifted). */
  readonly shift?: number;
  /** Bits set in the slot (and its mask) whenever the field is set: the VLAN "present" bit. */
  readonly presentBits?: number;
  /** Largest value allowed (after any shift); defaults to the field's bit width. */
  readonly max?: number;
  readonly syntax: OfValueSyntax;
  readonly maskable: boolean;
}

type Spec = OfTextField;
const int = (offset: number, bytes: Spec['bytes'], maskable: boolean, extra: Partial<Spec> = {}): Spec => ({ offset, bytes, syntax: 'int', maskable, ...extra });
const O = FlowOffset;

const REGS: Record<string, Spec> = {};
for (let i = 0; i < 16; i++) REGS[`reg${i}`] = int(O.regs + 4 * i, 4, true);

const L4: Record<string, Spec> = {};
for (const p of ['tp', 'tcp', 'udp', 'sctp']) {
  L4[`${p}_src`] = int(O.tp_src, 2, true);
  L4[`${p}_dst`] = int(O.tp_dst, 2, true);
}

/** Every accepted field name. */
export const OF_TEXT_FIELDS: Readonly<Record<string, OfTextField>> = {
  // metadata
  in_port: { offset: O.in_port, bytes: 4, syntax: 'port', maskable: false },
  actset_output: { offset: O.actset_output, bytes: 4, syntax: 'port', maskable: false },
  metadata: int(O.metadata, 8, true),
  ...REGS,
  pkt_mark: int(O.pkt_mark, 4, true),
  recirc_id: int(O.recirc_id, 4, false),
  dp_hash: int(O.dp_hash, 4, true),
  skb_priority: int(O.skb_priority, 4, false),
  conj_id: int(O.conj_id, 4, false),
  ct_state: { offset: O.ct_state, bytes: 1, syntax: 'ctState', maskable: true },
  ct_zone: int(O.ct_zone, 2, true),
  ct_mark: int(O.ct_mark, 4, true),
  ct_label: int(O.ct_label, 16, true),
  ct_nw_proto: int(O.ct_nw_proto, 1, false),
  ct_tp_src: int(O.ct_tp_src, 2, true),
  ct_tp_dst: int(O.ct_tp_dst, 2, true),
  packet_type: { offset: O.packet_type, bytes: 4, syntax: 'packetType', maskable: false },
  // L2
  dl_src: { offset: O.dl_src, bytes: 6, syntax: 'mac', maskable: true },
  eth_src: { offset: O.dl_src, bytes: 6, syntax: 'mac', maskable: true },
  dl_dst: { offset: O.dl_dst, bytes: 6, syntax: 'mac', maskable: true },
  eth_dst: { offset: O.dl_dst, bytes: 6, syntax: 'mac', maskable: true },
  dl_type: int(O.dl_type, 2, false),
  eth_type: int(O.dl_type, 2, false),
  vlan_tci: int(O.vlan0_tci, 2, true),
  vlan_tci1: int(O.vlan1_tci, 2, true),
  dl_vlan: int(O.vlan0_tci, 2, false, { bitMask: 0x0fff, presentBits: 0x1000 }),
  dl_vlan1: int(O.vlan1_tci, 2, false, { bitMask: 0x0fff, presentBits: 0x1000 }),
  dl_vlan_pcp: int(O.vlan0_tci, 2, false, { bitMask: 0xe000, presentBits: 0x1000 }),
  dl_vlan_pcp1: int(O.vlan1_tci, 2, false, { bitMask: 0xe000, presentBits: 0x1000 }),
  mpls_label: int(O.mpls_lse, 4, false, { bitMask: 0xfffff000 }),
  mpls_tc: int(O.mpls_lse, 4, false, { bitMask: 0x00000e00 }),
  mpls_bos: int(O.mpls_lse, 4, false, { bitMask: 0x00000100 }),
  mpls_ttl: int(O.mpls_lse, 4, false, { bitMask: 0x000000ff }),
  mpls_lse1: int(O.mpls_lse + 4, 4, true),
  mpls_lse2: int(O.mpls_lse + 8, 4, true),
  // L3
  nw_src: { offset: O.nw_src, bytes: 4, syntax: 'ipv4', maskable: true },
  ip_src: { offset: O.nw_src, bytes: 4, syntax: 'ipv4', maskable: true },
  nw_dst: { offset: O.nw_dst, bytes: 4, syntax: 'ipv4', maskable: true },
  ip_dst: { offset: O.nw_dst, bytes: 4, syntax: 'ipv4', maskable: true },
  arp_spa: { offset: O.nw_src, bytes: 4, syntax: 'ipv4', maskable: true },
  arp_tpa: { offset: O.nw_dst, bytes: 4, syntax: 'ipv4', maskable: true },
  arp_op: int(O.nw_proto, 1, false),
  arp_sha: { offset: O.arp_sha, bytes: 6, syntax: 'mac', maskable: true },
  arp_tha: { offset: O.arp_tha, bytes: 6, syntax: 'mac', maskable: true },
  ipv6_src: { offset: O.ipv6_src, bytes: 16, syntax: 'ipv6', maskable: true },
  ipv6_dst: { offset: O.ipv6_dst, bytes: 16, syntax: 'ipv6', maskable: true },
  ipv6_label: int(O.ipv6_label, 4, true, { max: 0xfffff }),
  nw_proto: int(O.nw_proto, 1, false),
  ip_proto: int(O.nw_proto, 1, false),
  nw_tos: int(O.nw_tos, 1, false, { bitMask: 0xfc, shift: 0 }),
  ip_dscp: int(O.nw_tos, 1, false, { bitMask: 0xfc }),
  nw_ecn: int(O.nw_tos, 1, false, { bitMask: 0x03 }),
  ip_ecn: int(O.nw_tos, 1, false, { bitMask: 0x03 }),
  nw_ttl: int(O.nw_ttl, 1, false),
  nw_frag: { offset: O.nw_frag, bytes: 1, syntax: 'frag', maskable: false },
  ip_frag: { offset: O.nw_frag, bytes: 1, syntax: 'frag', maskable: false },
  // L4
  ...L4,
  tcp_flags: { offset: O.tcp_flags, bytes: 2, syntax: 'tcpFlags', maskable: true },
  icmp_type: int(O.tp_src, 2, true, { max: 0xff }),
  icmp_code: int(O.tp_dst, 2, true, { max: 0xff }),
  icmpv6_type: int(O.tp_src, 2, true, { max: 0xff }),
  icmpv6_code: int(O.tp_dst, 2, true, { max: 0xff }),
  nd_target: { offset: O.nd_target, bytes: 16, syntax: 'ipv6', maskable: true },
  nd_sll: { offset: O.arp_sha, bytes: 6, syntax: 'mac', maskable: true },
  nd_tll: { offset: O.arp_tha, bytes: 6, syntax: 'mac', maskable: true },
};

/** Protocol shorthands: dl_type and (optionally) nw_proto they stand for (lib/ofp-parse.c). */
export const OF_SHORTHANDS: Readonly<Record<string, readonly [dlType: number, nwProto: number | null]>> = {
  ip: [0x0800, null], ipv4: [0x0800, null], ip4: [0x0800, null],
  icmp: [0x0800, 1], tcp: [0x0800, 6], udp: [0x0800, 17], sctp: [0x0800, 132],
  ipv6: [0x86dd, null], ip6: [0x86dd, null],
  icmp6: [0x86dd, 58], tcp6: [0x86dd, 6], udp6: [0x86dd, 17], sctp6: [0x86dd, 132],
  arp: [0x0806, null], rarp: [0x8035, null], mpls: [0x8847, null], mplsm: [0x8848, null],
};
