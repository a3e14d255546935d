/**
 * Text forms of addresses, as scapy writes them: MAC 'aa:bb:cc:dd:ee:ff'
 * (lowercase), IPv4 dotted quad, IPv6 text (RFC 4291 section 2.2 in,
 * RFC 5952 compressed form out).
 *
 * Invariant: formatters read exactly the bytes named and never throw for
 * in-range offsets; parsers return null for text that is not an address
 * (callers turn that into a PacketBuildError naming the field).
 *
 * Left out: IPv6 zone ids ('%eth0') and hostnames, which scapy resolves.
 */

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatMac(b: Uint8Array, at = 0): string {
  return `${HEX2[b[at] ?? 0]}:${HEX2[b[at + 1] ?? 0]}:${HEX2[b[at + 2] ?? 0]}:${HEX2[b[at + 3] ?? 0]}:${HEX2[b[at + 4] ?? 0]}:${HEX2[b[at + 5] ?? 0]}`;
}

export function formatIpv4(b: Uint8Array, at = 0): string {
  return `${b[at] ?? 0}.${b[at + 1] ?? 0}.${b[at + 2] ?? 0}.${b[at + 3] ?? 0}`;
}

/**
 * IPv6 text as glibc's inet_ntop writes it — and so scapy, tcpdump and Open
 * vSwitch: lowercase hex without leading zeros, the first longest run of two
 * or more zero groups as `::` (a lone zero group stays `0`), and the last 32
 * bits in dotted form for IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
 * (`::a.b.c.d`) addresses. RFC 5952 differs only in that last case.
 */
const groups = new Uint16Array(8);

export function formatIpv6(b: Uint8Array, at = 0): string {
  const g = groups;
  for (let i = 0; i < 8; i++) g[i] = ((b[at + 2 * i] ?? 0) << 8) | (b[at + 2 * i + 1] ?? 0);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  if (bestAt === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    return (bestLen === 6 ? '::' : '::ffff:') + formatIpv4(b, at + 12);
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += (g[i] ?? 0).toString(16);
  }
  return out;
}

export function parseMac(text: string): Uint8Array | null {
  const m = /^([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})[:-]([0-9a-fA-F]{1,2})$/.exec(text);
  if (m === null) return null;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(m[i + 1] ?? '0', 16);
  return out;
}

export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const out: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === null) return null;
      out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      out.push(parseInt(p, 16));
    }
  }
  return out;
}

export function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((v, i) => { out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}
