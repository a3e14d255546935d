/**
 * Datapath flow-key extraction with the semantics of the Linux kernel
 * datapath (net/openvswitch/flow.c `key_extract` / `key_extract_l3l4`, as of
 * Linux 6.x), the key a kernel-datapath megaflow lookup uses and an upcall
 * reports. Written into the same `FlowKey` layout as the userspace flow,
 * with OVS's encodings: frag as FLOW_NW_FRAG_* bits (first = ANY, later =
 * ANY|LATER) and an 802.2 frame's ethertype as 0x05ff (the kernel keeps
 * ETH_P_802_2 internally and omits eth_type on netlink, which OVS reads back
 * as 0x05ff).
 *
 * Invariants: never throws, never allocates; the key is cleared first; every
 * read is bounds checked against the frame length.
 *
 * Differences from userspace `flow_extract` (extract-flow.ts), all taken
 * from the two sources:
 *  - Frames shorter than 14 bytes: the kernel rejects the packet
 *    (`truncated-l2`; the caller must drop it), userspace keeps metadata.
 *  - Always up to two VLAN tags (no vlan-limit).
 *  - LLC/SNAP: the control byte is not checked.
 *  - The frame length bounds every layer: IPv4 total length and IPv6 payload
 *    length are never read, so L4 headers are found in Ethernet padding and
 *    IPv4 headers with a total length shorter than their ihl still count.
 *  - IPv4 only checks ihl ≥ 5 and the header within the frame (failure →
 *    all L3 fields zero, like userspace).
 *  - IPv6 extension headers are walked like `ipv6_find_hdr`: only the first
 *    2 bytes of each header (4 of a fragment header) must be present; a
 *    fragment header with offset 0 gives frag=first even without the M
 *    flag; a later fragment gives frag=later, proto 44 only if the next
 *    header is not itself an extension header (otherwise frag=first,
 *    proto 59); a walk running off the data keeps label, tclass, hlimit and
 *    addresses, proto 59 (`bad-ipv6-ext-header`).
 *  - L4: ICMP only inside IPv4, ICMPv6 only inside IPv6; IGMP not parsed;
 *    tcp_flags stays 0 for ND (no nd_options_type).
 *
 * Left out: tunnel metadata, NSH, conntrack tuple, the IPv6 extension-header
 * flags attribute (OVS_KEY_ATTR_IPV6_EXTHDRS), GSO-UDP "first fragment"
 * marking, hardware-accelerated VLAN tags (a tag is always in the bytes).
 */
import type { FlowKey } from './flow-key.ts';
import { FlowOffset, NwFrag } from './flow-key.ts';
import {
  ETH_HEADER_BYTES, EtherType, ExtractResult, L4Extra, Proto, copyToKey, parseArp, parseEthernet, parseIcmpv6, parseL4, parseMpls,
  u16, u32, writeMetadata, type ExtractMetadata,
} from './extract-common.ts';

// Module-level aliases: under tsx every access to an imported binding is a getter call,
// which costs more than the parsing itself on this hot path.
const O = FlowOffset;
const NF = NwFrag;
const R = ExtractResult;
const PR = Proto;
const rd16 = u16;
const rd32 = u32;
const ET = EtherType;
const ETH_HDR = ETH_HEADER_BYTES;
const L4X = L4Extra;
const copyToKey_ = copyToKey;
const parseArp_ = parseArp;
const parseEthernet_ = parseEthernet;
const parseIcmpv6_ = parseIcmpv6;
const parseL4_ = parseL4;
const parseMpls_ = parseMpls;
const writeMetadata_ = writeMetadata;

/**
 * Extracts the kernel datapath key of `packet` into `key` (cleared first).
 * Returns why extraction stopped; `truncated-l2` means the kernel would
 * drop the packet rather than look it up.
 */
export function extractDatapathKey(packet: Uint8Array, key: FlowKey, md: ExtractMetadata): ExtractResult {
  key.clear();
  writeMetadata_(key, md);
  const p = packet;
  const len = p.length;
  const packetType = md.packetType ?? 0;
  let off = 0;
  let dlType: number;
  if (packetType === 0) {
    if (len < ETH_HDR) return R.truncatedL2;
    off = parseEthernet_(p, len, key, 2, false);
    dlType = key.view.getUint16(O.dl_type);
  } else {
    dlType = packetType & 0xffff;
    key.view.setUint16(O.dl_type, dlType);
  }
  switch (dlType) {
    case ET.IP:
      return extractIpv4(p, off, len, key);
    case ET.IPV6:
      return extractIpv6(p, off, len, key);
    case ET.ARP:
    case ET.RARP:
      return parseArp_(p, off, len, key);
    case ET.MPLS:
    case ET.MPLS_MCAST:
      return parseMpls_(p, off, len, key);
    default:
      return R.ok;
  }
}

function extractIpv4(p: Uint8Array, off: number, len: number, key: FlowKey): ExtractResult {
  if (len - off < 20) return R.truncatedL3;
  const ihlBytes = (p[off]! & 0x0f) * 4;
  if (ihlBytes < 20 || len - off < ihlBytes) return R.badIpHeader;
  const v = key.view;
  v.setUint32(O.nw_src, rd32(p, off + 12));
  v.setUint32(O.nw_dst, rd32(p, off + 16));
  const proto = p[off + 9]!;
  v.setUint8(O.nw_proto, proto);
  v.setUint8(O.nw_tos, p[off + 1]!);
  v.setUint8(O.nw_ttl, p[off + 8]!);
  const fragOff = rd16(p, off + 6);
  if ((fragOff & 0x1fff) !== 0) {
    v.setUint8(O.nw_frag, NF.ANY | NF.LATER);
    return R.ok;
  }
  if ((fragOff & 0x2000) !== 0) v.setUint8(O.nw_frag, NF.ANY);
  return parseL4_(p, off + ihlBytes, len, proto, key, L4X.icmp);
}

function isExtHeader(proto: number): boolean {
  return proto === PR.HOPOPTS || proto === PR.ROUTING || proto === PR.FRAGMENT
    || proto === PR.AH || proto === PR.NONE || proto === PR.DSTOPTS;
}

/** Results of `findTransport`, kept in module state to avoid allocating. */
let foundProto = -1; // < 0: the walk failed
let foundOff = 0;
let sawFragment = false;
let fragOffset = 0;

/** `ipv6_find_hdr(skb, &off, -1, &frag_off, &flags)`: the first non-extension header. */
function findTransport(p: Uint8Array, start: number, len: number, proto: number): void {
  sawFragment = false;
  fragOffset = 0;
  for (;;) {
    if (!isExtHeader(proto) || proto === PR.NONE) {
      foundProto = proto;
      foundOff = start;
      return;
    }
    if (len - start < 2 || (proto === PR.ROUTING && len - start < 4)) {
      foundProto = -1;
      return;
    }
    const next = p[start]!;
    let hdrBytes: number;
    if (proto === PR.FRAGMENT) {
      sawFragment = true;
      if (len - start < 4) {
        foundProto = -1;
        return;
      }
      const offset = rd16(p, start + 2) & 0xfff8;
      if (offset !== 0) {
        foundProto = -1;
        if (!isExtHeader(next) || next === PR.NONE) {
          fragOffset = offset;
          foundProto = next;
        }
        return;
      }
      hdrBytes = 8;
    } else if (proto === PR.AH) {
      hdrBytes = (p[start + 1]! + 2) * 4;
    } else {
      hdrBytes = (p[start + 1]! + 1) * 8;
    }
    proto = next;
    start += hdrBytes;
  }
}

function extractIpv6(p: Uint8Array, off: number, len: number, key: FlowKey): ExtractResult {
  if (len - off < 40) return R.truncatedL3;
  const v = key.view;
  const tcFlow = rd32(p, off);
  v.setUint8(O.nw_proto, PR.NONE);
  v.setUint8(O.nw_tos, (tcFlow >>> 20) & 0xff);
  v.setUint8(O.nw_ttl, p[off + 7]!);
  v.setUint32(O.ipv6_label, tcFlow & 0x000fffff);
  copyToKey_(p, off + 8, key, O.ipv6_src, 16);
  copyToKey_(p, off + 24, key, O.ipv6_dst, 16);
  findTransport(p, off + 40, len, p[off + 6]!);
  if (sawFragment) {
    if (fragOffset !== 0) {
      v.setUint8(O.nw_frag, NF.ANY | NF.LATER);
      v.setUint8(O.nw_proto, PR.FRAGMENT);
      return R.ok;
    }
    v.setUint8(O.nw_frag, NF.ANY);
  }
  if (foundProto < 0) return R.badIpv6ExtHeader;
  v.setUint8(O.nw_proto, foundProto);
  if (foundProto === PR.ICMPV6) return parseIcmpv6_(p, foundOff, len, key, false);
  return parseL4_(p, foundOff, len, foundProto, key, L4X.none);
}
