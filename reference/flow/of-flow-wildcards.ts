/**
 * The exact-match mask of a flow extracted from a packet: which fields the
 * packet "has", as Open vSwitch decides it before printing a flow.
 *
 * What: `ofFlowWildcards(flow)` is lib/flow.c
 * `flow_wildcards_init_for_packet` plus lib/match.c `match_wc_init` (regs and
 * metadata exact): metadata always; Ethernet addresses, type and VLAN slots
 * up to the first empty one; then by dl_type the IPv4/IPv6/ARP/MPLS fields;
 * ports only when the protocol has them and the packet is not a later
 * fragment; ND fields only for neighbour solicitations/advertisements.
 * With `hideZeroMetadata` it also drops the zero-valued metadata fields, as
 * `flow_format` does, so the `Flow:` line of ofproto/trace omits them.
 *
 * Invariant: the mask is a function of the flow's field values only.
 *
 * Left out on purpose (absent from FlowKey): tunnel metadata, NSH fields,
 * the IGMP group, the conntrack original-direction addresses.
 */
import { FlowKey, FlowOffset, NwFrag } from './flow-key.ts';
import { EthType } from './field-prereqs.ts';

/** Protocols whose first fragment carries tp_src/tp_dst in OVS's flow: ICMP, IGMP, TCP, UDP, ICMPv6, SCTP. */
const PORT_PROTOCOLS: ReadonlySet<number> = new Set([1, 2, 6, 17, 58, 132]);
const ND_SOLICIT = 135;
const ND_ADVERT = 136;
const CS_VALID_BITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x40 | 0x80; // new est rel rpl snat dnat
const CS_TRACKED = 0x20;
const CS_INVALID = 0x10;

export interface OfWildcardsOptions {
  /** Leave out metadata fields whose value is zero (flow_format). */
  readonly hideZeroMetadata?: boolean;
}

function setOnes(mask: FlowKey, at: number, n: number): void {
  mask.bytes.fill(0xff, at, at + n);
}

function isZero(flow: FlowKey, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (flow.bytes[at + i] !== 0) return false;
  return true;
}

/** Exact mask of the fields a packet's flow carries; see the file comment. */
export function ofFlowWildcards(flow: FlowKey, options: OfWildcardsOptions = {}): FlowKey {
  const mask = new FlowKey();
  const O = FlowOffset;
  for (const [at, n] of [[O.skb_priority, 4], [O.pkt_mark, 4], [O.ct_state, 1], [O.ct_zone, 2], [O.ct_mark, 4],
    [O.ct_label, 16], [O.recirc_id, 4], [O.dp_hash, 4], [O.in_port, 4], [O.packet_type, 4], [O.regs, 64], [O.metadata, 8]] as const) {
    setOnes(mask, at, n);
  }
  const packetType = flow.view.getUint32(O.packet_type);
  let dlType: number;
  if (packetType === 0) {
    setOnes(mask, O.dl_dst, 6);
    setOnes(mask, O.dl_src, 6);
    setOnes(mask, O.dl_type, 2);
    for (const [tpid, tci] of [[O.vlan0_tpid, O.vlan0_tci], [O.vlan1_tpid, O.vlan1_tci]] as const) {
      setOnes(mask, tpid, 2);
      setOnes(mask, tci, 2);
      if (flow.view.getUint16(tci) === 0) break;
    }
    dlType = flow.view.getUint16(O.dl_type);
  } else {
    dlType = packetType & 0xffff;
  }
  maskNetwork(flow, mask, dlType);
  if (options.hideZeroMetadata === true) hideZeroMetadata(flow, mask);
  return mask;
}

function maskNetwork(flow: FlowKey, mask: FlowKey, dlType: number): void {
  const O = FlowOffset;
  if (dlType === EthType.IP) {
    setOnes(mask, O.nw_src, 4);
    setOnes(mask, O.nw_dst, 4);
  } else if (dlType === EthType.IPV6) {
    setOnes(mask, O.ipv6_src, 16);
    setOnes(mask, O.ipv6_dst, 16);
    setOnes(mask, O.ipv6_label, 4);
    if (isNd(flow, mask)) {
      setOnes(mask, O.arp_sha, 6);
      setOnes(mask, O.arp_tha, 6);
      setOnes(mask, O.nd_target, 16);
    }
  } else if (dlType === EthType.ARP || dlType === EthType.RARP) {
    for (const [at, n] of [[O.nw_src, 4], [O.nw_dst, 4], [O.nw_proto, 1], [O.arp_sha, 6], [O.arp_tha, 6]] as const) setOnes(mask, at, n);
    return;
  } else if (dlType === EthType.MPLS || dlType === EthType.MPLS_MCAST) {
    for (let i = 0; i < 3; i++) {
      setOnes(mask, O.mpls_lse + 4 * i, 4);
      if ((flow.view.getUint32(O.mpls_lse + 4 * i) & 0x100) !== 0) break;
    }
    return;
  } else {
    return;
  }
  mask.bytes[O.nw_frag] = NwFrag.MASK;
  for (const [at, n] of [[O.nw_tos, 1], [O.nw_ttl, 1], [O.nw_proto, 1], [O.ct_nw_proto, 1], [O.ct_tp_src, 2], [O.ct_tp_dst, 2]] as const) {
    setOnes(mask, at, n);
  }
  const proto = flow.view.getUint8(O.nw_proto);
  if ((flow.view.getUint8(O.nw_frag) & NwFrag.LATER) === 0 && PORT_PROTOCOLS.has(proto)) {
    setOnes(mask, O.tp_src, 2);
    setOnes(mask, O.tp_dst, 2);
    if (proto === 6) setOnes(mask, O.tcp_flags, 2);
  }
}

/** OVS is_nd() with a mask: ICMPv6 code 0 and type NS/NA; like OVS, it un-wildcards what it looked at. */
function isNd(flow: FlowKey, mask: FlowKey): boolean {
  const O = FlowOffset;
  if (flow.view.getUint16(O.dl_type) !== EthType.IPV6) return false;
  setOnes(mask, O.nw_proto, 1);
  if (flow.view.getUint8(O.nw_proto) !== 58) return false;
  setOnes(mask, O.tp_dst, 2);
  if (flow.view.getUint16(O.tp_dst) !== 0) return false;
  setOnes(mask, O.tp_src, 2);
  const type = flow.view.getUint16(O.tp_src);
  return type === ND_SOLICIT || type === ND_ADVERT;
}

function hideZeroMetadata(flow: FlowKey, mask: FlowKey): void {
  const O = FlowOffset;
  const fields: ReadonlyArray<readonly [number, number]> = [[O.in_port, 4], [O.skb_priority, 4], [O.pkt_mark, 4], [O.recirc_id, 4],
    [O.dp_hash, 4], [O.ct_state, 1], [O.ct_zone, 2], [O.ct_mark, 4], [O.ct_label, 16], [O.metadata, 8]];
  for (const [at, n] of fields) if (isZero(flow, at, n)) mask.bytes.fill(0, at, at + n);
  for (let i = 0; i < 16; i++) if (isZero(flow, O.regs + 4 * i, 4)) mask.bytes.fill(0, O.regs + 4 * i, O.regs + 4 * i + 4);
  const state = flow.view.getUint8(O.ct_state);
  const stateMask = mask.view.getUint8(O.ct_state);
  const ctValid = (state & CS_VALID_BITS) !== 0 || ((state & CS_TRACKED) !== 0 && (stateMask & CS_INVALID) !== 0 && (state & CS_INVALID) === 0);
  if (!ctValid || flow.view.getUint8(O.ct_nw_proto) === 0) {
    mask.bytes[O.ct_nw_proto] = 0;
    mask.bytes.fill(0, O.ct_tp_src, O.ct_tp_src + 4);
  }
}
