/**
 * Datapath matches from FLOW requests: the Linux kernel datapath's
 * `ovs_nla_get_match` + `match_validate` (net/openvswitch/flow_netlink.c)
 * over an ODP key with masks, giving the masked `FlowKey` pair the megaflow
 * table stores; and the metadata of a PACKET EXECUTE key
 * (`ovs_nla_get_flow_metadata`). The way back (the dump form and upcall
 * keys) is in flow-match-dump.ts.
 *
 * Invariants:
 *  - Everything the kernel rejects is refused with its errno (EINVAL), a
 *    message quoting the value, and the offending attribute's name and path;
 *    nothing throws, whatever the OdpKey holds.
 *  - `FlowMatch.key` is masked (`key & mask === key`); the VLAN TCIs are
 *    always matched (no vlan attribute = untagged only) and the MAC protocol
 *    (FlowKey's packet_type) is always exact.
 *  - match_validate runs on the unmasked key, as in the kernel: L3
 *    attributes need the eth_type that implies them, L4 ones the IP proto
 *    (not for later fragments), nd an ICMPv6 type 135/136; a mask on any of
 *    them needs the implying field matched exactly; TCP needs tcp_flags too.
 *
 * Left out: tunnel/NSH (rejected by the text parser before), the MPLS
 * label-count match, conntrack original-direction addresses (refused with
 * EOPNOTSUPP when masked: FlowKey has no slot for them).
 */
import type { FlowKey, OdpAttrName, OdpKey } from '../flow/index.ts';
import { FlowOffset, NwFrag } from '../flow/index.ts';
import type { PacketMetadata } from './action-host.ts';
import type { DpError } from './dpif-types.ts';
import { attrError, collectAttrs, comparePaths, newMatchState, parseKeyAttrs, parseMetadata, parseVlans } from './flow-match-parse.ts';
import type { AttrError, MatchState } from './flow-match-parse.ts';

export { DP_MAX_PORTS } from './flow-match-parse.ts';
export type { AttrError } from './flow-match-parse.ts';
export { odpKeyFromMatch, odpKeyFromPacketKey } from './flow-match-dump.ts';

/** A megaflow's match: the masked key and its mask, in the datapath's FlowKey layout. */
export interface FlowMatch {
  /** Masked: no bit set outside `mask`. */
  readonly key: FlowKey;
  readonly mask: FlowKey;
}

export type FlowMatchResult = { readonly ok: true; readonly match: FlowMatch } | { readonly ok: false; readonly error: AttrError };

/**
 * ovs_nla_get_match + match_validate: turns a FLOW NEW/SET key (values and
 * masks per attribute, as dpctl sends them) into the datapath's match.
 * Errors name the attribute (`attr`, '' when none applies) and its `path`.
 */
export function flowMatchFromOdp(key: OdpKey): FlowMatchResult {
  const st = newMatchState();
  const keyAttrs = new Set<OdpAttrName>();
  const maskAttrs = new Set<OdpAttrName>();
  const list = Array.isArray(key?.attrs) ? key.attrs : [];
  const err =
    collectAttrs(st, list, [], keyAttrs, 'key') ??
    parseVlans(st, keyAttrs, 'key') ??
    parseKeyAttrs(st, new Set(keyAttrs), 'key') ??
    collectAttrs(st, list, [], maskAttrs, 'mask') ??
    alwaysMatchTci(st) ??
    parseVlans(st, maskAttrs, 'mask') ??
    parseKeyAttrs(st, new Set(maskAttrs), 'mask') ??
    validateMatch(st, keyAttrs, maskAttrs) ??
    (st.ctAddrMasked ? attrError('matching conntrack original-direction addresses is not supported by this datapath', 'ct_tuple', st.ctAddrMasked, 'EOPNOTSUPP') : undefined);
  if (err) return { ok: false, error: err };
  st.mask.view.setUint32(FlowOffset.packet_type, 0xffffffff);
  const dlType = st.key.view.getUint16(FlowOffset.dl_type);
  st.key.view.setUint32(FlowOffset.packet_type, st.macNone ? ((1 << 16) | dlType) >>> 0 : 0);
  st.key.andWith(st.mask);
  return { ok: true, match: { key: st.key, mask: st.mask } };
}

function alwaysMatchTci(st: MatchState): undefined {
  st.mask.view.setUint16(FlowOffset.vlan0_tci, 0xffff);
  st.mask.view.setUint16(FlowOffset.vlan1_tci, 0xffff);
  return undefined;
}

type L4Name = 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmpv6';
const L4_PROTO: Record<L4Name, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmpv6: 58 };

/** Attributes whose mask match_validate allows only when the implying field is exact. */
const CONDITIONAL = new Set<OdpAttrName>(['ipv4', 'ct_tuple4', 'ipv6', 'ct_tuple6', 'tcp', 'tcp_flags', 'udp', 'sctp', 'icmp', 'icmpv6', 'arp', 'nd', 'mpls']);

/** Why a key attribute is expected: the attribute whose value implies it, and the reason. */
interface Because {
  readonly attr: OdpAttrName;
  readonly why: string;
}

/** match_validate: key attributes implied by eth_type/proto must be present; masks only where the implying field is exact. */
function validateMatch(st: MatchState, keyAttrs: Set<OdpAttrName>, maskAttrs: Set<OdpAttrName>): AttrError | undefined {
  const expected = new Map<OdpAttrName, Because>();
  const allowed = new Set<OdpAttrName>([...keyAttrs].filter((n) => !CONDITIONAL.has(n)));
  allowed.add('in_port').add('eth_type');
  const k = st.key.view;
  const m = st.mask.view;
  const dlType = k.getUint16(FlowOffset.dl_type);
  const typeExact = m.getUint16(FlowOffset.dl_type) === 0xffff;
  const byType: Because = { attr: 'eth_type', why: `eth_type(0x${dlType.toString(16).padStart(4, '0')}) implies it` };
  const l3 = (...names: OdpAttrName[]): void => {
    expected.set(names[0]!, byType);
    if (typeExact) for (const n of names) allowed.add(n);
  };
  if (dlType === 0x0806 || dlType === 0x8035) l3('arp');
  if (dlType === 0x8847 || dlType === 0x8848) l3('mpls');
  if (dlType === 0x0800) l3('ipv4', 'ct_tuple4');
  if (dlType === 0x86dd) l3('ipv6', 'ct_tuple6');
  const isIp = dlType === 0x0800 || dlType === 0x86dd;
  if (isIp && (k.getUint8(FlowOffset.nw_frag) & NwFrag.LATER) === 0) {
    const ip = dlType === 0x86dd ? 'ipv6' : 'ipv4';
    const proto = k.getUint8(FlowOffset.nw_proto);
    const protoExact = m.getUint8(FlowOffset.nw_proto) === 0xff;
    const l4 = (name: OdpAttrName, why = `${ip}(proto=${proto}) implies it`): void => {
      expected.set(name, { attr: ip, why });
      if (protoExact) allowed.add(name);
    };
    if (proto === L4_PROTO.udp) l4('udp');
    if (proto === L4_PROTO.sctp) l4('sctp');
    if (proto === L4_PROTO.tcp) {
      l4('tcp');
      l4('tcp_flags', `the kernel requires tcp_flags(…) beside tcp(…) when ${ip}(proto=6)`);
    }
    if (proto === L4_PROTO.icmp && ip === 'ipv4') l4('icmp');
    if (proto === L4_PROTO.icmpv6 && ip === 'ipv6') {
      l4('icmpv6');
      const type = k.getUint16(FlowOffset.tp_src);
      if (type === 135 || type === 136) {
        expected.set('nd', { attr: 'icmpv6', why: `icmpv6(type=${type}) implies it` });
        allowed.delete('ct_tuple6');
        if (m.getUint16(FlowOffset.tp_src) === 0xff) allowed.add('nd');
      }
    }
  }
  for (const [name, b] of expected) {
    if (!keyAttrs.has(name)) return attrError(`missing ${name}(…): ${b.why}`, b.attr, st.paths.key.get(b.attr) ?? []);
  }
  const bad = [...maskAttrs].filter((n) => !allowed.has(n)).map((n) => ({ n, p: st.paths.mask.get(n) ?? [] }));
  bad.sort((x, y) => comparePaths(x.p, y.p));
  const first = bad[0];
  return first ? attrError(maskRefusal(st, first.n, expected.has('nd')), first.n, first.p) : undefined;
}

/** The message for a mask attribute match_validate does not allow. */
function maskRefusal(st: MatchState, name: OdpAttrName, withNd: boolean): string {
  const ethTypes: Partial<Record<OdpAttrName, string>> = {
    ipv4: '0x0800', ct_tuple4: '0x0800', ipv6: '0x86dd', ct_tuple6: '0x86dd', arp: '0x0806 or 0x8035', mpls: '0x8847 or 0x8848',
  };
  const t = ethTypes[name];
  if (name === 'ct_tuple6' && withNd) return 'ct_tuple6(…) cannot be matched together with nd(…)';
  if (t) return `${name}(…) needs eth_type(${t}) in the match`;
  const proto = name === 'tcp_flags' ? 6 : L4_PROTO[name as L4Name];
  if (proto !== undefined) {
    const later = (st.key.view.getUint8(FlowOffset.nw_frag) & NwFrag.LATER) !== 0;
    const ip = name === 'icmp' ? 'ipv4' : name === 'icmpv6' ? 'ipv6' : 'ipv4/ipv6';
    return later ? `${name}(…) cannot be matched on a later fragment (frag=later)` : `${name}(…) needs ${ip} with proto=${proto} matched exactly`;
  }
  if (name === 'nd') return 'nd(…) needs icmpv6(type=135) or icmpv6(type=136) matched exactly';
  return `${name}(…) has a mask but no key`;
}

export type PacketMetadataResult = { readonly ok: true; readonly md: PacketMetadata } | { readonly ok: false; readonly error: DpError & { readonly attr: string } };

/**
 * The metadata of a PACKET EXECUTE key (`ovs_nla_get_flow_metadata`): only
 * the top-level metadata attributes are read; packet fields are ignored
 * (the packet is re-extracted). A missing in_port gives DP_MAX_PORTS, as in
 * the kernel (which then sends the packet from the local port).
 */
export function packetMetadataFromOdp(key: OdpKey): PacketMetadataResult {
  const st = newMatchState();
  const attrs = new Set<OdpAttrName>();
  const err = collectAttrs(st, Array.isArray(key?.attrs) ? key.attrs : [], [], attrs, 'key') ?? parseMetadata(st, attrs, 'key');
  if (err) return { ok: false, error: { errno: err.errno, message: err.message, attr: err.attr } };
  const v = st.key.view;
  const md: PacketMetadata = {
    inPort: v.getUint32(FlowOffset.in_port),
    skbPriority: v.getUint32(FlowOffset.skb_priority),
    skbMark: v.getUint32(FlowOffset.pkt_mark),
    recircId: v.getUint32(FlowOffset.recirc_id),
    dpHash: v.getUint32(FlowOffset.dp_hash),
  };
  return { ok: true, md };
}
