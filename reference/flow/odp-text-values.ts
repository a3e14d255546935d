/**
 * Printers for the value syntaxes of the datapath-flow text format: C's
 * `%#x`, dotted IPv4 (IP_FMT), MAC (ETH_ADDR_FMT), IPv6 as glibc's
 * inet_ntop prints it (the packet library's printers, re-exported), and the
 * 128-bit hex of ds_put_hex().
 *
 * Invariant: pure functions of their bytes; they read only the bytes named by
 * offset and width.
 *
 * Spec: RFC 5952 section 4 for IPv6 text, with glibc's choices (a lone zero
 * group is not compressed; `::a.b.c.d` and `::ffff:a.b.c.d` print the IPv4
 * tail in dotted form).
 */

/** C printf `%#x`: `0` for zero, `0x…` otherwise. */
export function hexAlt(v: number): string {
  return v === 0 ? '0' : '0x' + v.toString(16);
}

export { formatIpv4, formatIpv6, formatMac } from '../packet/index.ts';

/** ds_put_hex(): `0x` and the bytes without leading zero bytes, or `0`. */
export function formatHexBytes(b: Uint8Array, offset = 0, length = b.length - offset): string {
  let s = '';
  for (let i = offset; i < offset + length; i++) {
    const v = b[i] ?? 0;
    if (s) s += v.toString(16).padStart(2, '0');
    else if (v) s = '0x' + v.toString(16);
  }
  return s || '0';
}

/** Lower-case hex of every byte (userdata(...) syntax). */
export function formatHexPlain(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
