/**
 * Userspace flow extraction: the `struct flow` Open vSwitch 3.1 builds from a
 * packet in lib/flow.c `flow_extract()` → `miniflow_extract()`, which is what
 * `ofproto/trace` prints on its `Flow:` line and what the userspace datapath
 * matches on.
 *
 * Invariants: never throws, never allocates; the key is cleared first and
 * every field the packet does not supply stays zero; every read is bounds
 * checked. The result names the first thing that stopped extraction.
 *
 * Behaviour, in OVS's order (differences from the kernel extractor,
 * extract-datapath-key.ts, marked ≠):
 *  - Fewer than 14 bytes: only metadata; dl_type stays 0.
 *  - VLAN tags: at most `vlanLimit` (≠ OVS's `other_config:vlan-limit`,
 *    which ovs-vswitchd defaults to 1; the kernel always parses 2). Further
 *    tags leave their TPID as dl_type.
 *  - 802.3 frames: LLC/SNAP recognised only with control byte 0x03 (≠ the
 *    kernel ignores the control byte); otherwise dl_type 0x05ff.
 *  - MPLS: up to three LSEs kept; nothing past the stack is parsed.
 *  - IPv4: ihl < 5, header beyond the frame, total length beyond the frame or
 *    smaller than the header → no L3 fields at all (`bad-ip-header`) (≠ the
 *    kernel never reads total length). The frame is cut to total length, so
 *    Ethernet padding is never parsed as L4 (≠ the kernel parses to the end
 *    of the frame).
 *  - IPv6: payload length beyond the frame → no L3 fields (≠ kernel ignores
 *    payload length); data cut to 40 + payload length. Extension headers
 *    (hop-by-hop, routing, destination options, AH, fragment) must each be
 *    wholly present with at least 8 bytes left (≠ kernel needs only their
 *    first bytes); if not, only the addresses are kept and label, tclass,
 *    hlimit, proto and frag stay zero (≠ kernel keeps them, proto 59).
 *    A fragment header marks `frag` only when its offset/flags word is
 *    non-zero (≠ kernel marks even an atomic fragment as first); a later
 *    fragment stops the walk with nw_proto 44 whatever follows (≠ kernel).
 *  - Later fragments (IPv4 or IPv6): no L4 fields.
 *  - L4: TCP needs 20 bytes and a data offset ≥ 5 within the data; UDP 8,
 *    SCTP 12, ICMP 8, IGMP 8 (type/code; ≠ kernel ignores IGMP), ICMPv6 8.
 *    One dispatch serves IPv4 and IPv6, so ICMP inside IPv6 and ICMPv6
 *    inside IPv4 are parsed too (≠ kernel: ICMP only in IPv4, ICMPv6 only
 *    in IPv6).
 *    ND: target needs 16 more bytes; options as in `parseIcmpv6`; the first
 *    stored option's type goes to tcp_flags (struct flow's nd_options_type;
 *    ≠ kernel leaves tcp_flags 0).
 *  - ARP/RARP: 28 bytes and Ethernet/IPv4 parameters, else no ARP fields.
 *
 * Left out: tunnel metadata, NSH, conntrack original tuple, IGMP group,
 * ND reserved field, RSS hash and packet offsets.
 */
import type { FlowKey } from './flow-key.ts';
import { FlowOffset, NwFrag } from './flow-key.ts';
import {
  ETH_HEADER_BYTES, EtherType, ExtractResult, L4Extra, Proto, copyToKey, parseArp, parseEthernet, parseIcmpv6, parseL4, parseMpls,
  u16, u32, writeMetadata, type ExtractMetadata,
} from './extract-common.ts';

export { ExtractResult, type ExtractMetadata } from './extract-common.ts';

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

export interface ExtractFlowOptions {
  /** VLAN headers to parse, 1 or 2 (OVS `vlan-limit`; ovs-vswitchd default 1, flow_extract's own default 2). */
  readonly vlanLimit?: number;
}

const DEFAULT_OPTIONS: ExtractFlowOptions = { vlanLimit: 2 };

/**
 * Extracts the userspace flow of `packet` into `key` (cleared first).
 * `md` supplies in_port and other metadata. Returns why extraction stopped,
 * `ok` when the whole packet was understood.
 */
export function extractFlow(packet: Uint8Array, key: FlowKey, md: ExtractMetadata, options: ExtractFlowOptions = DEFAULT_OPTIONS): ExtractResult {
  key.clear();
  writeMetadata_(key, md);
  const p = packet;
  const len = p.length;
  const packetType = md.packetType ?? 0;
  let off = 0;
  let dlType: number;
  if (packetType === 0) {
    if (len < ETH_HDR) return R.truncatedL2;
    const limit = Math.min(Math.max(options.vlanLimit ?? 2, 0), 2) || 2;
    off = parseEthernet_(p, len, key, limit, true);
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
  const size = len - off;
  if (size < 20) return R.truncatedL3;
  const ihlBytes = (p[off]! & 0x0f) * 4;
  if (ihlBytes < 20 || size < ihlBytes) return R.badIpHeader;
  const totLen = rd16(p, off + 2);
  if (totLen > size || ihlBytes > totLen || size - totLen > 0xffff) return R.badIpHeader;
  const v = key.view;
  v.setUint32(O.nw_src, rd32(p, off + 12));
  v.setUint32(O.nw_dst, rd32(p, off + 16));
  const proto = p[off + 9]!;
  const fragOff = rd16(p, off + 6);
  let frag = 0;
  if ((fragOff & 0x3fff) !== 0) frag = (fragOff & 0x1fff) !== 0 ? NF.ANY | NF.LATER : NF.ANY;
  v.setUint8(O.nw_tos, p[off + 1]!);
  v.setUint8(O.nw_ttl, p[off + 8]!);
  v.setUint8(O.nw_proto, proto);
  v.setUint8(O.nw_frag, frag);
  if ((frag & NF.LATER) !== 0) return R.ok;
  return extractL4(p, off + ihlBytes, off + totLen, proto, key);
}

/** miniflow_extract's L4 chain is the same for IPv4 and IPv6 (ICMP over IPv6 and ICMPv6 over IPv4 included). */
function extractL4(p: Uint8Array, off: number, end: number, proto: number, key: FlowKey): ExtractResult {
  if (proto === PR.ICMPV6) return parseIcmpv6_(p, off, end, key, true);
  return parseL4_(p, off, end, proto, key, L4X.icmpIgmp);
}

/** Walks IPv6 extension headers as parse_ipv6_ext_hdrs__ does. Sets walkProto/walkFrag/walkOff; false on failure. */
let walkProto = 0;
let walkFrag = 0;
let walkOff = 0;

function walkIpv6ExtHeaders(p: Uint8Array, off: number, end: number, proto: number): boolean {
  walkFrag = 0;
  for (;;) {
    if (proto !== PR.HOPOPTS && proto !== PR.ROUTING && proto !== PR.DSTOPTS && proto !== PR.AH && proto !== PR.FRAGMENT) {
      walkProto = proto;
      walkOff = off;
      return true;
    }
    if (end - off < 8) return false;
    const next = p[off]!;
    if (proto === PR.FRAGMENT) {
      const offlg = rd16(p, off + 2);
      proto = next;
      off += 8;
      if (offlg !== 0) {
        walkFrag = NF.ANY;
        if ((offlg & 0xfff8) !== 0) {
          walkFrag |= NF.LATER;
          walkProto = PR.FRAGMENT;
          walkOff = off;
          return true;
        }
      }
      continue;
    }
    const hdrBytes = proto === PR.AH ? (p[off + 1]! + 2) * 4 : (p[off + 1]! + 1) * 8;
    proto = next;
    if (end - off < hdrBytes) return false;
    off += hdrBytes;
  }
}

function extractIpv6(p: Uint8Array, off: number, len: number, key: FlowKey): ExtractResult {
  const size = len - off;
  if (size < 40) return R.truncatedL3;
  const plen = rd16(p, off + 4);
  if (plen + 40 > size || size - (plen + 40) > 0xffff) return R.badIpHeader;
  copyToKey_(p, off + 8, key, O.ipv6_src, 16);
  copyToKey_(p, off + 24, key, O.ipv6_dst, 16);
  const end = off + 40 + plen;
  const tcFlow = rd32(p, off);
  if (!walkIpv6ExtHeaders(p, off + 40, end, p[off + 6]!)) return R.badIpv6ExtHeader;
  const v = key.view;
  v.setUint32(O.ipv6_label, tcFlow & 0x000fffff);
  v.setUint8(O.nw_tos, (tcFlow >>> 20) & 0xff);
  v.setUint8(O.nw_ttl, p[off + 7]!);
  v.setUint8(O.nw_proto, walkProto);
  v.setUint8(O.nw_frag, walkFrag);
  if ((walkFrag & NF.LATER) !== 0) return R.ok;
  return extractL4(p, walkOff, end, walkProto, key);
}
