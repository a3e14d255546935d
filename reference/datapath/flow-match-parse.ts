/**
 * The attribute walk behind flowMatchFromOdp: Linux net/openvswitch
 * flow_netlink.c `__parse_flow_nlattrs`, `parse_vlan_from_nlattrs` and
 * `ovs_key_from_nlattrs`, run once over the key values and once over the
 * masks of an `OdpKey`, writing a `FlowKey` pair.
 *
 * Invariants (the kernel's, kept on purpose):
 *  - A pass sees each attribute name at most once, across VLAN levels
 *    (inner attributes join the outer set once a VLAN level is consumed).
 *  - The mask pass skips attributes whose mask is all zero ("nz"), and the
 *    table of last-seen attributes is shared by both passes, so a mask pass
 *    that lacks an attribute reads the key pass's bytes, as the kernel's
 *    `a[]` array does.
 *  - in_port and eth_type masks are forced exact when present; an absent
 *    in_port keys as DP_MAX_PORTS; ETHERNET without eth_type keys 802.2
 *    (FlowKey's 0x05ff); frag is stored as FLOW_NW_FRAG_* bits.
 *
 * Left out: tunnel and NSH attributes (no FlowKey slots; the text parser
 * rejects them), the MPLS label-count mask (FlowKey has none) and the
 * conntrack original-direction addresses (no slots: flagged for the caller).
 */
import type { FlowFieldSlot, OdpAttr, OdpAttrName } from '../flow/index.ts';
import { DL_TYPE_NONE, FlowKey, FlowOffset, NwFrag, ODP_ATTR_BYTES, VLAN_CFI, isAllBytes, readUint } from '../flow/index.ts';
import type { DpErrno } from './dpif-types.ts';

/** Port numbers are below this (USHRT_MAX); an absent in_port keys as this value. */
export const DP_MAX_PORTS = 65535;

/** A refusal, with the path of the offending attribute (indices through encap lists; [] = the key as a whole). */
export interface AttrError {
  readonly errno: DpErrno;
  readonly message: string;
  readonly attr: string;
  readonly path: readonly number[];
}

export type Pass = 'key' | 'mask';

interface Slot {
  readonly bytes: Uint8Array;
  readonly path: readonly number[];
  readonly list: readonly OdpAttr[];
}

/** Shared state of one match parse (the kernel's sw_flow_match plus its `a[]` table). */
export interface MatchState {
  readonly key: FlowKey;
  readonly mask: FlowKey;
  readonly table: Map<OdpAttrName, Slot>;
  /** Path of the last attribute of each name seen by each pass. */
  readonly paths: { key: Map<OdpAttrName, readonly number[]>; mask: Map<OdpAttrName, readonly number[]> };
  /** Key pass: no eth() but an eth_type (an L3 packet, MAC_PROTO_NONE). */
  macNone: boolean;
  /** Mask pass: a conntrack tuple with non-zero address masks. */
  ctAddrMasked: readonly number[] | undefined;
}

export function newMatchState(): MatchState {
  return {
    key: new FlowKey(), mask: new FlowKey(), table: new Map(), paths: { key: new Map(), mask: new Map() },
    macNone: false, ctAddrMasked: undefined,
  };
}

export function attrError(message: string, attr: string, path: readonly number[], errno: DpErrno = 'EINVAL'): AttrError {
  return { errno, message, attr, path };
}

const NOT_KERNEL = new Set<string>(['packet_type', 'nd_ext']);

/**
 * `__parse_flow_nlattrs` over one attribute list: adds every attribute (the
 * non-zero ones in the mask pass) to `attrs` and the shared table.
 */
export function collectAttrs(st: MatchState, list: readonly OdpAttr[], base: readonly number[], attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    const path = [...base, i];
    const name = a.name;
    if (NOT_KERNEL.has(name)) return attrError(`${name}(…) is a userspace-datapath attribute; the kernel datapath does not take it`, name, path);
    if (attrs.has(name)) return attrError(`duplicate ${name}(…) attribute`, name, path);
    const lenErr = checkLength(a, path);
    if (lenErr) return lenErr;
    if (a.name !== 'encap' && pass === 'key' && a.name === 'eth_type' && a.keyAbsent) continue;
    const bytes = a.name === 'encap' ? new Uint8Array(0) : pass === 'key' ? a.key : a.mask;
    const list2 = a.name === 'encap' ? a.attrs : [];
    if (pass === 'mask' && (a.name === 'encap' ? list2.length === 0 : isAllBytes(bytes, 0))) continue;
    attrs.add(name);
    st.table.set(name, { bytes, path, list: list2 });
    st.paths[pass].set(name, path);
  }
  return undefined;
}

function checkLength(a: OdpAttr, path: readonly number[]): AttrError | undefined {
  if (a.name === 'encap') return Array.isArray(a.attrs) ? undefined : attrError('encap(…) without an attribute list', 'encap', path);
  const want = a.name === 'mpls' ? a.key.length : (ODP_ATTR_BYTES as Record<string, number | undefined>)[a.name];
  if (want === undefined) return attrError(`unknown key attribute ${String(a.name)}`, String(a.name), path);
  if (a.key.length !== want || a.mask.length !== want) return attrError(`${a.name}(…) has ${a.key.length} bytes, expected ${want}`, a.name, path);
  return undefined;
}

const isVlanType = (t: number): boolean => t === 0x8100 || t === 0x88a8;

export function u16At(st: MatchState, name: OdpAttrName): number {
  const s = st.table.get(name);
  return s ? readUint(s.bytes, 0, 2) : 0;
}

function slotPath(st: MatchState, name: OdpAttrName, pass: Pass): readonly number[] {
  return st.paths[pass].get(name) ?? [];
}

/** `parse_vlan_from_nlattrs`: the outer tag, then the inner one when the outer TCI has CFI. */
export function parseVlans(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  const outer = parseVlanLevel(st, attrs, pass, false);
  if (outer) return outer;
  if (st.key.view.getUint16(FlowOffset.vlan0_tci) & VLAN_CFI) return parseVlanLevel(st, attrs, pass, true);
  return undefined;
}

function parseVlanLevel(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass, inner: boolean): AttrError | undefined {
  const tag = inner ? 'C-VLAN' : 'VLAN';
  const r = pass === 'key' ? validateVlanKey(st, attrs, tag) : validateVlanMask(st, attrs, inner, tag);
  if (r !== true) return r;
  const fk = pass === 'key' ? st.key : st.mask;
  fk.view.setUint16(inner ? FlowOffset.vlan1_tpid : FlowOffset.vlan0_tpid, u16At(st, 'eth_type'));
  fk.view.setUint16(inner ? FlowOffset.vlan1_tci : FlowOffset.vlan0_tci, u16At(st, 'vlan'));
  attrs.delete('encap');
  attrs.delete('vlan');
  attrs.delete('eth_type');
  const encap = st.table.get('encap');
  return encap ? collectAttrs(st, encap.list, encap.path, attrs, pass) : undefined;
}

function validateVlanKey(st: MatchState, attrs: Set<OdpAttrName>, tag: string): AttrError | true | undefined {
  if (!(attrs.has('eth') && attrs.has('eth_type') && isVlanType(u16At(st, 'eth_type')))) return undefined;
  if (!(attrs.has('vlan') && attrs.has('encap'))) {
    return attrError(`invalid ${tag} frame: eth_type(0x${u16At(st, 'eth_type').toString(16)}) needs vlan(…) and encap(…)`, 'eth_type', slotPath(st, 'eth_type', 'key'));
  }
  const tci = u16At(st, 'vlan');
  if (!(tci & VLAN_CFI)) {
    if (tci) return attrError(`${tag} TCI 0x${tci.toString(16)} does not have the CFI bit (0x1000) set`, 'vlan', slotPath(st, 'vlan', 'key'));
    if ((st.table.get('encap')?.list.length ?? 0) > 0) {
      return attrError(`truncated ${tag} header (TCI 0) has a non-empty encap(…)`, 'encap', slotPath(st, 'encap', 'key'));
    }
  }
  return true;
}

function validateVlanMask(st: MatchState, attrs: Set<OdpAttrName>, inner: boolean, tag: string): AttrError | true | undefined {
  if (!attrs.has('encap')) return undefined;
  const tci = st.key.view.getUint16(inner ? FlowOffset.vlan1_tci : FlowOffset.vlan0_tci);
  if (!(tci & VLAN_CFI)) return attrError(`encap(…) mask is set for a non-${tag} frame`, 'encap', slotPath(st, 'encap', 'mask'));
  const tpidMask = u16At(st, 'eth_type');
  if (tpidMask !== 0xffff) {
    return attrError(`the ${tag} TPID must be matched exactly (eth_type mask 0x${tpidMask.toString(16)})`, 'eth_type', slotPath(st, 'eth_type', 'mask'));
  }
  if (!(u16At(st, 'vlan') & VLAN_CFI)) {
    return attrError(`the ${tag} TCI mask must match the CFI bit (0x1000) exactly`, 'vlan', slotPath(st, 'vlan', 'mask'));
  }
  return true;
}

function put(st: MatchState, pass: Pass, slot: FlowFieldSlot, src: Uint8Array, from: number, n: number): void {
  (pass === 'key' ? st.key : st.mask).bytes.set(src.subarray(from, from + n), FlowOffset[slot]);
}
function put32(st: MatchState, pass: Pass, slot: FlowFieldSlot, v: number): void {
  (pass === 'key' ? st.key : st.mask).view.setUint32(FlowOffset[slot], v >>> 0);
}
function put16(st: MatchState, pass: Pass, slot: FlowFieldSlot, v: number): void {
  (pass === 'key' ? st.key : st.mask).view.setUint16(FlowOffset[slot], v & 0xffff);
}
function put8(st: MatchState, pass: Pass, slot: FlowFieldSlot, v: number): void {
  (pass === 'key' ? st.key : st.mask).view.setUint8(FlowOffset[slot], v & 0xff);
}

/** Takes `name` out of `attrs` and returns its bytes, or undefined when absent. */
function take(st: MatchState, attrs: Set<OdpAttrName>, name: OdpAttrName): Uint8Array | undefined {
  if (!attrs.has(name)) return undefined;
  attrs.delete(name);
  return st.table.get(name)?.bytes;
}

const u32 = (b: Uint8Array, at = 0): number => readUint(b, at, 4);

/** `metadata_from_nlattrs` (also PACKET EXECUTE's metadata): recirc/hash/priority/port/mark/conntrack, MAC protocol. */
export function parseMetadata(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  const path = (n: OdpAttrName): readonly number[] => slotPath(st, n, pass);
  let b: Uint8Array | undefined;
  if ((b = take(st, attrs, 'dp_hash'))) put32(st, pass, 'dp_hash', u32(b));
  if ((b = take(st, attrs, 'recirc_id'))) put32(st, pass, 'recirc_id', u32(b));
  if ((b = take(st, attrs, 'skb_priority'))) put32(st, pass, 'skb_priority', u32(b));
  if ((b = take(st, attrs, 'in_port'))) {
    const port = u32(b);
    if (pass === 'key' && port >= DP_MAX_PORTS) return attrError(`in_port(${port}) exceeds the largest port number ${DP_MAX_PORTS - 1}`, 'in_port', path('in_port'));
    put32(st, pass, 'in_port', pass === 'mask' ? 0xffffffff : port);
  } else if (pass === 'key') put32(st, pass, 'in_port', DP_MAX_PORTS);
  if ((b = take(st, attrs, 'skb_mark'))) put32(st, pass, 'pkt_mark', u32(b));
  if ((b = take(st, attrs, 'ct_state'))) {
    const v = u32(b);
    if (v & ~0xff) {
      const what = pass === 'key' ? 'flags' : 'mask';
      return attrError(`ct_state ${what} 0x${v.toString(16)} has bits the datapath does not support (only 0xff; match flags as +flag/-flag)`, 'ct_state', path('ct_state'));
    }
    put8(st, pass, 'ct_state', v);
  }
  if ((b = take(st, attrs, 'ct_zone'))) put16(st, pass, 'ct_zone', readUint(b, 0, 2));
  if ((b = take(st, attrs, 'ct_mark'))) put32(st, pass, 'ct_mark', u32(b));
  if ((b = take(st, attrs, 'ct_label'))) put(st, pass, 'ct_label', b, 0, 16);
  for (const [name, addrBytes, portsAt] of [['ct_tuple4', 8, 8], ['ct_tuple6', 32, 32]] as const) {
    if (!(b = take(st, attrs, name))) continue;
    put(st, pass, 'ct_tp_src', b, portsAt, 2);
    put(st, pass, 'ct_tp_dst', b, portsAt + 2, 2);
    put(st, pass, 'ct_nw_proto', b, portsAt + 4, 1);
    if (pass === 'mask' && !isAllBytes(b, 0, 0, addrBytes)) st.ctAddrMasked = path(name);
  }
  const none = !attrs.has('eth') && attrs.has('eth_type');
  if (pass === 'key') st.macNone = none;
  return none ? parseEthType(st, attrs, pass) : undefined;
}

function parseEthType(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  let v = u16At(st, 'eth_type');
  if (pass === 'mask') v = 0xffff;
  else if (v < 0x600) return attrError(`EtherType 0x${v.toString(16)} is below the minimum 0x600`, 'eth_type', slotPath(st, 'eth_type', pass));
  put16(st, pass, 'dl_type', v);
  attrs.delete('eth_type');
  return undefined;
}

/** `ovs_key_from_nlattrs`: metadata, Ethernet, L3, L4; anything left over is an error. */
export function parseKeyAttrs(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  const err = parseMetadata(st, attrs, pass) ?? parseL2(st, attrs, pass) ?? parseL3(st, attrs, pass);
  if (err) return err;
  parseL4(st, attrs, pass);
  if (attrs.size === 0) return undefined;
  const left = [...attrs].map((n) => ({ n, p: slotPath(st, n, pass) })).sort((x, y) => comparePaths(x.p, y.p))[0]!;
  return attrError(`unexpected ${left.n}(…) attribute here`, left.n, left.p);
}

/** Document order of two attribute paths. */
export function comparePaths(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function parseL2(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  const eth = take(st, attrs, 'eth');
  if (eth) {
    put(st, pass, 'dl_src', eth, 0, 6);
    put(st, pass, 'dl_dst', eth, 6, 6);
    if (attrs.has('vlan')) return attrError('vlan(…) needs eth_type(0x8100) or eth_type(0x88a8) and encap(…) beside it', 'vlan', slotPath(st, 'vlan', pass));
    if (attrs.has('eth_type')) return parseEthType(st, attrs, pass);
    if (pass === 'key') put16(st, pass, 'dl_type', DL_TYPE_NONE);
    return undefined;
  }
  if (st.key.view.getUint16(FlowOffset.dl_type) === 0) return attrError('the key needs eth(…) or eth_type(…)', '', []);
  return undefined;
}

function fragBits(frag: number): number {
  return frag === 0 ? 0 : frag === 1 ? NwFrag.ANY : NwFrag.ANY | NwFrag.LATER;
}

function parseL3(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): AttrError | undefined {
  const path = (n: OdpAttrName): readonly number[] => slotPath(st, n, pass);
  let b: Uint8Array | undefined;
  if ((b = take(st, attrs, 'ipv4'))) {
    if (pass === 'key' && b[11]! > 2) return attrError(`ipv4 frag type ${b[11]} is out of range (no, first, later)`, 'ipv4', path('ipv4'));
    put8(st, pass, 'nw_proto', b[8]!);
    put8(st, pass, 'nw_tos', b[9]!);
    put8(st, pass, 'nw_ttl', b[10]!);
    put8(st, pass, 'nw_frag', pass === 'key' ? fragBits(b[11]!) : b[11] ? NwFrag.MASK : 0);
    put(st, pass, 'nw_src', b, 0, 4);
    put(st, pass, 'nw_dst', b, 4, 4);
  }
  if ((b = take(st, attrs, 'ipv6'))) {
    if (pass === 'key' && b[39]! > 2) return attrError(`ipv6 frag type ${b[39]} is out of range (no, first, later)`, 'ipv6', path('ipv6'));
    const label = u32(b, 32);
    if (pass === 'key' && label & 0xfff00000) return attrError(`ipv6 flow label 0x${label.toString(16)} is out of range (max 0xfffff)`, 'ipv6', path('ipv6'));
    put32(st, pass, 'ipv6_label', label);
    put8(st, pass, 'nw_proto', b[36]!);
    put8(st, pass, 'nw_tos', b[37]!);
    put8(st, pass, 'nw_ttl', b[38]!);
    put8(st, pass, 'nw_frag', pass === 'key' ? fragBits(b[39]!) : b[39] ? NwFrag.MASK : 0);
    put(st, pass, 'ipv6_src', b, 0, 16);
    put(st, pass, 'ipv6_dst', b, 16, 16);
  }
  if ((b = take(st, attrs, 'arp'))) {
    const op = readUint(b, 8, 2);
    if (pass === 'key' && op & 0xff00) return attrError(`ARP opcode ${op} is not supported (max 255)`, 'arp', path('arp'));
    put(st, pass, 'nw_src', b, 0, 4);
    put(st, pass, 'nw_dst', b, 4, 4);
    put8(st, pass, 'nw_proto', op);
    put(st, pass, 'arp_sha', b, 10, 6);
    put(st, pass, 'arp_tha', b, 16, 6);
  }
  if ((b = take(st, attrs, 'mpls'))) {
    const labels = b.length / 4;
    if (labels < 1 || labels > 3 || b.length % 4) return attrError(`mpls(…) has ${b.length} bytes: 1 to 3 label stack entries expected`, 'mpls', path('mpls'));
    put(st, pass, 'mpls_lse', b, 0, b.length);
  }
  return undefined;
}

function parseL4(st: MatchState, attrs: Set<OdpAttrName>, pass: Pass): void {
  let b: Uint8Array | undefined;
  for (const name of ['tcp', 'tcp_flags', 'udp', 'sctp'] as const) {
    if (!(b = take(st, attrs, name))) continue;
    if (name === 'tcp_flags') put16(st, pass, 'tcp_flags', readUint(b, 0, 2));
    else {
      put16(st, pass, 'tp_src', readUint(b, 0, 2));
      put16(st, pass, 'tp_dst', readUint(b, 2, 2));
    }
  }
  for (const name of ['icmp', 'icmpv6'] as const) {
    if (!(b = take(st, attrs, name))) continue;
    put16(st, pass, 'tp_src', b[0]!);
    put16(st, pass, 'tp_dst', b[1]!);
  }
  if ((b = take(st, attrs, 'nd'))) {
    put(st, pass, 'nd_target', b, 0, 16);
    put(st, pass, 'arp_sha', b, 16, 6);
    put(st, pass, 'arp_tha', b, 22, 6);
  }
}
