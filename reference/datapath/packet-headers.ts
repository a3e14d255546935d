/**
 * Where the headers of a frame are, for the actions that rewrite them: the
 * L3 offset and ethertype, the IP version, the transport offset and
 * protocol, found with exactly the rules of the kernel key extractor
 * (extract-datapath-key.ts): up to two VLAN tags, LLC/SNAP, IPv4 with
 * ihl ≥ 5 inside the frame, the IPv6 extension-header walk of
 * `ipv6_find_hdr`, no transport header in a later fragment.
 *
 * Invariant: a header is reported present exactly when the extractor would
 * have read its fields into the flow key, so an action that rewrites a
 * present header can keep the key in sync field by field; an action whose
 * header is absent ends in `action-error`. Never throws; every read is
 * bounds checked.
 *
 * Left out on purpose: the kernel remembers offsets in the skb at
 * extraction time, this re-parses the bytes; the two differ only for a
 * packet whose key is already stale (a third VLAN tag pushed on a
 * double-tagged frame), where the kernel would still rewrite the old L3
 * header and this reports it absent. MPLS, NSH and tunnels are not parsed.
 */
import { ETH_HEADER_BYTES, EtherType, FlowKey, FlowOffset, Proto, parseEthernet } from '../flow/index.ts';

/** Header positions of one frame. Offsets are byte offsets into the frame. */
export interface HeaderOffsets {
  /** The ethertype the key's dl_type holds (0 when the frame is shorter than an Ethernet header). */
  ethType: number;
  /** Offset of the L3 header (after VLAN tags and LLC/SNAP); -1 without an Ethernet header. */
  l3: number;
  /** 4 or 6 when the extractor would read an IPv4/IPv6 header at `l3`, else 0. */
  ipVersion: 0 | 4 | 6;
  /** Transport protocol (IPv4 protocol or the last IPv6 next header); -1 when unknown. */
  proto: number;
  /** Offset of the transport header; -1 when there is none (later fragment, broken extension chain). */
  l4: number;
  /** An IPv4 or IPv6 fragment with a non-zero offset. */
  isLaterFragment: boolean;
  /** IPv6 only: a routing header with segments left, so the upper-layer checksum covers its final address. */
  hasPendingRoute: boolean;
}

const scratch = new FlowKey();

/** Finds the headers of `p`. */
export function locateHeaders(p: Uint8Array): HeaderOffsets {
  const h: HeaderOffsets = { ethType: 0, l3: -1, ipVersion: 0, proto: -1, l4: -1, isLaterFragment: false, hasPendingRoute: false };
  const len = p.length;
  if (len < ETH_HEADER_BYTES) return h;
  h.l3 = parseEthernet(p, len, scratch, 2, false);
  h.ethType = scratch.view.getUint16(FlowOffset.dl_type);
  if (h.ethType === EtherType.IP) locateIpv4(p, h);
  else if (h.ethType === EtherType.IPV6) locateIpv6(p, h);
  return h;
}

function locateIpv4(p: Uint8Array, h: HeaderOffsets): void {
  const off = h.l3;
  if (p.length - off < 20) return;
  const ihlBytes = (p[off]! & 0x0f) * 4;
  if (ihlBytes < 20 || p.length - off < ihlBytes) return;
  h.ipVersion = 4;
  h.proto = p[off + 9]!;
  if ((((p[off + 6]! << 8) | p[off + 7]!) & 0x1fff) !== 0) {
    h.isLaterFragment = true;
    return;
  }
  h.l4 = off + ihlBytes;
}

function isExtensionHeader(proto: number): boolean {
  return proto === Proto.HOPOPTS || proto === Proto.ROUTING || proto === Proto.FRAGMENT
    || proto === Proto.AH || proto === Proto.NONE || proto === Proto.DSTOPTS;
}

/** The extension-header walk of the kernel extractor, also noting routing headers with segments left. */
function locateIpv6(p: Uint8Array, h: HeaderOffsets): void {
  const len = p.length;
  if (len - h.l3 < 40) return;
  h.ipVersion = 6;
  let proto = p[h.l3 + 6]!;
  let at = h.l3 + 40;
  for (;;) {
    if (!isExtensionHeader(proto) || proto === Proto.NONE) {
      h.proto = proto;
      h.l4 = at;
      return;
    }
    if (len - at < 2 || ((proto === Proto.ROUTING || proto === Proto.FRAGMENT) && len - at < 4)) return;
    const next = p[at]!;
    if (proto === Proto.FRAGMENT) {
      if ((((p[at + 2]! << 8) | p[at + 3]!) & 0xfff8) !== 0) {
        h.isLaterFragment = true;
        h.proto = Proto.FRAGMENT;
        return;
      }
      at += 8;
    } else {
      if (proto === Proto.ROUTING && p[at + 3] !== 0) h.hasPendingRoute = true;
      at += proto === Proto.AH ? (p[at + 1]! + 2) * 4 : (p[at + 1]! + 1) * 8;
    }
    proto = next;
  }
}

/** Minimum transport header the extractor needs before it reads the fields of `proto` (TCP also checks its data offset). */
export function hasTransportHeader(p: Uint8Array, h: HeaderOffsets, proto: number): boolean {
  if (h.l4 < 0 || h.proto !== proto) return false;
  const size = p.length - h.l4;
  switch (proto) {
    case Proto.TCP: {
      if (size < 20) return false;
      const hdrBytes = (p[h.l4 + 12]! >> 4) * 4;
      return hdrBytes >= 20 && hdrBytes <= size;
    }
    case Proto.UDP: return h.ipVersion !== 0 && size >= 8;
    case Proto.SCTP: return h.ipVersion !== 0 && size >= 12;
    case Proto.ICMP: return h.ipVersion === 4 && size >= 8;
    case Proto.ICMPV6: return h.ipVersion === 6 && size >= 8;
    default: return false;
  }
}
