/**
 * Masked rewrites of the IPv4 and IPv6 headers (set_masked(ipv4(...)) and
 * set_masked(ipv6(...))), as Linux net/openvswitch/actions.c `set_ipv4` and
 * `set_ipv6` do them, with the checksums kept right incrementally:
 *  - IPv4 addresses, TOS and TTL update the header checksum; an address
 *    change also updates the TCP or UDP checksum (pseudo header) unless the
 *    packet is a later fragment or the transport header is shorter than 20
 *    (TCP) / 8 (UDP) bytes; a UDP checksum of 0 stays 0 and a result of 0
 *    is written 0xffff.
 *  - IPv6 address changes update the TCP, UDP (same zero rule as IPv4, as
 *    the kernel does) or ICMPv6 checksum of the protocol the key names; a
 *    destination change does not when a routing header with segments left
 *    is present (the checksum covers the final destination). Traffic class,
 *    flow label and hop limit are not covered by any checksum.
 *
 * Invariant: each value is `(old & ~mask) | (value & mask)`; an address is
 * written (and checksums touched) only when it changes, as the kernel does;
 * the flow key's slot of every written field is updated when the key is
 * valid. Returns false (action-error) when the packet has no such header.
 *
 * Left out on purpose: the proto and frag sub-fields (the flow-install
 * validator rejects sets that change them, the kernel ignores them); the
 * label mask is limited to its 20 bits.
 */
import { FlowOffset, Proto } from '../flow/index.ts';
import type { DpPacket } from './action-host.ts';
import { adjustChecksum, adjustChecksumAt, hasMask, read16, write16, writeMasked } from './checksum-adjust.ts';
import type { HeaderOffsets } from './packet-headers.ts';

const O = FlowOffset;

/** Applies a masked ipv4 set (kernel struct ovs_key_ipv4 layout) to `pkt`. */
export function setIpv4(pkt: DpPacket, h: HeaderOffsets, value: Uint8Array, mask: Uint8Array): boolean {
  if (h.ipVersion !== 4) return false;
  const p = pkt.data;
  const l3 = h.l3;
  const key = pkt.keyValid ? pkt.key : undefined;
  for (const [at, slot] of [[0, O.nw_src], [4, O.nw_dst]] as const) {
    if (!hasMask(mask, at, 4)) continue;
    const w = writeMasked(p, l3 + 12 + at, 4, value, mask, at);
    if (!w.changed) continue;
    adjustChecksumAt(p, l3 + 10, w.oldSum, w.newSum);
    if (!h.isLaterFragment) updateTransportChecksum(p, h, h.proto, w.oldSum, w.newSum);
    key?.bytes.set(p.subarray(l3 + 12 + at, l3 + 16 + at), slot);
  }
  const tosMask = mask[9] ?? 0;
  if (tosMask !== 0) {
    const before = read16(p, l3);
    p[l3 + 1] = (p[l3 + 1]! & ~tosMask) | ((value[9] ?? 0) & tosMask);
    adjustChecksumAt(p, l3 + 10, before, read16(p, l3));
    key?.view.setUint8(O.nw_tos, p[l3 + 1]!);
  }
  const ttlMask = mask[10] ?? 0;
  if (ttlMask !== 0) {
    const before = read16(p, l3 + 8);
    p[l3 + 8] = (p[l3 + 8]! & ~ttlMask) | ((value[10] ?? 0) & ttlMask);
    adjustChecksumAt(p, l3 + 10, before, read16(p, l3 + 8));
    key?.view.setUint8(O.nw_ttl, p[l3 + 8]!);
  }
  return true;
}

/**
 * The transport checksum after a pseudo-header address change (kernel
 * update_ip_l4_checksum / update_ipv6_checksum): TCP needs 20 bytes, UDP 8
 * and a non-zero checksum, ICMPv6 (IPv6 only) 8.
 */
function updateTransportChecksum(p: Uint8Array, h: HeaderOffsets, proto: number, oldSum: number, newSum: number): void {
  if (h.l4 < 0) return;
  const size = p.length - h.l4;
  if (proto === Proto.TCP && size >= 20) {
    adjustChecksumAt(p, h.l4 + 16, oldSum, newSum);
  } else if (proto === Proto.UDP && size >= 8) {
    const check = read16(p, h.l4 + 6);
    if (check !== 0) write16(p, h.l4 + 6, adjustChecksum(check, oldSum, newSum) || 0xffff);
  } else if (proto === Proto.ICMPV6 && h.ipVersion === 6 && size >= 8) {
    adjustChecksumAt(p, h.l4 + 2, oldSum, newSum);
  }
}

/** Applies a masked ipv6 set (kernel struct ovs_key_ipv6 layout) to `pkt`. */
export function setIpv6(pkt: DpPacket, h: HeaderOffsets, value: Uint8Array, mask: Uint8Array): boolean {
  if (h.ipVersion !== 6) return false;
  const p = pkt.data;
  const l3 = h.l3;
  const key = pkt.keyValid ? pkt.key : undefined;
  for (const [at, slot] of [[0, O.ipv6_src], [16, O.ipv6_dst]] as const) {
    if (!hasMask(mask, at, 16)) continue;
    const w = writeMasked(p, l3 + 8 + at, 16, value, mask, at);
    if (!w.changed) continue;
    if (at === 0 || !h.hasPendingRoute) updateTransportChecksum(p, h, h.proto, w.oldSum, w.newSum);
    key?.bytes.set(p.subarray(l3 + 8 + at, l3 + 24 + at), slot);
  }
  const tclassMask = mask[37] ?? 0;
  if (tclassMask !== 0) {
    const old = ((p[l3]! & 0x0f) << 4) | (p[l3 + 1]! >> 4);
    const tclass = (old & ~tclassMask) | ((value[37] ?? 0) & tclassMask);
    p[l3] = (p[l3]! & 0xf0) | (tclass >> 4);
    p[l3 + 1] = (p[l3 + 1]! & 0x0f) | ((tclass & 0x0f) << 4);
    key?.view.setUint8(O.nw_tos, tclass);
  }
  const labelMask = readU32(mask, 32) & 0xfffff;
  if (labelMask !== 0) {
    const word = readU32(p, l3);
    const label = ((word & 0xfffff & ~labelMask) | (readU32(value, 32) & labelMask)) >>> 0;
    p[l3 + 1] = (p[l3 + 1]! & 0xf0) | (label >>> 16);
    p[l3 + 2] = (label >>> 8) & 0xff;
    p[l3 + 3] = label & 0xff;
    key?.view.setUint32(O.ipv6_label, label);
  }
  const hlimitMask = mask[38] ?? 0;
  if (hlimitMask !== 0) {
    p[l3 + 7] = (p[l3 + 7]! & ~hlimitMask) | ((value[38] ?? 0) & hlimitMask);
    key?.view.setUint8(O.nw_ttl, p[l3 + 7]!);
  }
  return true;
}

function readU32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}
