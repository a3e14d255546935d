/**
 * The datapath flow key (ODP key) model: the list of OVS_KEY_ATTR_* attributes
 * of a datapath flow, each with a value and a mask.
 *
 * What: an `OdpKey` is an ordered list of attributes as they occur in the
 * netlink key of Open vSwitch 3.1 (include/linux/openvswitch.h). A fixed-size
 * attribute stores its value and mask as bytes laid out exactly like the
 * kernel's `struct ovs_key_*` payload (big-endian, no padding), so masking,
 * "is wildcard"/"is exact" tests and conversion to the FlowKey layout are
 * byte operations. `encap` nests another attribute list; `mpls` holds one
 * 4-byte label stack entry per label.
 *
 * Invariants: `key.length === mask.length === ODP_ATTR_BYTES[name]` for fixed
 * attributes (mpls: a multiple of 4). An `eth_type` marked `keyAbsent` is the
 * 802.3 convention of lib/odp-util.c: present only in the mask, printed as a
 * trailing `eth_type(0/0xffff)`.
 *
 * Field descriptors (`ODP_STRUCT_FIELDS`) name each sub-field with its byte
 * offset, width and printing style, following format_odp_key_attr__ and
 * parse_odp_key_mask_attr__ of lib/odp-util.c.
 *
 * Left out on purpose: `tunnel`, `nsh`, and unknown attribute numbers (the
 * text parser reports them as errors).
 */

export type OdpFieldStyle =
  | 'ipv4' // dotted quad, mask dotted quad
  | 'ipv6' // RFC 5952 text, mask as address
  | 'mac' // xx:xx:xx:xx:xx:xx, mask as MAC
  | 'dec' // %u, mask /%#x
  | 'hex' // %#x, mask /%#x
  | 'label' // IPv6 flow label: %#x, full at 0xfffff
  | 'frag'; // no|first|later, mask 0 or 0xff only

export interface OdpFieldDesc {
  /** Name printed by the formatter. */
  readonly name: string;
  /** Name the parser accepts (OVS prints ct_tuple6 ports as src_port/dst_port but parses tp_src/tp_dst). */
  readonly parseName: string;
  readonly offset: number;
  readonly bytes: number;
  readonly style: OdpFieldStyle;
}

function f(name: string, offset: number, bytes: number, style: OdpFieldStyle, parseName = name): OdpFieldDesc {
  return { name, parseName, offset, bytes, style };
}

/** Attributes made of named sub-fields, in printing order. */
export const ODP_STRUCT_FIELDS = {
  eth: [f('src', 0, 6, 'mac'), f('dst', 6, 6, 'mac')],
  ipv4: [f('src', 0, 4, 'ipv4'), f('dst', 4, 4, 'ipv4'), f('proto', 8, 1, 'dec'), f('tos', 9, 1, 'hex'), f('ttl', 10, 1, 'dec'), f('frag', 11, 1, 'frag')],
  ipv6: [
    f('src', 0, 16, 'ipv6'), f('dst', 16, 16, 'ipv6'), f('label', 32, 4, 'label'), f('proto', 36, 1, 'dec'),
    f('tclass', 37, 1, 'hex'), f('hlimit', 38, 1, 'dec'), f('frag', 39, 1, 'frag'),
  ],
  tcp: [f('src', 0, 2, 'dec'), f('dst', 2, 2, 'dec')],
  udp: [f('src', 0, 2, 'dec'), f('dst', 2, 2, 'dec')],
  sctp: [f('src', 0, 2, 'dec'), f('dst', 2, 2, 'dec')],
  icmp: [f('type', 0, 1, 'dec'), f('code', 1, 1, 'dec')],
  icmpv6: [f('type', 0, 1, 'dec'), f('code', 1, 1, 'dec')],
  arp: [f('sip', 0, 4, 'ipv4'), f('tip', 4, 4, 'ipv4'), f('op', 8, 2, 'dec'), f('sha', 10, 6, 'mac'), f('tha', 16, 6, 'mac')],
  nd: [f('target', 0, 16, 'ipv6'), f('sll', 16, 6, 'mac'), f('tll', 22, 6, 'mac')],
  ct_tuple4: [f('src', 0, 4, 'ipv4'), f('dst', 4, 4, 'ipv4'), f('proto', 12, 1, 'dec'), f('tp_src', 8, 2, 'dec'), f('tp_dst', 10, 2, 'dec')],
  ct_tuple6: [
    f('src', 0, 16, 'ipv6'), f('dst', 16, 16, 'ipv6'), f('proto', 36, 1, 'dec'),
    f('src_port', 32, 2, 'dec', 'tp_src'), f('dst_port', 34, 2, 'dec', 'tp_dst'),
  ],
  packet_type: [f('ns', 0, 2, 'dec'), f('id', 2, 2, 'hex')],
} as const satisfies Record<string, readonly OdpFieldDesc[]>;

export type OdpStructAttrName = keyof typeof ODP_STRUCT_FIELDS;

/** Attributes holding a single value. */
export const ODP_SCALAR_ATTRS = [
  'recirc_id', 'dp_hash', 'skb_priority', 'skb_mark', 'in_port', 'ct_state', 'ct_zone', 'ct_mark', 'ct_label',
  'eth_type', 'vlan', 'tcp_flags', 'nd_ext',
] as const;
export type OdpScalarAttrName = (typeof ODP_SCALAR_ATTRS)[number];

export type OdpFixedAttrName = OdpStructAttrName | OdpScalarAttrName;

/** Payload size of each fixed-size attribute (the kernel struct without padding). */
export const ODP_ATTR_BYTES = {
  recirc_id: 4, dp_hash: 4, skb_priority: 4, skb_mark: 4, in_port: 4, ct_state: 4, ct_zone: 2, ct_mark: 4, ct_label: 16,
  ct_tuple4: 13, ct_tuple6: 37, packet_type: 4, eth: 12, vlan: 2, eth_type: 2, ipv4: 12, ipv6: 40, tcp: 4, tcp_flags: 2,
  udp: 4, sctp: 4, icmp: 2, icmpv6: 2, arp: 22, nd: 28, nd_ext: 5,
} as const satisfies Record<OdpFixedAttrName, number>;

/** One fixed-size key attribute: value and mask with the kernel struct layout. */
export interface OdpFixedAttr {
  readonly name: OdpFixedAttrName;
  readonly key: Uint8Array;
  readonly mask: Uint8Array;
  /** eth_type only: present in the mask but not the key (802.3 frames). */
  readonly keyAbsent?: boolean;
}
/** MPLS label stack entries (4 bytes each). */
export interface OdpMplsAttr {
  readonly name: 'mpls';
  readonly key: Uint8Array;
  readonly mask: Uint8Array;
}
/** Attributes of the encapsulated (post-VLAN) packet. */
export interface OdpEncapAttr {
  readonly name: 'encap';
  readonly attrs: OdpAttr[];
}
export type OdpAttr = OdpFixedAttr | OdpMplsAttr | OdpEncapAttr;
export type OdpAttrName = OdpAttr['name'];

export interface OdpKey {
  attrs: OdpAttr[];
}

/** ct_state bits (OVS_CS_F_*), in printing order. */
export const CT_STATE_FLAGS = [
  [0x01, 'new'], [0x02, 'est'], [0x04, 'rel'], [0x08, 'rpl'], [0x10, 'inv'], [0x20, 'trk'], [0x40, 'snat'], [0x80, 'dnat'],
] as const;
/** TCP flag bits as printed in `tcp_flags(...)` (packet_tcp_flag_to_string). */
export const TCP_FLAG_NAMES = [
  [0x001, 'fin'], [0x002, 'syn'], [0x004, 'rst'], [0x008, 'psh'], [0x010, 'ack'], [0x020, 'urg'], [0x040, 'ece'],
  [0x080, 'cwr'], [0x100, 'ns'], [0x200, '[200]'], [0x400, '[400]'], [0x800, '[800]'],
] as const;
export const CT_STATE_SUPPORTED = 0xff;
export const TCP_FLAGS_MASK = 0x0fff;

/** Rank of each attribute in the kernel's dump order (__ovs_nla_put_key). */
export const KERNEL_ATTR_RANK = {
  recirc_id: 0, dp_hash: 1, skb_priority: 2, in_port: 4, skb_mark: 5, ct_state: 6, ct_zone: 7, ct_mark: 8, ct_label: 9,
  ct_tuple4: 10, ct_tuple6: 10, packet_type: 11, eth: 12, eth_type: 13, vlan: 14, encap: 15, mpls: 16, ipv4: 16, ipv6: 16,
  arp: 16, tcp: 17, udp: 17, sctp: 17, icmp: 17, icmpv6: 17, tcp_flags: 18, nd: 19, nd_ext: 20,
} as const satisfies Record<OdpAttrName, number>;

/** A fixed attribute with zeroed value and mask (fully wildcarded). */
export function newOdpAttr(name: OdpFixedAttrName): OdpFixedAttr {
  const n = ODP_ATTR_BYTES[name];
  return { name, key: new Uint8Array(n), mask: new Uint8Array(n) };
}

/** Reads a big-endian unsigned integer of 1..4 bytes. */
export function readUint(b: Uint8Array, offset: number, bytes: number): number {
  let v = 0;
  for (let i = 0; i < bytes; i++) v = v * 256 + (b[offset + i] ?? 0);
  return v;
}

/** Writes a big-endian unsigned integer of 1..4 bytes (value taken modulo 2^(8*bytes)). */
export function writeUint(b: Uint8Array, offset: number, bytes: number, value: number): void {
  let v = value;
  for (let i = bytes - 1; i >= 0; i--) {
    b[offset + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

export function isAllBytes(b: Uint8Array, value: number, start = 0, end = b.length): boolean {
  for (let i = start; i < end; i++) if (b[i] !== value) return false;
  return true;
}

/**
 * True when the mask of `attr` is all zero (odp_mask_is_constant__ with 0);
 * encap is never a wildcard.
 */
export function isOdpAttrWildcard(attr: OdpAttr): boolean {
  if (attr.name === 'encap') return false;
  return isOdpMaskConstant(attr, 0);
}

/** True when the mask of `attr` is exact (odp_mask_is_constant__ with -1). */
export function isOdpAttrExact(attr: OdpAttr): boolean {
  if (attr.name === 'encap') return false;
  return isOdpMaskConstant(attr, 0xff);
}

function isOdpMaskConstant(attr: OdpFixedAttr | OdpMplsAttr, byte: number): boolean {
  const m = attr.mask;
  switch (attr.name) {
    case 'tcp_flags':
      return (readUint(m, 0, 2) & TCP_FLAGS_MASK) === (byte ? TCP_FLAGS_MASK : 0);
    case 'ipv6':
      return (readUint(m, 32, 4) & 0xfffff) === (byte ? 0xfffff : 0) && isAllBytes(m, byte, 0, 32) && isAllBytes(m, byte, 36, 40);
    default:
      return isAllBytes(m, byte);
  }
}

/** Deep copy of an attribute list. */
export function cloneOdpAttrs(attrs: readonly OdpAttr[]): OdpAttr[] {
  return attrs.map((a): OdpAttr => {
    if (a.name === 'encap') return { name: 'encap', attrs: cloneOdpAttrs(a.attrs) };
    if (a.name === 'mpls') return { name: 'mpls', key: a.key.slice(), mask: a.mask.slice() };
    return a.keyAbsent ? { name: a.name, key: a.key.slice(), mask: a.mask.slice(), keyAbsent: true } : { name: a.name, key: a.key.slice(), mask: a.mask.slice() };
  });
}

/** First attribute called `name` in a list (not descending into encap). */
export function findOdpAttr(attrs: readonly OdpAttr[], name: 'encap'): OdpEncapAttr | undefined;
export function findOdpAttr(attrs: readonly OdpAttr[], name: 'mpls'): OdpMplsAttr | undefined;
export function findOdpAttr(attrs: readonly OdpAttr[], name: OdpFixedAttrName): OdpFixedAttr | undefined;
export function findOdpAttr(attrs: readonly OdpAttr[], name: OdpAttrName): OdpAttr | undefined {
  for (const a of attrs) if (a.name === name) return a;
  return undefined;
}
