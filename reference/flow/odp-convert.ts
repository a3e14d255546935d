/**
 * Conversion between the flow key layout (FlowKey, struct flow) and the ODP
 * key attribute list, as lib/odp-util.c odp_flow_key_from_flow__ (with and
 * without export_mask) and odp_flow_key_to_flow / odp_flow_key_to_mask do.
 *
 * Which attributes exist depends on the packet (the `key` argument), never
 * on the mask: VLAN tags open `eth_type(tpid),vlan(…),encap(…)`; dl_type
 * picks ipv4/ipv6/arp/mpls; nw_proto picks tcp(+tcp_flags)/udp/sctp/icmp/
 * icmpv6 unless the packet is a later fragment; nd follows ICMPv6 NS/NA. An
 * attribute whose mask is zero is still emitted (hidden when printed).
 * Encodings: frag is an enum (no/first/later) with mask 0 or 0xff from the
 * FLOW_NW_FRAG_ANY mask bit; ICMP type/code are 8 bits; the ARP opcode mask
 * is 0xffff when nw_proto is exact; an 802.3 frame (dl_type 0x05ff) has
 * `eth_type` in the mask only.
 *
 * Invariant: flowFromOdpKey(odpKeyFromFlow(k, m)) gives back (k & m, m) for
 * every field the ODP key carries.
 *
 * Left out on purpose: tunnel, NSH, nd_ext, and the conntrack original
 * tuple (FlowKey has no ct_nw_src/ct_nw_dst; ct_tuple attributes are read
 * for proto and ports only and never produced).
 */
import { FlowKey, FlowOffset, NwFrag } from './flow-key.ts';
import type { FlowFieldSlot } from './flow-key.ts';
import { newOdpAttr, readUint, writeUint } from './odp-key.ts';
import type { OdpAttr, OdpFixedAttr, OdpFixedAttrName, OdpKey } from './odp-key.ts';

export interface OdpFromFlowOptions {
  /** Attribute order: the kernel's dump order (default) or the userspace datapath's (adds packet_type). */
  readonly order?: 'kernel' | 'userspace';
  /** VLAN headers the datapath parses (default 2). */
  readonly maxVlans?: number;
  /** MPLS label stack entries the datapath matches (default 3). */
  readonly maxMplsLabels?: number;
}

type Pair = { readonly key: FlowKey; readonly mask: FlowKey };

/** Copies `bytes` bytes of a flow slot into an attribute at `offset`, key and mask. */
function copyIn(a: OdpFixedAttr, offset: number, f: Pair, slot: FlowFieldSlot, bytes: number, slotDelta = 0): void {
  const at = FlowOffset[slot] + slotDelta;
  a.key.set(f.key.bytes.subarray(at, at + bytes), offset);
  a.mask.set(f.mask.bytes.subarray(at, at + bytes), offset);
}

function u32Attr(name: OdpFixedAttrName, f: Pair, slot: FlowFieldSlot, bytes = 4): OdpFixedAttr {
  const a = newOdpAttr(name);
  copyIn(a, 0, f, slot, bytes);
  return a;
}

const u8 = (k: FlowKey, slot: FlowFieldSlot): number => k.bytes[FlowOffset[slot]] ?? 0;
const u16 = (k: FlowKey, slot: FlowFieldSlot): number => k.view.getUint16(FlowOffset[slot]);

/**
 * Builds the ODP key (values from `key`, masks from `mask`) the way the
 * datapath interface would send it for this packet.
 */
export function odpKeyFromFlow(key: FlowKey, mask: FlowKey, opts: OdpFromFlowOptions = {}): OdpKey {
  const f: Pair = { key, mask };
  const meta: OdpAttr[] = [];
  const ct = [ctStateAttr(f), u32Attr('ct_zone', f, 'ct_zone', 2), u32Attr('ct_mark', f, 'ct_mark'), u32Attr('ct_label', f, 'ct_label', 16)];
  const recirc = [u32Attr('recirc_id', f, 'recirc_id'), u32Attr('dp_hash', f, 'dp_hash')];
  const prio = u32Attr('skb_priority', f, 'skb_priority');
  const mark = u32Attr('skb_mark', f, 'pkt_mark');
  const inPort = u32Attr('in_port', f, 'in_port');
  if (opts.order === 'userspace') {
    meta.push(prio, mark, ...ct, ...recirc, inPort, packetTypeAttr(f));
  } else {
    meta.push(...recirc, prio, inPort, mark, ...ct);
  }
  if (key.view.getUint32(FlowOffset.packet_type) !== 0) {
    meta.push(...l2Attrs(f, { ...opts, maxVlans: 0 }));
    return { attrs: meta };
  }
  const eth = newOdpAttr('eth');
  copyIn(eth, 0, f, 'dl_src', 6);
  copyIn(eth, 6, f, 'dl_dst', 6);
  meta.push(eth, ...l2Attrs(f, opts));
  return { attrs: meta };
}

function ctStateAttr(f: Pair): OdpFixedAttr {
  const a = newOdpAttr('ct_state');
  a.key[3] = u8(f.key, 'ct_state');
  a.mask[3] = u8(f.mask, 'ct_state');
  return a;
}

function packetTypeAttr(f: Pair): OdpFixedAttr {
  return u32Attr('packet_type', f, 'packet_type');
}

function ethTypeAttr(value: number, mask: number): OdpFixedAttr {
  const a = newOdpAttr('eth_type');
  writeUint(a.key, 0, 2, value);
  writeUint(a.mask, 0, 2, mask);
  return a;
}

/** VLAN headers, then eth_type and L3/L4 (inside the innermost encap). */
function l2Attrs(f: Pair, opts: OdpFromFlowOptions): OdpAttr[] {
  const maxVlans = Math.max(0, Math.min(opts.maxVlans ?? 2, 2));
  const dlType = u16(f.key, 'dl_type');
  const top: OdpAttr[] = [];
  let level = top;
  for (let i = 0; i < maxVlans; i++) {
    const tciSlot: FlowFieldSlot = i === 0 ? 'vlan0_tci' : 'vlan1_tci';
    const tci = u16(f.key, tciSlot);
    let tpid = u16(f.key, i === 0 ? 'vlan0_tpid' : 'vlan1_tpid');
    if (tci === 0) {
      if (!isVlanType(dlType)) break;
      tpid = dlType;
    }
    const vlan = newOdpAttr('vlan');
    copyIn(vlan, 0, f, tciSlot, 2);
    const encap: OdpAttr[] = [];
    level.push(ethTypeAttr(tpid, 0xffff), vlan, { name: 'encap', attrs: encap });
    level = encap;
    if (tci === 0) return top;
  }
  if (dlType < 0x600) {
    level.push({ ...ethTypeAttr(0, u16(f.mask, 'dl_type')), keyAbsent: true });
    return top;
  }
  level.push(ethTypeAttr(dlType, u16(f.mask, 'dl_type')));
  if (!isVlanType(dlType)) level.push(...l3Attrs(f, dlType, opts));
  return top;
}

const isVlanType = (t: number): boolean => t === 0x8100 || t === 0x88a8;
const isMplsType = (t: number): boolean => t === 0x8847 || t === 0x8848;

function fragAttrByte(nwFrag: number, isMask: boolean): number {
  if (isMask) return nwFrag & NwFrag.ANY ? 0xff : 0;
  return !(nwFrag & NwFrag.ANY) ? 0 : nwFrag & NwFrag.LATER ? 2 : 1;
}

function l3Attrs(f: Pair, dlType: number, opts: OdpFromFlowOptions): OdpAttr[] {
  const out: OdpAttr[] = [];
  const setFrag = (a: OdpFixedAttr, at: number): void => {
    a.key[at] = fragAttrByte(u8(f.key, 'nw_frag'), false);
    a.mask[at] = fragAttrByte(u8(f.mask, 'nw_frag'), true);
  };
  if (dlType === 0x0800) {
    const a = newOdpAttr('ipv4');
    copyIn(a, 0, f, 'nw_src', 4);
    copyIn(a, 4, f, 'nw_dst', 4);
    copyIn(a, 8, f, 'nw_proto', 1);
    copyIn(a, 9, f, 'nw_tos', 1);
    copyIn(a, 10, f, 'nw_ttl', 1);
    setFrag(a, 11);
    out.push(a);
  } else if (dlType === 0x86dd) {
    const a = newOdpAttr('ipv6');
    copyIn(a, 0, f, 'ipv6_src', 16);
    copyIn(a, 16, f, 'ipv6_dst', 16);
    copyIn(a, 32, f, 'ipv6_label', 4);
    copyIn(a, 36, f, 'nw_proto', 1);
    copyIn(a, 37, f, 'nw_tos', 1);
    copyIn(a, 38, f, 'nw_ttl', 1);
    setFrag(a, 39);
    out.push(a);
  } else if (dlType === 0x0806 || dlType === 0x8035) {
    const a = newOdpAttr('arp');
    copyIn(a, 0, f, 'nw_src', 4);
    copyIn(a, 4, f, 'nw_dst', 4);
    const op = (k: FlowKey): number => (u8(k, 'nw_proto') === 0xff ? 0xffff : u8(k, 'nw_proto'));
    writeUint(a.key, 8, 2, op(f.key));
    writeUint(a.mask, 8, 2, op(f.mask));
    copyIn(a, 10, f, 'arp_sha', 6);
    copyIn(a, 16, f, 'arp_tha', 6);
    out.push(a);
  } else if (isMplsType(dlType)) {
    out.push(mplsAttr(f, opts.maxMplsLabels ?? 3));
  }
  const isIp = dlType === 0x0800 || dlType === 0x86dd;
  if (isIp && !(u8(f.key, 'nw_frag') & NwFrag.LATER)) out.push(...l4Attrs(f, dlType, opts));
  return out;
}

function mplsAttr(f: Pair, maxLabels: number): OdpAttr {
  let n = 0;
  while (n < 3) {
    const lse = f.key.view.getUint32(FlowOffset.mpls_lse + 4 * n);
    n++;
    if (lse & 0x100) break;
  }
  n = Math.max(1, Math.min(n, maxLabels));
  const a = { name: 'mpls' as const, key: new Uint8Array(4 * n), mask: new Uint8Array(4 * n) };
  a.key.set(f.key.bytes.subarray(FlowOffset.mpls_lse, FlowOffset.mpls_lse + 4 * n));
  a.mask.set(f.mask.bytes.subarray(FlowOffset.mpls_lse, FlowOffset.mpls_lse + 4 * n));
  return a;
}

function l4Attrs(f: Pair, dlType: number, opts: OdpFromFlowOptions): OdpAttr[] {
  const proto = u8(f.key, 'nw_proto');
  const ports = (name: 'tcp' | 'udp' | 'sctp'): OdpFixedAttr => {
    const a = newOdpAttr(name);
    copyIn(a, 0, f, 'tp_src', 2);
    copyIn(a, 2, f, 'tp_dst', 2);
    return a;
  };
  const typeCode = (name: 'icmp' | 'icmpv6'): OdpFixedAttr => {
    const a = newOdpAttr(name);
    copyIn(a, 0, f, 'tp_src', 1, 1);
    copyIn(a, 1, f, 'tp_dst', 1, 1);
    return a;
  };
  if (proto === 6) {
    const flags = u32Attr('tcp_flags', f, 'tcp_flags', 2);
    const withFlags = opts.order !== 'userspace' || u16(f.key, 'tcp_flags') !== 0 || u16(f.mask, 'tcp_flags') !== 0;
    return withFlags ? [ports('tcp'), flags] : [ports('tcp')];
  }
  if (proto === 17) return [ports('udp')];
  if (proto === 132) return [ports('sctp')];
  if (dlType === 0x0800 && proto === 1) return [typeCode('icmp')];
  if (dlType !== 0x86dd || proto !== 58) return [];
  const icmp = typeCode('icmpv6');
  const type = u16(f.key, 'tp_src');
  if (u16(f.key, 'tp_dst') !== 0 || (type !== 135 && type !== 136)) return [icmp];
  const nd = newOdpAttr('nd');
  copyIn(nd, 0, f, 'nd_target', 16);
  copyIn(nd, 16, f, 'arp_sha', 6);
  copyIn(nd, 22, f, 'arp_tha', 6);
  const exactType = u16(f.mask, 'tp_src') === 0xff && u16(f.mask, 'tp_dst') === 0xff;
  if (opts.order === 'userspace' && !exactType) nd.mask.fill(0);
  return [icmp, nd];
}

/**
 * The flow key and mask an ODP key describes (odp_flow_key_to_flow /
 * odp_flow_key_to_mask): values are masked; fields with no attribute are
 * wildcarded, except packet_type, exact by construction.
 */
export function flowFromOdpKey(odp: OdpKey): { key: FlowKey; mask: FlowKey } {
  const f: Pair = { key: new FlowKey(), mask: new FlowKey() };
  const hasEth = odp.attrs.some((a) => a.name === 'eth');
  if (!odp.attrs.some((a) => a.name === 'packet_type')) {
    f.mask.view.setUint32(FlowOffset.packet_type, 0xffffffff);
    if (!hasEth) {
      const et = odp.attrs.find((a) => a.name === 'eth_type');
      const t = et && et.name !== 'encap' ? readUint(et.key, 0, 2) : 0;
      f.key.view.setUint32(FlowOffset.packet_type, (1 << 16) | t);
    }
  }
  readLevel(odp.attrs, f, 0);
  f.key.andWith(f.mask);
  return f;
}

function copyOut(a: { key: Uint8Array; mask: Uint8Array }, offset: number, f: Pair, slot: FlowFieldSlot, bytes: number, slotDelta = 0): void {
  const at = FlowOffset[slot] + slotDelta;
  f.key.bytes.set(a.key.subarray(offset, offset + bytes), at);
  f.mask.bytes.set(a.mask.subarray(offset, offset + bytes), at);
}

function readLevel(attrs: readonly OdpAttr[], f: Pair, vlanDepth: number): void {
  const hasVlan = attrs.some((a) => a.name === 'vlan');
  for (const a of attrs) {
    if (a.name === 'encap') {
      if (vlanDepth < 2) readLevel(a.attrs, f, vlanDepth + 1);
      continue;
    }
    if (a.name === 'mpls') {
      const n = Math.min(a.key.length, 12);
      copyOut(a, 0, f, 'mpls_lse', n);
      continue;
    }
    if (a.name === 'eth_type' && hasVlan && vlanDepth < 2) {
      copyOut(a, 0, f, vlanDepth === 0 ? 'vlan0_tpid' : 'vlan1_tpid', 2);
      continue;
    }
    if (a.name === 'vlan') {
      if (vlanDepth < 2) copyOut(a, 0, f, vlanDepth === 0 ? 'vlan0_tci' : 'vlan1_tci', 2);
      continue;
    }
    readFixed(a, f);
  }
}

const SIMPLE_SLOTS = {
  recirc_id: ['recirc_id', 4], dp_hash: ['dp_hash', 4], skb_priority: ['skb_priority', 4], skb_mark: ['pkt_mark', 4],
  in_port: ['in_port', 4], ct_zone: ['ct_zone', 2], ct_mark: ['ct_mark', 4], ct_label: ['ct_label', 16],
  packet_type: ['packet_type', 4], tcp_flags: ['tcp_flags', 2],
} as const satisfies Partial<Record<OdpFixedAttrName, readonly [FlowFieldSlot, number]>>;

/** Byte ranges of an attribute that map one-to-one onto flow slots: [attr offset, slot, bytes, offset within slot]. */
type Span = readonly [number, FlowFieldSlot, number, number?];
const TP: readonly Span[] = [[0, 'tp_src', 2], [2, 'tp_dst', 2]];
const TYPE_CODE: readonly Span[] = [[0, 'tp_src', 1, 1], [1, 'tp_dst', 1, 1]];
const SPANS: Partial<Record<OdpFixedAttrName, readonly Span[]>> = {
  ct_state: [[3, 'ct_state', 1]],
  ct_tuple4: [[8, 'ct_tp_src', 2], [10, 'ct_tp_dst', 2], [12, 'ct_nw_proto', 1]],
  ct_tuple6: [[32, 'ct_tp_src', 2], [34, 'ct_tp_dst', 2], [36, 'ct_nw_proto', 1]],
  eth: [[0, 'dl_src', 6], [6, 'dl_dst', 6]],
  ipv4: [[0, 'nw_src', 4], [4, 'nw_dst', 4], [8, 'nw_proto', 1], [9, 'nw_tos', 1], [10, 'nw_ttl', 1]],
  ipv6: [[0, 'ipv6_src', 16], [16, 'ipv6_dst', 16], [32, 'ipv6_label', 4], [36, 'nw_proto', 1], [37, 'nw_tos', 1], [38, 'nw_ttl', 1]],
  arp: [[0, 'nw_src', 4], [4, 'nw_dst', 4], [9, 'nw_proto', 1], [10, 'arp_sha', 6], [16, 'arp_tha', 6]],
  tcp: TP, udp: TP, sctp: TP, icmp: TYPE_CODE, icmpv6: TYPE_CODE,
  nd: [[0, 'nd_target', 16], [16, 'arp_sha', 6], [22, 'arp_tha', 6]],
};
const FRAG_AT: Partial<Record<OdpFixedAttrName, number>> = { ipv4: 11, ipv6: 39 };

function readFixed(a: OdpFixedAttr, f: Pair): void {
  if (a.name in SIMPLE_SLOTS) {
    const [slot, n] = SIMPLE_SLOTS[a.name as keyof typeof SIMPLE_SLOTS];
    copyOut(a, 0, f, slot, n);
    return;
  }
  if (a.name === 'eth_type') {
    if (a.keyAbsent) {
      f.key.view.setUint16(FlowOffset.dl_type, 0x05ff);
      f.mask.view.setUint16(FlowOffset.dl_type, readUint(a.mask, 0, 2));
    } else copyOut(a, 0, f, 'dl_type', 2);
    return;
  }
  for (const [at, slot, n, delta] of SPANS[a.name] ?? []) copyOut(a, at, f, slot, n, delta ?? 0);
  const fragAt = FRAG_AT[a.name];
  if (fragAt !== undefined) {
    const v = a.key[fragAt] ?? 0;
    f.key.bytes[FlowOffset.nw_frag] = v === 0 ? 0 : v === 1 ? NwFrag.ANY : NwFrag.ANY | NwFrag.LATER;
    f.mask.bytes[FlowOffset.nw_frag] = a.mask[fragAt] ? NwFrag.MASK : 0;
  }
}
