/**
 * The OpenFlow flow text that Open vSwitch prints for a flow or a match:
 * the `Flow:` and `Megaflow:` lines of `ofproto/trace`, and the match part
 * of `ovs-ofctl dump-flows`.
 *
 * What: `formatOfMatch(flow, mask)` writes a (flow, wildcards) pair as
 * lib/match.c `match_format` does — fixed field order, protocol shorthands
 * (`tcp`, `udp6`, `arp`, `mpls`…) folding `dl_type`/`nw_proto`, fully
 * wildcarded fields left out, per-field value/mask spellings. `formatOfFlow`
 * is lib/flow.c `flow_format`: an exact match on the fields the packet has
 * (see of-flow-wildcards.ts), with zero-valued metadata left out.
 *
 * Invariant: the output depends only on the bits of `flow` under `mask`
 * plus the flow's own dl_type/nw_proto/tp_src (which choose the field names,
 * as in OVS), never on the byte layout; of-flow-parse.ts reads it back.
 *
 * Left out on purpose (absent from FlowKey): tunnel fields, NSH,
 * conntrack original-direction addresses, `nd_reserved`/`nd_options_type`,
 * port names from a bridge's port map (numbers are printed, reserved ports
 * by name).
 */
import { FlowOffset, type FlowKey } from './flow-key.ts';
import { EthType, IpProto } from './field-prereqs.ts';
import { ofFlowWildcards } from './of-flow-wildcards.ts';
import {
  CT_STATE_MASK, CT_STATE_NAMES, TCP_FLAGS_MASK, TCP_FLAG_NAMES, formatFlags, formatFlagsMasked, formatIpv4Masked,
  formatIpv6Masked, formatMacMasked, formatOfPort, hexAlt,
} from './of-flow-values.ts';

/** OpenFlow's default rule priority; `priority=` is printed only when different. */
export const OFP_DEFAULT_PRIORITY = 0x8000;

export interface OfMatchFormatOptions {
  /** Printed as `priority=N,` first when given and not 32768. */
  readonly priority?: number;
}

/** Reads both flow and mask at one offset; fields are big-endian. */
class Pair {
  constructor(readonly f: FlowKey, readonly m: FlowKey) {}
  u8(at: number): [number, number] {
    return [this.f.view.getUint8(at), this.m.view.getUint8(at)];
  }
  u16(at: number): [number, number] {
    return [this.f.view.getUint16(at), this.m.view.getUint16(at)];
  }
  u32(at: number): [number, number] {
    return [this.f.view.getUint32(at), this.m.view.getUint32(at)];
  }
  u64(at: number): [bigint, bigint] {
    return [this.f.view.getBigUint64(at), this.m.view.getBigUint64(at)];
  }
  isZeroMask(at: number, n: number): boolean {
    for (let i = 0; i < n; i++) if (this.m.bytes[at + i] !== 0) return false;
    return true;
  }
}

class Out {
  readonly parts: string[] = [];
  put(text: string): void {
    this.parts.push(text);
  }
  /** name=v (exact) or name=v/m in %#x style; nothing when mask is 0 (format_uint32_masked / be64). */
  hexMasked(name: string, [v, m]: [number | bigint, number | bigint], full: number | bigint): void {
    if (m === 0 || m === 0n) return;
    this.put(`${name}=${hexAlt(v)}${m === full ? '' : `/${hexAlt(m)}`}`);
  }
  /** name=decimal (exact) or name=0x%x/0x%x (format_be16_masked / format_uint16_masked). */
  u16Masked(name: string, [v, m]: [number, number]): void {
    if (m === 0) return;
    this.put(m === 0xffff ? `${name}=${v}` : `${name}=0x${v.toString(16)}/0x${m.toString(16)}`);
  }
  /** name=decimal (exact) or name=0x%08x/0x%08x (format_be32_masked). */
  u32Masked(name: string, [v, m]: [number, number]): void {
    if (m === 0) return;
    const h = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
    this.put(m === 0xffffffff ? `${name}=${v}` : `${name}=${h(v)}/${h(m)}`);
  }
  mac(p: Pair, name: string, at: number): void {
    if (!p.isZeroMask(at, 6)) this.put(`${name}=${formatMacMasked(p.f.bytes, at, p.m.bytes, at)}`);
  }
  ipv4(p: Pair, name: string, at: number): void {
    const [v, m] = p.u32(at);
    if (m !== 0) this.put(`${name}=${formatIpv4Masked(v, m)}`);
  }
  ipv6(p: Pair, name: string, at: number): void {
    if (!p.isZeroMask(at, 16)) this.put(`${name}=${formatIpv6Masked(p.f.bytes, at, p.m.bytes, at)}`);
  }
}

/**
 * `match_format` of (flow, mask): the comma-separated OpenFlow match text,
 * empty for a catch-all. Pure; never throws for any key/mask contents.
 */
export function formatOfMatch(flow: FlowKey, mask: FlowKey, options: OfMatchFormatOptions = {}): string {
  const p = new Pair(flow, mask);
  const out = new Out();
  if (options.priority !== undefined && options.priority !== OFP_DEFAULT_PRIORITY) out.put(`priority=${options.priority}`);
  const dlType = formatMetadata(p, out);
  const skip = formatShorthand(p, out, dlType);
  formatPortAndL2(p, out, dlType, skip.type);
  formatL3(p, out, dlType, skip.proto);
  formatL4(p, out, dlType);
  return out.parts.join(',');
}

/** `flow_format`: the `Flow:` line of ofproto/trace for a flow extracted from a packet. */
export function formatOfFlow(flow: FlowKey): string {
  return formatOfMatch(flow, ofFlowWildcards(flow, { hideZeroMetadata: true }));
}

function formatCtState(p: Pair, out: Out): void {
  const [v, m] = p.u8(FlowOffset.ct_state);
  if (m === 0) return;
  if (m === CT_STATE_MASK) out.put(`ct_state=${formatFlags(v, CT_STATE_NAMES)}`);
  else out.put(`ct_state=${formatFlagsMasked(v, m, CT_STATE_MASK, CT_STATE_NAMES)}`);
}

function formatCtLabel(p: Pair, out: Out): void {
  const at = FlowOffset.ct_label;
  if (p.isZeroMask(at, 16)) return;
  const hex = (k: FlowKey) => {
    const v = (k.view.getBigUint64(at) << 64n) | k.view.getBigUint64(at + 8);
    return hexAlt(v);
  };
  let full = true;
  for (let i = 0; i < 16; i++) if (p.m.bytes[at + i] !== 0xff) full = false;
  out.put(`ct_label=${hex(p.f)}${full ? '' : `/${hex(p.m)}`}`);
}

/** Metadata before the shorthand; returns the dl_type that chooses field names. */
function formatMetadata(p: Pair, out: Out): number {
  const O = FlowOffset;
  out.hexMasked('pkt_mark', p.u32(O.pkt_mark), 0xffffffff);
  const [, recircMask] = p.u32(O.recirc_id);
  out.hexMasked('recirc_id', p.u32(O.recirc_id), 0xffffffff);
  out.hexMasked('dp_hash', p.u32(O.dp_hash), 0xffffffff);
  const [conj, conjMask] = p.u32(O.conj_id);
  if (conjMask !== 0) out.put(`conj_id=${conj}`);
  const [prio, prioMask] = p.u32(O.skb_priority);
  if (prioMask !== 0) out.put(`skb_priority=${hexAlt(prio)}`);
  const [actset, actsetMask] = p.u32(O.actset_output);
  if (actsetMask !== 0) out.put(`actset_output=${formatOfPort(actset)}`);
  formatCtState(p, out);
  const [zone, zoneMask] = p.u16(O.ct_zone);
  if (zoneMask !== 0) out.u16Masked('ct_zone', [zone, zoneMask]);
  out.hexMasked('ct_mark', p.u32(O.ct_mark), 0xffffffff);
  formatCtLabel(p, out);
  const [ctProto, ctProtoMask] = p.u8(O.ct_nw_proto);
  if (ctProtoMask !== 0) {
    out.put(`ct_nw_proto=${ctProto}`);
    out.u16Masked('ct_tp_src', p.u16(O.ct_tp_src));
    out.u16Masked('ct_tp_dst', p.u16(O.ct_tp_dst));
  }
  let dlType = p.f.view.getUint16(O.dl_type);
  const [pt, ptMask] = p.u32(O.packet_type);
  if (ptMask !== 0 && (pt !== 0 || ptMask !== 0xffffffff || recircMask !== 0)) {
    out.put(formatPacketType(pt, ptMask));
    if (pt >>> 16 === 1) dlType = pt & 0xffff;
  }
  return dlType;
}

function formatPacketType(value: number, mask: number): string {
  if (value === 0 && mask === 0xffffffff) return 'eth';
  const part = (v: number, m: number) => (m === 0 ? '*' : `${v > 9 ? `0x${v.toString(16)}` : v}${m === 0xffff ? '' : `/0x${m.toString(16)}`}`);
  return `packet_type=(${part(value >>> 16, mask >>> 16)},${part(value & 0xffff, mask & 0xffff)})`;
}

const IP_SHORTHANDS: Readonly<Record<number, string>> = { [IpProto.ICMP]: 'icmp', [IpProto.TCP]: 'tcp', [IpProto.UDP]: 'udp', [IpProto.SCTP]: 'sctp' };
const IPV6_SHORTHANDS: Readonly<Record<number, string>> = { [IpProto.ICMPV6]: 'icmp6', [IpProto.TCP]: 'tcp6', [IpProto.UDP]: 'udp6', [IpProto.SCTP]: 'sctp6' };
const L2_SHORTHANDS: Readonly<Record<number, string>> = { [EthType.ARP]: 'arp', [EthType.RARP]: 'rarp', [EthType.MPLS]: 'mpls', [EthType.MPLS_MCAST]: 'mplsm' };

/** The protocol shorthand; says whether dl_type and nw_proto were folded into it. */
function formatShorthand(p: Pair, out: Out, dlType: number): { type: boolean; proto: boolean } {
  const [, typeMask] = p.u16(FlowOffset.dl_type);
  if (typeMask === 0) return { type: false, proto: false };
  const [proto, protoMask] = p.u8(FlowOffset.nw_proto);
  if (dlType === EthType.IP || dlType === EthType.IPV6) {
    const table = dlType === EthType.IP ? IP_SHORTHANDS : IPV6_SHORTHANDS;
    const named = protoMask !== 0 ? table[proto] : undefined;
    out.put(named ?? (dlType === EthType.IP ? 'ip' : 'ipv6'));
    return { type: true, proto: named !== undefined };
  }
  const named = L2_SHORTHANDS[dlType];
  if (named !== undefined) out.put(named);
  return { type: named !== undefined, proto: false };
}

function formatVlans(p: Pair, out: Out): void {
  const slots = [FlowOffset.vlan0_tci, FlowOffset.vlan1_tci];
  for (let i = 0; i < slots.length; i++) {
    const [tci, m] = p.u16(slots[i]!);
    if (m === 0) break;
    const sfx = i === 0 ? '' : String(i);
    const vidMask = m & 0x0fff;
    const pcpMask = m & 0xe000;
    const cfi = (m & 0x1000) !== 0 && (tci & 0x1000) !== 0;
    if (cfi && (vidMask === 0 || vidMask === 0x0fff) && (pcpMask === 0 || pcpMask === 0xe000) && (vidMask | pcpMask) !== 0) {
      if (vidMask !== 0) out.put(`dl_vlan${sfx}=${tci & 0x0fff}`);
      if (pcpMask !== 0) out.put(`dl_vlan_pcp${sfx}=${tci >>> 13}`);
    } else {
      const h = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;
      out.put(m === 0xffff ? `vlan_tci${sfx}=${h(tci)}` : `vlan_tci${sfx}=${h(tci)}/${h(m)}`);
    }
  }
}

function formatPortAndL2(p: Pair, out: Out, dlType: number, skipType: boolean): void {
  for (let i = 0; i < 16; i++) out.hexMasked(`reg${i}`, p.u32(FlowOffset.regs + 4 * i), 0xffffffff);
  out.hexMasked('metadata', p.u64(FlowOffset.metadata), 0xffffffffffffffffn);
  const [port, portMask] = p.u32(FlowOffset.in_port);
  if (portMask !== 0) out.put(`in_port=${formatOfPort(port)}`);
  formatVlans(p, out);
  out.mac(p, 'dl_src', FlowOffset.dl_src);
  out.mac(p, 'dl_dst', FlowOffset.dl_dst);
  const [, typeMask] = p.u16(FlowOffset.dl_type);
  if (!skipType && typeMask !== 0) out.put(`dl_type=0x${dlType.toString(16).padStart(4, '0')}`);
}

function formatL3(p: Pair, out: Out, dlType: number, skipProto: boolean): void {
  const O = FlowOffset;
  const isArp = dlType === EthType.ARP || dlType === EthType.RARP;
  if (dlType === EthType.IPV6) {
    out.ipv6(p, 'ipv6_src', O.ipv6_src);
    out.ipv6(p, 'ipv6_dst', O.ipv6_dst);
    const [label, labelMask] = p.u32(O.ipv6_label);
    const h = (x: number) => `0x${x.toString(16).padStart(5, '0')}`;
    if (labelMask !== 0) out.put(labelMask === 0xffffffff ? `ipv6_label=${h(label)}` : `ipv6_label=${h(label)}/${h(labelMask)}`);
  } else {
    out.ipv4(p, isArp ? 'arp_spa' : 'nw_src', O.nw_src);
    out.ipv4(p, isArp ? 'arp_tpa' : 'nw_dst', O.nw_dst);
  }
  const [proto, protoMask] = p.u8(O.nw_proto);
  if (!skipProto && protoMask !== 0) out.put(`${isArp ? 'arp_op' : 'nw_proto'}=${proto}`);
  if (isArp) {
    out.mac(p, 'arp_sha', O.arp_sha);
    out.mac(p, 'arp_tha', O.arp_tha);
  }
  const [tos, tosMask] = p.u8(O.nw_tos);
  if ((tosMask & 0xfc) !== 0) out.put(`nw_tos=${tos & 0xfc}`);
  if ((tosMask & 0x03) !== 0) out.put(`nw_ecn=${tos & 0x03}`);
  const [ttl, ttlMask] = p.u8(O.nw_ttl);
  if (ttlMask !== 0) out.put(`nw_ttl=${ttl}`);
  formatMpls(p, out);
  formatFrag(p, out);
}

function formatMpls(p: Pair, out: Out): void {
  const [lse, m] = p.u32(FlowOffset.mpls_lse);
  if ((m & 0xfffff000) !== 0) out.put(`mpls_label=${lse >>> 12}`);
  if ((m & 0x00000e00) !== 0) out.put(`mpls_tc=${(lse >>> 9) & 7}`);
  if ((m & 0x000000ff) !== 0) out.put(`mpls_ttl=${lse & 0xff}`);
  if ((m & 0x00000100) !== 0) out.put(`mpls_bos=${(lse >>> 8) & 1}`);
  out.u32Masked('mpls_lse1', p.u32(FlowOffset.mpls_lse + 4));
  out.u32Masked('mpls_lse2', p.u32(FlowOffset.mpls_lse + 8));
}

function formatFrag(p: Pair, out: Out): void {
  const [frag, m] = p.u8(FlowOffset.nw_frag);
  const any = (frag & 1) !== 0;
  const later = (frag & 2) !== 0;
  switch (m & 3) {
    case 3:
      out.put(`nw_frag=${any ? (later ? 'later' : 'first') : later ? '<error>' : 'no'}`);
      break;
    case 1:
      out.put(`nw_frag=${any ? 'yes' : 'no'}`);
      break;
    case 2:
      out.put(`nw_frag=${later ? 'later' : 'not_later'}`);
      break;
  }
}

function formatL4(p: Pair, out: Out, dlType: number): void {
  const O = FlowOffset;
  const proto = p.f.view.getUint8(O.nw_proto);
  if ((dlType === EthType.IP && proto === IpProto.ICMP) || (dlType === EthType.IPV6 && proto === IpProto.ICMPV6)) {
    out.u16Masked('icmp_type', p.u16(O.tp_src));
    out.u16Masked('icmp_code', p.u16(O.tp_dst));
    if (dlType === EthType.IPV6) {
      out.ipv6(p, 'nd_target', O.nd_target);
      out.mac(p, 'nd_sll', O.arp_sha);
      out.mac(p, 'nd_tll', O.arp_tha);
    }
  } else {
    out.u16Masked('tp_src', p.u16(O.tp_src));
    out.u16Masked('tp_dst', p.u16(O.tp_dst));
  }
  const flowDlType = p.f.view.getUint16(O.dl_type);
  const [flags, flagsMask] = p.u16(O.tcp_flags);
  if ((flowDlType === EthType.IP || flowDlType === EthType.IPV6) && proto === IpProto.TCP && flagsMask !== 0) {
    out.put(`tcp_flags=${formatFlagsMasked(flags, flagsMask & TCP_FLAGS_MASK, TCP_FLAGS_MASK, TCP_FLAG_NAMES)}`);
  }
}
