/**
 * The match-field catalog: every field an OpenFlow rule, a megaflow or a set
 * action can name, described once, after Open vSwitch's meta-flow
 * (lib/meta-flow.h, documented in ovs-fields(7) of Open vSwitch 3.1).
 *
 * What: `FIELD_DEFS` maps each field's canonical name — the name `ovs-ofctl`
 * prints (`dl_src`, `nw_src`, `tp_dst`, `nw_frag`) — to its width in bits as
 * meta-flow states it, the `FlowKey` slot holding it (with an element index
 * for `regs`/`mpls_lse` and a bit mask within the slot for sub-fields such as
 * `dl_vlan` in `vlan0_tci` or `ip_dscp` in `nw_tos`), whether it takes
 * arbitrary bitwise masks, whether set_field may write it, its OVS
 * prerequisite (MFP_*) and its text format. Other names — NXM/OXM spellings
 * such as `eth_src`, `ip_proto`, `ipv4_dst`, `ip_frag` — are `aliases`;
 * `fieldByName` resolves both. Tables elsewhere keyed by field use
 * `satisfies Record<FieldName, …>`, so adding a field here breaks the
 * typecheck wherever it must be handled.
 *
 * Invariants (checked by field-catalog.test.ts): every field lies inside its
 * slot and the slot inside the 256-byte `FlowKey`; names and aliases are
 * unique across the catalog; the bits a field stores equal its meta-flow width
 * except for the documented cases in `STORAGE_EXCEPTIONS`.
 *
 * Values (field-access.ts): fields of at most 32 bits are numbers, wider ones
 * (MACs, metadata, IPv6 addresses, ct_label) are bigints. A sub-field's value
 * is `(slot & bitMask) >>> shift`; `nw_tos` keeps its DSCP in the high six
 * bits (shift 0) as OVS does, `vlan_vid` carries the 0x1000 "present" bit as
 * OXM does.
 *
 * Legacy names `tp_src`/`tp_dst` are one field for TCP, UDP and SCTP with
 * the catalog-only prerequisite `tp` (any of the three); the protocol-specific
 * `tcp_src`, `udp_src`, `sctp_src`… share the same slot with OVS's own
 * prerequisites. Likewise `icmp_type` (ICMPv4) and `icmpv6_type` both live
 * in the low byte of `tp_src`.
 *
 * Left out on purpose: tunnel fields, NSH, xreg/xxreg views, `in_port_oxm`,
 * the conntrack original-direction tuple (`ct_nw_src`…), `nd_reserved`,
 * `nd_options_type`, OXM/NXM code points (the wire codec will add them).
 */
import { FlowOffset, type FlowFieldSlot } from './flow-key.ts';

/** Text formats of field values, as ovs-fields(7) names them. */
export const FieldFormat = {
  decimal: 'decimal',
  hex: 'hex',
  mac: 'mac',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  frag: 'frag',
  tcp_flags: 'tcp_flags',
  ct_state: 'ct_state',
  ofp_port: 'ofp_port',
  packet_type: 'packet_type',
} as const;
export type FieldFormat = (typeof FieldFormat)[keyof typeof FieldFormat];

/**
 * Prerequisites, OVS's MFP_* (lib/meta-flow.h), plus `tp` for the legacy
 * `tp_src`/`tp_dst` names (TCP, UDP or SCTP). Evaluated by field-prereqs.ts.
 */
export const Prereq = {
  none: 'none',
  ethernet: 'ethernet',
  vlan_vid: 'vlan_vid',
  arp: 'arp',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  ip_any: 'ip_any',
  mpls: 'mpls',
  tcp: 'tcp',
  udp: 'udp',
  sctp: 'sctp',
  tp: 'tp',
  icmpv4: 'icmpv4',
  icmpv6: 'icmpv6',
  nd: 'nd',
  nd_solicit: 'nd_solicit',
  nd_advert: 'nd_advert',
} as const;
export type Prereq = (typeof Prereq)[keyof typeof Prereq];

/** One catalog entry as written in `FIELD_DEFS`. */
export interface FieldDef {
  /** Width in bits as meta-flow gives it (n_bits). */
  readonly bits: number;
  readonly slot: FlowFieldSlot;
  /** Element of an array slot (`regs`, `mpls_lse`); 0 otherwise. */
  readonly index?: number;
  /** Bits of the slot (≤ 4-byte slots only) that hold the field; whole slot if absent. */
  readonly bitMask?: number;
  /** Right shift from slot bits to field value; trailing zeros of bitMask if absent. */
  readonly shift?: number;
  readonly maskable: boolean;
  readonly writable: boolean;
  readonly prereq: Prereq;
  readonly format: FieldFormat;
  readonly aliases?: readonly string[];
}

const R = (i: number) => ({ bits: 32, slot: 'regs', index: i, maskable: true, writable: true, prereq: 'none', format: 'hex' }) as const;
const L4 = (slot: 'tp_src' | 'tp_dst', prereq: 'tcp' | 'udp' | 'sctp') => ({ bits: 16, slot, maskable: true, writable: true, prereq, format: 'decimal' }) as const;
const ICMP = (slot: 'tp_src' | 'tp_dst', prereq: 'icmpv4' | 'icmpv6') => ({ bits: 8, slot, bitMask: 0x00ff, maskable: false, writable: true, prereq, format: 'decimal' }) as const;

/** The catalog. Keys are canonical names. */
export const FIELD_DEFS = {
  // -- metadata
  in_port: { bits: 16, slot: 'in_port', maskable: false, writable: true, prereq: 'none', format: 'ofp_port' },
  skb_priority: { bits: 32, slot: 'skb_priority', maskable: false, writable: false, prereq: 'none', format: 'hex' },
  pkt_mark: { bits: 32, slot: 'pkt_mark', maskable: true, writable: true, prereq: 'none', format: 'hex' },
  recirc_id: { bits: 32, slot: 'recirc_id', maskable: false, writable: false, prereq: 'none', format: 'decimal' },
  dp_hash: { bits: 32, slot: 'dp_hash', maskable: true, writable: false, prereq: 'none', format: 'hex' },
  conj_id: { bits: 32, slot: 'conj_id', maskable: false, writable: false, prereq: 'none', format: 'decimal' },
  actset_output: { bits: 32, slot: 'actset_output', maskable: false, writable: false, prereq: 'none', format: 'ofp_port' },
  packet_type: { bits: 32, slot: 'packet_type', maskable: false, writable: false, prereq: 'none', format: 'packet_type' },
  ct_state: { bits: 32, slot: 'ct_state', maskable: true, writable: false, prereq: 'none', format: 'ct_state' },
  ct_zone: { bits: 16, slot: 'ct_zone', maskable: false, writable: false, prereq: 'none', format: 'hex' },
  ct_mark: { bits: 32, slot: 'ct_mark', maskable: true, writable: true, prereq: 'none', format: 'hex' },
  ct_label: { bits: 128, slot: 'ct_label', maskable: true, writable: true, prereq: 'none', format: 'hex' },
  metadata: { bits: 64, slot: 'metadata', maskable: true, writable: true, prereq: 'none', format: 'hex' },
  reg0: R(0), reg1: R(1), reg2: R(2), reg3: R(3), reg4: R(4), reg5: R(5), reg6: R(6), reg7: R(7),
  reg8: R(8), reg9: R(9), reg10: R(10), reg11: R(11), reg12: R(12), reg13: R(13), reg14: R(14), reg15: R(15),
  // -- L2
  dl_src: { bits: 48, slot: 'dl_src', maskable: true, writable: true, prereq: 'ethernet', format: 'mac', aliases: ['eth_src'] },
  dl_dst: { bits: 48, slot: 'dl_dst', maskable: true, writable: true, prereq: 'ethernet', format: 'mac', aliases: ['eth_dst'] },
  dl_type: { bits: 16, slot: 'dl_type', maskable: false, writable: false, prereq: 'ethernet', format: 'hex', aliases: ['eth_type'] },
  vlan_tci: { bits: 16, slot: 'vlan0_tci', maskable: true, writable: true, prereq: 'ethernet', format: 'hex' },
  dl_vlan: { bits: 12, slot: 'vlan0_tci', bitMask: 0x0fff, maskable: false, writable: true, prereq: 'ethernet', format: 'decimal' },
  dl_vlan_pcp: { bits: 3, slot: 'vlan0_tci', bitMask: 0xe000, maskable: false, writable: true, prereq: 'ethernet', format: 'decimal' },
  vlan_vid: { bits: 12, slot: 'vlan0_tci', bitMask: 0x1fff, maskable: true, writable: true, prereq: 'ethernet', format: 'decimal' },
  vlan_pcp: { bits: 3, slot: 'vlan0_tci', bitMask: 0xe000, maskable: false, writable: true, prereq: 'vlan_vid', format: 'decimal' },
  mpls_label: { bits: 20, slot: 'mpls_lse', bitMask: 0xfffff000, maskable: false, writable: true, prereq: 'mpls', format: 'decimal' },
  mpls_tc: { bits: 3, slot: 'mpls_lse', bitMask: 0x00000e00, maskable: false, writable: true, prereq: 'mpls', format: 'decimal' },
  mpls_bos: { bits: 1, slot: 'mpls_lse', bitMask: 0x00000100, maskable: false, writable: false, prereq: 'mpls', format: 'decimal' },
  mpls_ttl: { bits: 8, slot: 'mpls_lse', bitMask: 0x000000ff, maskable: false, writable: true, prereq: 'mpls', format: 'decimal' },
  // -- L3
  nw_src: { bits: 32, slot: 'nw_src', maskable: true, writable: true, prereq: 'ipv4', format: 'ipv4', aliases: ['ip_src', 'ipv4_src'] },
  nw_dst: { bits: 32, slot: 'nw_dst', maskable: true, writable: true, prereq: 'ipv4', format: 'ipv4', aliases: ['ip_dst', 'ipv4_dst'] },
  ipv6_src: { bits: 128, slot: 'ipv6_src', maskable: true, writable: true, prereq: 'ipv6', format: 'ipv6' },
  ipv6_dst: { bits: 128, slot: 'ipv6_dst', maskable: true, writable: true, prereq: 'ipv6', format: 'ipv6' },
  ipv6_label: { bits: 20, slot: 'ipv6_label', bitMask: 0x000fffff, maskable: true, writable: true, prereq: 'ipv6', format: 'hex', aliases: ['ipv6_flabel'] },
  nw_proto: { bits: 8, slot: 'nw_proto', maskable: false, writable: false, prereq: 'ip_any', format: 'decimal', aliases: ['ip_proto'] },
  nw_tos: { bits: 8, slot: 'nw_tos', bitMask: 0xfc, shift: 0, maskable: false, writable: true, prereq: 'ip_any', format: 'decimal' },
  ip_dscp: { bits: 6, slot: 'nw_tos', bitMask: 0xfc, maskable: false, writable: true, prereq: 'ip_any', format: 'decimal' },
  nw_ecn: { bits: 2, slot: 'nw_tos', bitMask: 0x03, maskable: false, writable: true, prereq: 'ip_any', format: 'decimal', aliases: ['ip_ecn'] },
  nw_ttl: { bits: 8, slot: 'nw_ttl', maskable: false, writable: true, prereq: 'ip_any', format: 'decimal' },
  nw_frag: { bits: 2, slot: 'nw_frag', bitMask: 0x03, maskable: true, writable: false, prereq: 'ip_any', format: 'frag', aliases: ['ip_frag'] },
  arp_op: { bits: 16, slot: 'nw_proto', maskable: false, writable: true, prereq: 'arp', format: 'decimal' },
  arp_spa: { bits: 32, slot: 'nw_src', maskable: true, writable: true, prereq: 'arp', format: 'ipv4' },
  arp_tpa: { bits: 32, slot: 'nw_dst', maskable: true, writable: true, prereq: 'arp', format: 'ipv4' },
  arp_sha: { bits: 48, slot: 'arp_sha', maskable: true, writable: true, prereq: 'arp', format: 'mac' },
  arp_tha: { bits: 48, slot: 'arp_tha', maskable: true, writable: true, prereq: 'arp', format: 'mac' },
  // -- L4
  tp_src: { bits: 16, slot: 'tp_src', maskable: true, writable: true, prereq: 'tp', format: 'decimal' },
  tp_dst: { bits: 16, slot: 'tp_dst', maskable: true, writable: true, prereq: 'tp', format: 'decimal' },
  tcp_src: L4('tp_src', 'tcp'),
  tcp_dst: L4('tp_dst', 'tcp'),
  udp_src: L4('tp_src', 'udp'),
  udp_dst: L4('tp_dst', 'udp'),
  sctp_src: L4('tp_src', 'sctp'),
  sctp_dst: L4('tp_dst', 'sctp'),
  tcp_flags: { bits: 12, slot: 'tcp_flags', bitMask: 0x0fff, maskable: true, writable: false, prereq: 'tcp', format: 'tcp_flags' },
  icmp_type: ICMP('tp_src', 'icmpv4'),
  icmp_code: ICMP('tp_dst', 'icmpv4'),
  icmpv6_type: ICMP('tp_src', 'icmpv6'),
  icmpv6_code: ICMP('tp_dst', 'icmpv6'),
  nd_target: { bits: 128, slot: 'nd_target', maskable: true, writable: true, prereq: 'nd', format: 'ipv6' },
  nd_sll: { bits: 48, slot: 'arp_sha', maskable: true, writable: true, prereq: 'nd_solicit', format: 'mac' },
  nd_tll: { bits: 48, slot: 'arp_tha', maskable: true, writable: true, prereq: 'nd_advert', format: 'mac' },
} as const satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELD_DEFS;

/** Fields whose stored bits differ from their meta-flow width, and why. */
export const STORAGE_EXCEPTIONS: Partial<Record<FieldName, string>> = {
  in_port: 'OpenFlow 1.0 port (16 bits) kept in a 32-bit slot shared with the datapath port',
  ct_state: 'meta-flow says 32 bits; only 8 state bits exist (struct flow ct_state is u8)',
  vlan_vid: 'OXM value carries the 0x1000 present bit beside the 12-bit VID',
  nw_tos: 'TOS byte with the ECN bits cleared: 6 stored bits in an 8-bit value',
  arp_op: 'struct flow keeps the low 8 bits of the opcode in nw_proto',
};

/** Byte width of each FlowKey slot (one element for array slots). */
export const SLOT_BYTES = {
  metadata: 8, regs: 4, skb_priority: 4, pkt_mark: 4, dp_hash: 4, in_port: 4, recirc_id: 4,
  ct_state: 1, ct_nw_proto: 1, ct_zone: 2, ct_mark: 4, conj_id: 4, ct_label: 16, actset_output: 4,
  packet_type: 4, dl_dst: 6, dl_src: 6, dl_type: 2, vlan0_tpid: 2, vlan0_tci: 2, vlan1_tpid: 2,
  vlan1_tci: 2, mpls_lse: 4, nw_src: 4, nw_dst: 4, ipv6_src: 16, ipv6_dst: 16, ipv6_label: 4,
  nw_frag: 1, nw_tos: 1, nw_ttl: 1, nw_proto: 1, nd_target: 16, arp_sha: 6, arp_tha: 6,
  tcp_flags: 2, tp_src: 2, tp_dst: 2, ct_tp_src: 2, ct_tp_dst: 2,
} as const satisfies Record<FlowFieldSlot, 1 | 2 | 4 | 6 | 8 | 16>;

/** A catalog entry resolved for use: name, byte offset, storage and value kind. */
export interface FieldSpec {
  readonly name: FieldName;
  readonly aliases: readonly string[];
  readonly bits: number;
  readonly slot: FlowFieldSlot;
  /** Byte offset of the field's storage in a FlowKey. */
  readonly offset: number;
  /** Bytes of storage at `offset`. */
  readonly bytes: 1 | 2 | 4 | 6 | 8 | 16;
  /** Bits of the storage that hold the field (all ones for whole slots of ≤ 4 bytes; 0 for wider). */
  readonly bitMask: number;
  readonly shift: number;
  /** Number of bits actually stored. */
  readonly storedBits: number;
  readonly maskable: boolean;
  readonly writable: boolean;
  readonly prereq: Prereq;
  readonly format: FieldFormat;
  /** 'number' for ≤ 32-bit fields, 'bigint' for wider ones. */
  readonly valueKind: 'number' | 'bigint';
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

function trailingZeros(x: number): number {
  if (x === 0) return 0;
  return 31 - Math.clz32((x & -x) >>> 0);
}

function resolve(name: FieldName, def: FieldDef): FieldSpec {
  const bytes = SLOT_BYTES[def.slot];
  const whole = bytes <= 4 ? (bytes === 4 ? 0xffffffff : (1 << (bytes * 8)) - 1) : 0;
  const bitMask = def.bitMask ?? whole;
  return {
    name,
    aliases: def.aliases ?? [],
    bits: def.bits,
    slot: def.slot,
    offset: FlowOffset[def.slot] + (def.index ?? 0) * bytes,
    bytes,
    bitMask: bitMask >>> 0,
    shift: def.shift ?? trailingZeros(bitMask),
    storedBits: bytes <= 4 ? popcount(bitMask) : bytes * 8,
    maskable: def.maskable,
    writable: def.writable,
    prereq: def.prereq,
    format: def.format,
    valueKind: def.bits > 32 ? 'bigint' : 'number',
  };
}

function buildFields(): Readonly<Record<FieldName, FieldSpec>> {
  const out: Partial<Record<FieldName, FieldSpec>> = {};
  for (const name of Object.keys(FIELD_DEFS) as FieldName[]) out[name] = resolve(name, FIELD_DEFS[name]);
  return out as Record<FieldName, FieldSpec>;
}

/** Every field, resolved, by canonical name. */
export const FIELDS: Readonly<Record<FieldName, FieldSpec>> = buildFields();
/** Every field in catalog order. */
export const FIELD_LIST: readonly FieldSpec[] = Object.values(FIELDS);

function buildIndex(): ReadonlyMap<string, FieldSpec> {
  const index = new Map<string, FieldSpec>();
  for (const f of FIELD_LIST) {
    for (const n of [f.name, ...f.aliases]) {
      const prev = index.get(n);
      if (prev) throw new Error(`field catalog: name "${n}" used by both ${prev.name} and ${f.name}`);
      index.set(n, f);
    }
  }
  return index;
}

const BY_NAME = buildIndex();

/** The field called `name` (canonical name or alias, case-sensitive), or undefined. */
export function fieldByName(name: string): FieldSpec | undefined {
  return BY_NAME.get(name);
}

/** True when `name` is a canonical field name. */
export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(FIELD_DEFS, name);
}

/** Type of a field's value: number up to 32 bits, bigint beyond. */
export type FieldValue<N extends FieldName> = (typeof FIELD_DEFS)[N]['bits'] extends 48 | 64 | 128 ? bigint : number;
