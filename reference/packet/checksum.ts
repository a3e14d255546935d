/**
 * Checksums: the Internet checksum (RFC 1071) over byte ranges, with the
 * IPv4 (RFC 793/768) and IPv6 (RFC 8200 section 8.1) pseudo-headers, and
 * SCTP's CRC32c (RFC 9260 appendix A, reflected Castagnoli polynomial).
 *
 * Invariant: functions read only the ranges they are given (callers pass
 * ranges inside the buffer) and never allocate per call.
 *
 * Left out: incremental checksum updates (RFC 1624), which the datapath's
 * set-field actions will need and will add beside these.
 */
import type { L3Context } from './layer-model.ts';

/** Adds the 16-bit big-endian words of `[from, to)` to `sum` (odd length padded with zero). */
export function sumWords(b: Uint8Array, from: number, to: number, sum = 0): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  if (i < to) sum += (b[i] ?? 0) << 8;
  return sum;
}

/** Folds a 32-bit-ish sum to 16 bits and complements it. */
export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** Internet checksum of `[from, to)`. A range whose checksum field is right sums to 0. */
export function internetChecksum(b: Uint8Array, from: number, to: number): number {
  return foldChecksum(sumWords(b, from, to));
}

/** Sum of the pseudo-header for an upper-layer packet of `length` bytes and protocol `proto`. */
export function pseudoHeaderSum(b: Uint8Array, l3: L3Context, proto: number, length: number): number {
  const addrBytes = l3.version === 4 ? 4 : 16;
  let sum = sumWords(b, l3.srcAt, l3.srcAt + addrBytes);
  sum = sumWords(b, l3.dstAt, l3.dstAt + addrBytes, sum);
  return sum + proto + (length & 0xffff) + Math.floor(length / 0x10000);
}

/** Checksum of an upper-layer packet `[from, to)` with its pseudo-header. */
export function upperLayerChecksum(b: Uint8Array, l3: L3Context, proto: number, from: number, to: number): number {
  return foldChecksum(sumWords(b, from, to, pseudoHeaderSum(b, l3, proto, l3.upperLength ?? to - from)));
}

const CRC32C_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * SCTP's CRC32c over `[from, to)` with the 4 checksum bytes at `checksumAt`
 * taken as zero. The result is the value as SCTP stores it on the wire when
 * written big-endian (scapy and Linux both store the reflected CRC
 * byte-swapped, i.e. little-endian, which this returns already swapped).
 */
export function sctpCrc32c(b: Uint8Array, from: number, to: number, checksumAt: number): number {
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) {
    const byte = i >= checksumAt && i < checksumAt + 4 ? 0 : (b[i] ?? 0);
    crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  crc = ~crc >>> 0;
  return (((crc & 0xff) << 24) | ((crc & 0xff00) << 8) | ((crc >>> 8) & 0xff00) | (crc >>> 24)) >>> 0;
}
