/**
 * The way back from the datapath's FlowKey to ODP attributes: Linux
 * `__ovs_nla_put_key` (net/openvswitch/flow_netlink.c), which the kernel
 * uses for FLOW dumps (masked key + mask, `ovs_nla_put_masked_key` /
 * `ovs_nla_put_mask`) and for MISS upcall keys (the packet's key).
 *
 * Invariants:
 *  - Which attributes appear depends only on the masked key (`sw`), never
 *    on the mask, in the kernel's order: recirc_id, dp_hash, skb_priority,
 *    in_port, skb_mark, ct_state, ct_zone, ct_mark, ct_label, ct tuple, eth,
 *    [eth_type(TPID), vlan, encap(…)], eth_type, L3, L4, tcp_flags, nd.
 *    Zero-mask attributes are kept (the formatter hides them).
 *  - The kernel's encodings are kept in the mask: VLAN TPIDs 0xffff, in_port
 *    0xffff0000 | the 16-bit mask (a wildcarded in_port dumps as
 *    in_port(0/0xffff0000)), the ARP opcode mask 0x00ff, frag 0 or 0xff, an
 *    802.2 frame's eth_type in the mask only.
 *  - flowMatchFromOdp(odpKeyFromMatch(m)) gives back m whenever in_port and
 *    eth_type are matched exactly. As in the kernel, a dumped wildcard
 *    in_port re-adds as exact, and a dumped wildcard eth_type(0/0) of an
 *    Ethernet flow is refused (EtherType below 0x600); a ct tuple is dumped
 *    only when its proto is not 0.
 *
 * Left out: tunnel, NSH and OVS_KEY_ATTR_IPV6_EXTHDRS (no model in
 * reference/flow); ct tuple addresses dump as zero (FlowKey has no slots).
 */
import type { OdpAttr, OdpFixedAttr, OdpFixedAttrName, OdpKey } from '../flow/index.ts';
import { DL_TYPE_NONE, FlowKey, FlowOffset, NwFrag, newOdpAttr, writeUint } from '../flow/index.ts';
import type { FlowFieldSlot } from '../flow/index.ts';
import type { FlowMatch } from './flow-match.ts';
import { DP_MAX_PORTS } from './flow-match-parse.ts';

/**
 * The kernel dump form of a match (what FLOW GET/dump return): attributes
 * chosen by the masked key, values masked, the kernel's mask encodings.
 */
export function odpKeyFromMatch(match: FlowMatch): OdpKey {
  return { attrs: putKey(match.key, match.key, match.mask) };
}

/**
 * The key of a packet as a MISS upcall carries it: kernel order, every mask
 * all ones. (Installed as is, its ct_state mask 0xffffffff is refused, as
 * the kernel refuses it; a FLOW NEW without a mask gets 0xff there.)
 */
export function odpKeyFromPacketKey(key: FlowKey): OdpKey {
  const attrs = putKey(key, key, undefined);
  fillMasks(attrs);
  return { attrs };
}

/** All-ones masks: an upcall key has no mask, and prints as exact. */
function fillMasks(attrs: readonly OdpAttr[]): void {
  for (const a of attrs) {
    if (a.name === 'encap') fillMasks(a.attrs);
    else a.mask.fill(0xff);
  }
}

/** Reads of the masked key `sw` (structure), the key values and the mask (undefined: a packet key, full masks). */
class Put {
  constructor(
    readonly sw: FlowKey,
    readonly key: FlowKey,
    readonly mask: FlowKey | undefined,
  ) {}

  swU16(slot: FlowFieldSlot): number {
    return this.sw.view.getUint16(FlowOffset[slot]);
  }

  /** An attribute whose bytes are consecutive FlowKey bytes at `slot`. */
  copy(name: OdpFixedAttrName, slot: FlowFieldSlot, n: number, at = 0, into?: OdpFixedAttr): OdpFixedAttr {
    const a = into ?? newOdpAttr(name);
    const from = FlowOffset[slot];
    a.key.set(this.key.bytes.subarray(from, from + n), at);
    if (this.mask) a.mask.set(this.mask.bytes.subarray(from, from + n), at);
    else a.mask.fill(0xff, at, at + n);
    return a;
  }

  /** A value/mask pair written as `bytes` big-endian at `at`. */
  value(a: OdpFixedAttr, at: number, bytes: number, key: number, mask: number): OdpFixedAttr {
    writeUint(a.key, at, bytes, key);
    writeUint(a.mask, at, bytes, this.mask ? mask : 2 ** (8 * bytes) - 1);
    return a;
  }

  maskU8(slot: FlowFieldSlot): number {
    return this.mask ? this.mask.view.getUint8(FlowOffset[slot]) : 0xff;
  }
}

const isVlanType = (t: number): boolean => t === 0x8100 || t === 0x88a8;

function putKey(sw: FlowKey, key: FlowKey, mask: FlowKey | undefined): OdpAttr[] {
  const p = new Put(sw, key, mask);
  const out: OdpAttr[] = [p.copy('recirc_id', 'recirc_id', 4), p.copy('dp_hash', 'dp_hash', 4), p.copy('skb_priority', 'skb_priority', 4)];
  const port = sw.view.getUint32(FlowOffset.in_port);
  if (port !== DP_MAX_PORTS) {
    const portMask = mask ? (0xffff0000 | (mask.view.getUint32(FlowOffset.in_port) & 0xffff)) >>> 0 : 0xffffffff;
    out.push(p.value(newOdpAttr('in_port'), 0, 4, key.view.getUint32(FlowOffset.in_port), portMask));
  }
  out.push(p.copy('skb_mark', 'pkt_mark', 4));
  out.push(p.copy('ct_state', 'ct_state', 1, 3), p.copy('ct_zone', 'ct_zone', 2), p.copy('ct_mark', 'ct_mark', 4), p.copy('ct_label', 'ct_label', 16));
  const dlType = p.swU16('dl_type');
  if (sw.view.getUint8(FlowOffset.ct_nw_proto) !== 0 && (dlType === 0x0800 || dlType === 0x86dd)) {
    const v6 = dlType === 0x86dd;
    const t = newOdpAttr(v6 ? 'ct_tuple6' : 'ct_tuple4');
    const ports = v6 ? 32 : 8;
    p.copy(t.name, 'ct_tp_src', 2, ports, t);
    p.copy(t.name, 'ct_tp_dst', 2, ports + 2, t);
    out.push(p.copy(t.name, 'ct_nw_proto', 1, ports + 4, t));
  }
  if (sw.view.getUint32(FlowOffset.packet_type) !== 0) {
    putPayload(p, out);
    return out;
  }
  const eth = p.copy('eth', 'dl_src', 6);
  out.push(p.copy('eth', 'dl_dst', 6, 6, eth));
  const level = putVlans(p, out);
  if (level) putPayload(p, level);
  return out;
}

/** eth_type(TPID), vlan, encap per tag; returns the list the payload goes into, or undefined when the key stops here. */
function putVlans(p: Put, out: OdpAttr[]): OdpAttr[] | undefined {
  const dlType = p.swU16('dl_type');
  let level = out;
  for (const [tpid, tci] of [['vlan0_tpid', 'vlan0_tci'], ['vlan1_tpid', 'vlan1_tci']] as const) {
    if (p.swU16(tci) === 0 && !isVlanType(dlType)) break;
    const encap: OdpAttr[] = [];
    level.push(p.value(newOdpAttr('eth_type'), 0, 2, p.key.view.getUint16(FlowOffset[tpid]), 0xffff), p.copy('vlan', tci, 2), { name: 'encap', attrs: encap });
    level = encap;
    if (p.swU16(tci) === 0) return undefined;
  }
  if (dlType === DL_TYPE_NONE) {
    const m = p.mask ? p.mask.view.getUint16(FlowOffset.dl_type) : 0;
    if (m) level.push({ ...p.value(newOdpAttr('eth_type'), 0, 2, 0, m), keyAbsent: true });
    return undefined;
  }
  return level;
}

function fragEnum(bits: number): number {
  return (bits & NwFrag.ANY) === 0 ? 0 : (bits & NwFrag.LATER) !== 0 ? 2 : 1;
}

/** eth_type, then L3 by eth_type and L4 by proto (not for later fragments). */
function putPayload(p: Put, level: OdpAttr[]): void {
  const dlType = p.swU16('dl_type');
  level.push(p.copy('eth_type', 'dl_type', 2));
  const frag = (a: OdpFixedAttr, at: number): OdpFixedAttr =>
    p.value(a, at, 1, fragEnum(p.key.view.getUint8(FlowOffset.nw_frag)), p.maskU8('nw_frag') ? 0xff : 0);
  if (dlType === 0x0800) {
    const a = p.copy('ipv4', 'nw_src', 4);
    for (const [slot, at, n] of [['nw_dst', 4, 4], ['nw_proto', 8, 1], ['nw_tos', 9, 1], ['nw_ttl', 10, 1]] as const) p.copy('ipv4', slot, n, at, a);
    level.push(frag(a, 11));
  } else if (dlType === 0x86dd) {
    const a = p.copy('ipv6', 'ipv6_src', 16);
    for (const [slot, at, n] of [['ipv6_dst', 16, 16], ['ipv6_label', 32, 4], ['nw_proto', 36, 1], ['nw_tos', 37, 1], ['nw_ttl', 38, 1]] as const) {
      p.copy('ipv6', slot, n, at, a);
    }
    level.push(frag(a, 39));
  } else if (dlType === 0x0806 || dlType === 0x8035) {
    const a = p.copy('arp', 'nw_src', 4);
    p.copy('arp', 'nw_dst', 4, 4, a);
    p.value(a, 8, 2, p.key.view.getUint8(FlowOffset.nw_proto), p.maskU8('nw_proto'));
    p.copy('arp', 'arp_sha', 6, 10, a);
    level.push(p.copy('arp', 'arp_tha', 6, 16, a));
  } else if (dlType === 0x8847 || dlType === 0x8848) {
    level.push(putMpls(p));
  }
  const isIp = dlType === 0x0800 || dlType === 0x86dd;
  if (isIp && fragEnum(p.sw.view.getUint8(FlowOffset.nw_frag)) !== 2) level.push(...putL4(p, dlType === 0x86dd));
}

/** Label stack entries: up to bottom-of-stack (packet key) or the last one with a non-zero mask (match). */
function putMpls(p: Put): OdpAttr {
  const lse = (k: FlowKey, i: number): number => k.view.getUint32(FlowOffset.mpls_lse + 4 * i);
  let n = 1;
  for (let i = 0; i < 3; i++) {
    if (p.mask ? lse(p.mask, i) !== 0 : true) n = i + 1;
    if (!p.mask && lse(p.key, i) & 0x100) break;
  }
  const a = { name: 'mpls' as const, key: new Uint8Array(4 * n), mask: new Uint8Array(4 * n) };
  a.key.set(p.key.bytes.subarray(FlowOffset.mpls_lse, FlowOffset.mpls_lse + 4 * n));
  if (p.mask) a.mask.set(p.mask.bytes.subarray(FlowOffset.mpls_lse, FlowOffset.mpls_lse + 4 * n));
  else a.mask.fill(0xff);
  return a;
}

function putL4(p: Put, v6: boolean): OdpAttr[] {
  const proto = p.sw.view.getUint8(FlowOffset.nw_proto);
  const ports = (name: 'tcp' | 'udp' | 'sctp'): OdpFixedAttr => p.copy(name, 'tp_dst', 2, 2, p.copy(name, 'tp_src', 2));
  if (proto === 6) return [ports('tcp'), p.copy('tcp_flags', 'tcp_flags', 2)];
  if (proto === 17) return [ports('udp')];
  if (proto === 132) return [ports('sctp')];
  const typeCode = (name: 'icmp' | 'icmpv6'): OdpFixedAttr => {
    const a = newOdpAttr(name);
    p.value(a, 0, 1, p.key.view.getUint16(FlowOffset.tp_src), p.mask ? p.mask.view.getUint16(FlowOffset.tp_src) : 0xff);
    return p.value(a, 1, 1, p.key.view.getUint16(FlowOffset.tp_dst), p.mask ? p.mask.view.getUint16(FlowOffset.tp_dst) : 0xff);
  };
  if (!v6) return proto === 1 ? [typeCode('icmp')] : [];
  if (proto !== 58) return [];
  const type = p.swU16('tp_src');
  if (type !== 135 && type !== 136) return [typeCode('icmpv6')];
  const nd = p.copy('nd', 'nd_target', 16);
  p.copy('nd', 'arp_sha', 6, 16, nd);
  return [typeCode('icmpv6'), p.copy('nd', 'arp_tha', 6, 22, nd)];
}
