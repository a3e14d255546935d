/**
 * The `set` and `set_masked` actions: header and metadata rewrites, as
 * Linux net/openvswitch/actions.c `execute_masked_set_action` (eth, ipv4,
 * ipv6, tcp, udp, sctp, skb_priority, skb_mark) plus the rewrites only the
 * userspace datapath executes (icmp, icmpv6, arp, nd — lib/odp-execute.c).
 *
 * Invariant: an unmasked `set` is a `set_masked` with an all-ones mask (the
 * kernel converts it so at install); every field becomes
 * `(old & ~mask) | (value & mask)`; checksums stay right (see set-ip.ts and
 * set-transport.ts); the flow key follows every written field while it is
 * valid. A packet without the header (too short, other ethertype or
 * protocol, later fragment) is refused: `applySet` returns false and the
 * caller drops the packet with `action-error`, as the kernel frees an skb
 * when an action fails.
 *
 * Left out on purpose: tunnel, mpls, nsh, conntrack, vlan, eth_type,
 * in_port, recirc_id, dp_hash, tcp_flags, packet_type and nd_ext sets (the
 * kernel rejects them at install; here they are refused as action errors).
 */
import { EtherType, FlowOffset, type OdpFixedAttr } from '../flow/index.ts';
import type { DpPacket } from './action-host.ts';
import { hasMask, read16, writeMasked } from './checksum-adjust.ts';
import { locateHeaders } from './packet-headers.ts';
import { setIpv4, setIpv6 } from './set-ip.ts';
import { setIcmpTypeCode, setNd, setPorts } from './set-transport.ts';

const O = FlowOffset;

const ALL_ONES = new Uint8Array(64).fill(0xff);

/**
 * Applies `attr` to `pkt` with its mask (`masked`) or an all-ones mask.
 * Returns false when the action cannot be applied (the caller drops the
 * packet with `action-error`). Never throws.
 */
export function applySet(pkt: DpPacket, attr: OdpFixedAttr, masked: boolean): boolean {
  const value = attr.key;
  const mask = masked ? attr.mask : ALL_ONES;
  switch (attr.name) {
    case 'skb_priority':
    case 'skb_mark':
      setMetadata(pkt, attr.name, value, mask);
      return true;
    case 'eth':
      return setEth(pkt, value, mask);
    case 'arp':
      return setArp(pkt, value, mask);
    default:
      return applyL3L4(pkt, attr.name, value, mask);
  }
}

function applyL3L4(pkt: DpPacket, name: OdpFixedAttr['name'], value: Uint8Array, mask: Uint8Array): boolean {
  switch (name) {
    case 'ipv4': return setIpv4(pkt, locateHeaders(pkt.data), value, mask);
    case 'ipv6': return setIpv6(pkt, locateHeaders(pkt.data), value, mask);
    case 'tcp':
    case 'udp':
    case 'sctp':
      return setPorts(pkt, locateHeaders(pkt.data), name, value, mask);
    case 'icmp': return setIcmpTypeCode(pkt, locateHeaders(pkt.data), false, value, mask);
    case 'icmpv6': return setIcmpTypeCode(pkt, locateHeaders(pkt.data), true, value, mask);
    case 'nd': return setNd(pkt, locateHeaders(pkt.data), value, mask);
    default: return false;
  }
}

function readU32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function setMetadata(pkt: DpPacket, name: 'skb_priority' | 'skb_mark', value: Uint8Array, mask: Uint8Array): void {
  const m = readU32(mask, 0);
  const v = readU32(value, 0);
  if (name === 'skb_priority') {
    pkt.md.skbPriority = ((pkt.md.skbPriority & ~m) | (v & m)) >>> 0;
    if (pkt.keyValid) pkt.key.view.setUint32(O.skb_priority, pkt.md.skbPriority);
  } else {
    pkt.md.skbMark = ((pkt.md.skbMark & ~m) | (v & m)) >>> 0;
    if (pkt.keyValid) pkt.key.view.setUint32(O.pkt_mark, pkt.md.skbMark);
  }
}

/** eth(src, dst): ovs_key_ethernet is src then dst; the frame is dst then src. */
function setEth(pkt: DpPacket, value: Uint8Array, mask: Uint8Array): boolean {
  const p = pkt.data;
  if (p.length < 14) return false;
  writeMasked(p, 6, 6, value, mask, 0);
  writeMasked(p, 0, 6, value, mask, 6);
  if (pkt.keyValid) {
    pkt.key.bytes.set(p.subarray(0, 6), O.dl_dst);
    pkt.key.bytes.set(p.subarray(6, 12), O.dl_src);
  }
  return true;
}

/** arp(sip, tip, op, sha, tha) on an Ethernet/IPv4 ARP or RARP packet the extractor parses. */
function setArp(pkt: DpPacket, value: Uint8Array, mask: Uint8Array): boolean {
  const p = pkt.data;
  const h = locateHeaders(p);
  const a = h.l3;
  if ((h.ethType !== EtherType.ARP && h.ethType !== EtherType.RARP) || p.length - a < 28) return false;
  if (read16(p, a) !== 1 || read16(p, a + 2) !== EtherType.IP || p[a + 4] !== 6 || p[a + 5] !== 4) return false;
  if (hasMask(mask, 0, 4)) writeMasked(p, a + 14, 4, value, mask, 0);
  if (hasMask(mask, 4, 4)) writeMasked(p, a + 24, 4, value, mask, 4);
  if (hasMask(mask, 8, 2)) writeMasked(p, a + 6, 2, value, mask, 8);
  if (hasMask(mask, 10, 6)) writeMasked(p, a + 8, 6, value, mask, 10);
  if (hasMask(mask, 16, 6)) writeMasked(p, a + 18, 6, value, mask, 16);
  if (pkt.keyValid) {
    const k = pkt.key;
    const op = read16(p, a + 6);
    k.view.setUint8(O.nw_proto, op <= 0xff ? op : 0);
    k.bytes.set(p.subarray(a + 8, a + 14), O.arp_sha);
    k.view.setUint32(O.nw_src, readU32(p, a + 14));
    k.bytes.set(p.subarray(a + 18, a + 24), O.arp_tha);
    k.view.setUint32(O.nw_dst, readU32(p, a + 24));
  }
  return true;
}
