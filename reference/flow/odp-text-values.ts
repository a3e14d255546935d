/**
 * Printers for the value syntaxes of the datapath-flow text format: C's
 * `%#x`, dotted IPv4 (IP_FMT), MAC (ETH_ADDR_FMT), IPv6 as glibc's
 * inet_ntop prints it, and the 128-bit hex of ds_put_hex().
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

export function formatIpv4(b: Uint8Array, offset: number): string {
  return `${b[offset] ?? 0}.${b[offset + 1] ?? 0}.${b[offset + 2] ?? 0}.${b[offset + 3] ?? 0}`;
}

export function formatMac(b: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (b[offset + i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

export function formatIpv6(b: Uint8Array, offset: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(((b[offset + 2 * i] ?? 0) << 8) | (b[offset + 2 * i + 1] ?? 0));
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += formatIpv4(b, offset + 12);
      break;
    }
    s += (w[i] ?? 0).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

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
