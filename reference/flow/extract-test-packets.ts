/**
 * Test support for the extractor tests: a tiny byte-level packet builder
 * (headers per RFC 791, 8200, 793, 768, 4960, 792, 4443, 4861, 826, 3032 and
 * IEEE 802.1Q / 802.2) that can also build broken packets on purpose, plus a
 * pcap writer so the same packets can be handed to `ovs-ofctl parse-pcap`.
 *
 * Invariant: builders compute nothing the caller did not ask for except
 * length fields, and those can be overridden; checksums are left zero
 * (neither extractor reads them).
 *
 * Not a codec: reference/packet has the real encoders. This exists so the
 * flow tests do not depend on another helper's work in progress.
 */

export type Bytes = readonly number[];

export function hex(s: string): number[] {
  const clean = s.replace(/[\s:.-]/g, '');
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 2) out.push(parseInt(clean.slice(i, i + 2), 16));
  return out;
}

export const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
export const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const ip4 = (s: string): number[] => s.split('.').map(Number);
export const mac = (s: string): number[] => hex(s);

export const MAC_A = '00:00:00:00:00:01';
export const MAC_B = '00:00:00:00:00:02';

/** Ethernet II header; `tags` are [tpid, tci] pairs placed before the type. */
export function eth(type: number, payload: Bytes, tags: ReadonlyArray<readonly [number, number]> = [], dst = MAC_B, src = MAC_A): number[] {
  const t = tags.flatMap(([tpid, tci]) => [...be16(tpid), ...be16(tci)]);
  return [...mac(dst), ...mac(src), ...t, ...be16(type), ...payload];
}

/** 802.3 frame with a length field, then `llc` bytes and payload. */
export function eth8023(llc: Bytes, payload: Bytes): number[] {
  return [...mac(MAC_B), ...mac(MAC_A), ...be16(llc.length + payload.length), ...llc, ...payload];
}

export interface Ipv4Opts {
  proto: number; src?: string; dst?: string; tos?: number; ttl?: number;
  /** flags+offset word (MF = 0x2000). */
  fragWord?: number; ihl?: number; totLen?: number; options?: Bytes;
}

export function ipv4(o: Ipv4Opts, payload: Bytes): number[] {
  const opts = o.options ?? [];
  const ihl = o.ihl ?? 5 + opts.length / 4;
  const tot = o.totLen ?? 20 + opts.length + payload.length;
  return [0x40 | (ihl & 0x0f), o.tos ?? 0, ...be16(tot), 0, 1, ...be16(o.fragWord ?? 0), o.ttl ?? 64, o.proto, 0, 0,
    ...ip4(o.src ?? '10.0.0.1'), ...ip4(o.dst ?? '10.0.0.2'), ...opts, ...payload];
}

export interface Ipv6Opts { nh: number; tc?: number; label?: number; hlim?: number; plen?: number; src?: string; dst?: string }

export function ipv6(o: Ipv6Opts, payload: Bytes): number[] {
  const first = ((6 << 28) | ((o.tc ?? 0) << 20) | (o.label ?? 0)) >>> 0;
  return [...be32(first), ...be16(o.plen ?? payload.length), o.nh, o.hlim ?? 64,
    ...hex(o.src ?? '20010db8000000000000000000000001'), ...hex(o.dst ?? '20010db8000000000000000000000002'), ...payload];
}

/** Generic extension header (hop-by-hop, routing, dest options): `len8` units of 8 bytes beyond the first 8. */
export function ext(next: number, len8 = 0): number[] {
  return [next, len8, ...new Array<number>(6 + len8 * 8).fill(0)];
}

export function frag6(next: number, offsetWord: number): number[] {
  return [next, 0, ...be16(offsetWord), 0, 0, 0, 7];
}

export function tcp(sport: number, dport: number, flags: number, doff = 5, extra: Bytes = []): number[] {
  return [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, (doff << 4) | ((flags >> 8) & 0x0f), flags & 0xff, 0xff, 0xff, 0, 0, 0, 0, ...extra];
}

export const udp = (sport: number, dport: number, payload: Bytes = []): number[] => [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
export const sctp = (sport: number, dport: number): number[] => [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0];
export const icmp = (type: number, code: number): number[] => [type, code, 0, 0, 0, 1, 0, 1];
export const igmp = (type: number, group: string): number[] => [type, 0, 0, 0, ...ip4(group)];

/** ICMPv6 neighbour solicitation (135) or advertisement (136) with options. */
export function nd(type: number, target: string, options: Bytes = [], code = 0): number[] {
  return [type, code, 0, 0, type === 136 ? 0x60 : 0, 0, 0, 0, ...hex(target), ...options];
}

export const ndOpt = (type: number, m: string, lenUnits = 1): number[] => [type, lenUnits, ...mac(m), ...new Array<number>(Math.max(0, lenUnits * 8 - 8)).fill(0)];

export function arp(op: number, sha = MAC_A, spa = '10.0.0.1', tha = '00:00:00:00:00:00', tpa = '10.0.0.2', hrd = 1, pro = 0x0800, hln = 6, pln = 4): number[] {
  return [...be16(hrd), ...be16(pro), hln, pln, ...be16(op), ...mac(sha), ...ip4(spa), ...mac(tha), ...ip4(tpa)];
}

export const mpls = (label: number, tc: number, bos: boolean, ttl: number): number[] => be32(((label << 12) | (tc << 9) | (bos ? 0x100 : 0) | ttl) >>> 0);

/** A classic pcap file (LINKTYPE_ETHERNET) holding `packets`. */
export function pcapFile(packets: readonly Bytes[]): Uint8Array {
  const parts: number[] = [];
  const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  parts.push(...le32(0xa1b2c3d4), 2, 0, 4, 0, ...le32(0), ...le32(0), ...le32(65535), ...le32(1));
  packets.forEach((pkt, i) => parts.push(...le32(i), ...le32(0), ...le32(pkt.length), ...le32(pkt.length), ...pkt));
  return Uint8Array.from(parts);
}
