/**
 * Field prerequisites: does a flow satisfy what a field needs before it can
 * be matched or set? Follows Open vSwitch 3.1 `mf_are_prereqs_ok()` and the
 * `is_*()` helpers of lib/flow.h.
 *
 * What: `arePrereqsOk(prereq, flow, wc?)` evaluates one `Prereq` against a
 * flow key. When a wildcard mask `wc` is given, the bits it inspected are
 * made significant in it, as OVS does during translation: packet_type for
 * `ethernet`, the VLAN CFI bit, nw_proto for L4, tp_dst then tp_src for ND.
 * dl_type is not marked (OVS relies on translation always making it exact).
 * `prereqMatchFields` lists the fields and values a rule must pin for a
 * prerequisite to hold (what `ovs-ofctl` calls "prerequisites").
 *
 * Invariant: `flow` is never modified; only bits are added to `wc`.
 *
 * Details kept from OVS: the L3/L4 checks read the effective ethertype, so
 * a non-Ethernet packet_type (namespace 1) matches on its type id; TCP, UDP
 * and SCTP additionally require "not a later fragment" (not made significant,
 * as in OVS); ND requires ICMPv6 type 135 or 136 and code 0.
 */
import type { FlowKey } from './flow-key.ts';
import { FlowOffset, NwFrag } from './flow-key.ts';
import type { Prereq } from './field-catalog.ts';

export const EthType = {
  IP: 0x0800, ARP: 0x0806, RARP: 0x8035, IPV6: 0x86dd, MPLS: 0x8847, MPLS_MCAST: 0x8848,
  VLAN: 0x8100, VLAN_8021AD: 0x88a8, NSH: 0x894f,
} as const;
export const IpProto = { ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;

const PT_NS_ETHERTYPE = 1;

function markU16(wc: FlowKey | undefined, offset: number, bits: number): void {
  if (wc) wc.view.setUint16(offset, wc.view.getUint16(offset) | bits);
}
function markU8(wc: FlowKey | undefined, offset: number): void {
  if (wc) wc.view.setUint8(offset, 0xff);
}

/** The ethertype a flow's L3 checks use (OVS get_dl_type). */
export function effectiveDlType(flow: FlowKey): number {
  const pt = flow.view.getUint32(FlowOffset.packet_type);
  if (pt === 0) return flow.view.getUint16(FlowOffset.dl_type);
  return pt >>> 16 === PT_NS_ETHERTYPE ? pt & 0xffff : 0;
}

function isIpAny(flow: FlowKey): boolean {
  const t = effectiveDlType(flow);
  return t === EthType.IP || t === EthType.IPV6;
}

function isIpProto(flow: FlowKey, wc: FlowKey | undefined, proto: number, ipv?: number): boolean {
  const t = effectiveDlType(flow);
  const ok = ipv === undefined ? t === EthType.IP || t === EthType.IPV6 : t === ipv;
  if (!ok) return false;
  markU8(wc, FlowOffset.nw_proto);
  return flow.view.getUint8(FlowOffset.nw_proto) === proto;
}

function isNotLater(flow: FlowKey): boolean {
  return (flow.view.getUint8(FlowOffset.nw_frag) & NwFrag.LATER) === 0;
}

function isNd(flow: FlowKey, wc: FlowKey | undefined, types: readonly number[]): boolean {
  if (!isIpProto(flow, wc, IpProto.ICMPV6, EthType.IPV6)) return false;
  markU16(wc, FlowOffset.tp_dst, 0xffff);
  if (flow.view.getUint16(FlowOffset.tp_dst) !== 0) return false;
  markU16(wc, FlowOffset.tp_src, 0xffff);
  return types.includes(flow.view.getUint16(FlowOffset.tp_src));
}

/**
 * True when `flow` satisfies `prereq`. Bits inspected are added to `wc`
 * when given.
 */
export function arePrereqsOk(prereq: Prereq, flow: FlowKey, wc?: FlowKey): boolean {
  switch (prereq) {
    case 'none':
      return true;
    case 'ethernet':
      if (wc) wc.view.setUint32(FlowOffset.packet_type, 0xffffffff);
      return flow.view.getUint32(FlowOffset.packet_type) === 0;
    case 'vlan_vid':
      if (!arePrereqsOk('ethernet', flow, wc)) return false;
      markU16(wc, FlowOffset.vlan0_tci, 0x1000);
      return (flow.view.getUint16(FlowOffset.vlan0_tci) & 0x1000) !== 0;
    case 'arp': {
      const t = effectiveDlType(flow);
      return t === EthType.ARP || t === EthType.RARP;
    }
    case 'ipv4':
      return effectiveDlType(flow) === EthType.IP;
    case 'ipv6':
      return effectiveDlType(flow) === EthType.IPV6;
    case 'ip_any':
      return isIpAny(flow);
    case 'mpls': {
      const t = effectiveDlType(flow);
      return t === EthType.MPLS || t === EthType.MPLS_MCAST;
    }
    case 'tcp':
      return isIpProto(flow, wc, IpProto.TCP) && isNotLater(flow);
    case 'udp':
      return isIpProto(flow, wc, IpProto.UDP) && isNotLater(flow);
    case 'sctp':
      return isIpProto(flow, wc, IpProto.SCTP) && isNotLater(flow);
    case 'tp':
      return arePrereqsOk('tcp', flow, wc) || arePrereqsOk('udp', flow, wc) || arePrereqsOk('sctp', flow, wc);
    case 'icmpv4':
      return isIpProto(flow, wc, IpProto.ICMP, EthType.IP);
    case 'icmpv6':
      return isIpProto(flow, wc, IpProto.ICMPV6, EthType.IPV6);
    case 'nd':
      return isNd(flow, wc, [135, 136]);
    case 'nd_solicit':
      return isNd(flow, wc, [135]);
    case 'nd_advert':
      return isNd(flow, wc, [136]);
  }
}

/** One alternative of a prerequisite: field values a rule must match exactly. */
export type PrereqTerm = Readonly<Record<string, number>>;

/**
 * The alternatives (OR of ANDs) of field/value pairs that make `prereq` hold,
 * using canonical field names; `[{}]` for none. `nw_frag` "not later" is not
 * listed (OVS does not require rules to pin it).
 */
export function prereqMatchFields(prereq: Prereq): readonly PrereqTerm[] {
  const ip = [{ dl_type: EthType.IP }, { dl_type: EthType.IPV6 }];
  const l4 = (p: number) => ip.map((t) => ({ ...t, nw_proto: p }));
  switch (prereq) {
    case 'none': return [{}];
    case 'ethernet': return [{ packet_type: 0 }];
    case 'vlan_vid': return [{ vlan_tci: 0x1000 }];
    case 'arp': return [{ dl_type: EthType.ARP }, { dl_type: EthType.RARP }];
    case 'ipv4': return [{ dl_type: EthType.IP }];
    case 'ipv6': return [{ dl_type: EthType.IPV6 }];
    case 'ip_any': return ip;
    case 'mpls': return [{ dl_type: EthType.MPLS }, { dl_type: EthType.MPLS_MCAST }];
    case 'tcp': return l4(IpProto.TCP);
    case 'udp': return l4(IpProto.UDP);
    case 'sctp': return l4(IpProto.SCTP);
    case 'tp': return [...l4(IpProto.TCP), ...l4(IpProto.UDP), ...l4(IpProto.SCTP)];
    case 'icmpv4': return [{ dl_type: EthType.IP, nw_proto: IpProto.ICMP }];
    case 'icmpv6': return [{ dl_type: EthType.IPV6, nw_proto: IpProto.ICMPV6 }];
    case 'nd': return [135, 136].map((t) => ({ dl_type: EthType.IPV6, nw_proto: IpProto.ICMPV6, icmpv6_type: t, icmpv6_code: 0 }));
    case 'nd_solicit': return [{ dl_type: EthType.IPV6, nw_proto: IpProto.ICMPV6, icmpv6_type: 135, icmpv6_code: 0 }];
    case 'nd_advert': return [{ dl_type: EthType.IPV6, nw_proto: IpProto.ICMPV6, icmpv6_type: 136, icmpv6_code: 0 }];
  }
}
