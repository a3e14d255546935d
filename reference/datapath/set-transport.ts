/**
 * Masked rewrites of transport headers: TCP, UDP and SCTP ports as Linux
 * net/openvswitch/actions.c `set_tcp`, `set_udp`, `set_sctp` do them, and
 * ICMP/ICMPv6 type and code and the IPv6 neighbour-discovery target and
 * link-layer options, which only the userspace datapath executes
 * (lib/odp-execute.c; the kernel rejects them at flow install), with its
 * semantics.
 *
 * Checksums: TCP and ICMP/ICMPv6 incrementally; UDP incrementally unless it
 * is 0 (no checksum: the ports are written as they are), a result of 0 is
 * written 0xffff; SCTP's CRC32c is recomputed before and after over the
 * transport header to the end of the frame and the stored value becomes
 * `stored ^ before ^ after`, so a wrong checksum stays wrong (as the kernel).
 *
 * Invariant: the header must be one the kernel extractor reads (TCP with a
 * sane data offset, UDP 8, SCTP 12, ICMP 8 bytes, not in a later fragment;
 * ND needs type 135/136, code 0 and its 16-byte target), else the call
 * returns false (action-error). The key's tp_src/tp_dst follow the ports and
 * type/code; after an ICMPv6 or ND change the ND slots are re-read with the
 * extractor's own option rules, because a changed type or option can change
 * which of them the extractor keeps.
 *
 * Left out on purpose: tcp_flags (not settable), ND options other than the
 * first source/target link-layer option (the userspace datapath stops at the
 * first one too).
 */
import { FlowOffset, ND_ADVERT, ND_SOLICIT, Proto, parseIcmpv6 } from '../flow/index.ts';
import { sctpCrc32c } from '../packet/index.ts';
import type { DpPacket } from './action-host.ts';
import { adjustChecksum, adjustChecksumAt, hasMask, read16, write16, writeMasked } from './checksum-adjust.ts';
import { hasTransportHeader, type HeaderOffsets } from './packet-headers.ts';

const O = FlowOffset;

export type PortProtocol = 'tcp' | 'udp' | 'sctp';
const PORT_PROTO = { tcp: Proto.TCP, udp: Proto.UDP, sctp: Proto.SCTP } as const satisfies Record<PortProtocol, number>;

/** Applies a masked tcp/udp/sctp set (src, dst ports) to `pkt`. */
export function setPorts(pkt: DpPacket, h: HeaderOffsets, which: PortProtocol, value: Uint8Array, mask: Uint8Array): boolean {
  const p = pkt.data;
  if (!hasTransportHeader(p, h, PORT_PROTO[which])) return false;
  const l4 = h.l4;
  const crcBefore = which === 'sctp' ? sctpCrc32c(p, l4, p.length, l4 + 8) : 0;
  const checkAt = which === 'tcp' ? l4 + 16 : l4 + 6;
  const udpUnchecked = which === 'udp' && read16(p, checkAt) === 0;
  for (const at of [0, 2]) {
    if (!hasMask(mask, at, 2)) continue;
    const w = writeMasked(p, l4 + at, 2, value, mask, at);
    if (!w.changed || which === 'sctp' || udpUnchecked) continue;
    const check = adjustChecksum(read16(p, checkAt), w.oldSum, w.newSum);
    write16(p, checkAt, which === 'udp' && check === 0 ? 0xffff : check);
  }
  if (which === 'sctp') {
    const stored = readU32(p, l4 + 8);
    writeU32(p, l4 + 8, (stored ^ crcBefore ^ sctpCrc32c(p, l4, p.length, l4 + 8)) >>> 0);
  }
  if (pkt.keyValid) {
    pkt.key.view.setUint16(O.tp_src, read16(p, l4));
    pkt.key.view.setUint16(O.tp_dst, read16(p, l4 + 2));
  }
  return true;
}

/** Applies a masked icmp or icmpv6 set (type, code) to `pkt`. */
export function setIcmpTypeCode(pkt: DpPacket, h: HeaderOffsets, v6: boolean, value: Uint8Array, mask: Uint8Array): boolean {
  const p = pkt.data;
  if (!hasTransportHeader(p, h, v6 ? Proto.ICMPV6 : Proto.ICMP)) return false;
  const w = writeMasked(p, h.l4, 2, value, mask, 0);
  if (w.changed) adjustChecksumAt(p, h.l4 + 2, w.oldSum, w.newSum);
  if (v6) resyncIcmpv6Key(pkt, h);
  else if (pkt.keyValid) {
    pkt.key.view.setUint16(O.tp_src, p[h.l4]!);
    pkt.key.view.setUint16(O.tp_dst, p[h.l4 + 1]!);
  }
  return true;
}

/** Applies a masked nd set (target 16 bytes, sll 6, tll 6) to an ND solicitation or advertisement. */
export function setNd(pkt: DpPacket, h: HeaderOffsets, value: Uint8Array, mask: Uint8Array): boolean {
  const p = pkt.data;
  if (!hasTransportHeader(p, h, Proto.ICMPV6)) return false;
  const l4 = h.l4;
  const type = p[l4]!;
  if ((type !== ND_SOLICIT && type !== ND_ADVERT) || p[l4 + 1] !== 0 || p.length - l4 < 24) return false;
  if (hasMask(mask, 0, 16)) {
    const w = writeMasked(p, l4 + 8, 16, value, mask, 0);
    if (w.changed) adjustChecksumAt(p, l4 + 2, w.oldSum, w.newSum);
  }
  for (let o = l4 + 24; p.length - o >= 8 && p[o + 1] !== 0; o += p[o + 1]! * 8) {
    const optType = p[o]!;
    if ((optType !== 1 && optType !== 2) || p[o + 1] !== 1) continue;
    const w = writeMasked(p, o + 2, 6, value, mask, optType === 1 ? 16 : 22);
    if (w.changed) adjustChecksumAt(p, l4 + 2, w.oldSum, w.newSum);
    break;
  }
  resyncIcmpv6Key(pkt, h);
  return true;
}

/** Re-reads type/code and the ND slots of a valid key exactly as the kernel extractor does. */
function resyncIcmpv6Key(pkt: DpPacket, h: HeaderOffsets): void {
  if (!pkt.keyValid) return;
  const k = pkt.key;
  k.view.setUint16(O.tp_src, 0);
  k.view.setUint16(O.tp_dst, 0);
  k.bytes.fill(0, O.nd_target, O.nd_target + 16);
  k.bytes.fill(0, O.arp_sha, O.arp_sha + 6);
  k.bytes.fill(0, O.arp_tha, O.arp_tha + 6);
  parseIcmpv6(pkt.data, h.l4, pkt.data.length, k, false);
}

function readU32(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
