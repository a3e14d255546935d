/**
 * Value spellings of the OpenFlow flow text (`ovs-ofctl` / `ofproto/trace`
 * syntax): how one field value, with or without a mask, is written and read.
 *
 * What: formatters and parsers for MAC addresses, IPv4/IPv6 addresses with
 * CIDR or arbitrary masks, C-style `%#x` hex, flag sets (TCP flags,
 * conntrack state) and OpenFlow port numbers with their reserved names.
 * of-flow-format.ts and of-flow-parse.ts compose them into whole flows.
 *
 * Invariant: every parser here accepts what the matching formatter prints,
 * and parsers return `null` (or an error string) on bad text, never throw.
 *
 * Spellings follow Open vSwitch 3.1: lib/packets.c (eth/ip/ipv6 masked
 * formats; IPv6 text is glibc inet_ntop, RFC 5952 style with the embedded
 * IPv4 forms), lib/flow.c (format_flags / format_flags_masked), lib/ofp-port.c
 * (reserved port names). Left out on purpose: host-name lookup for IPv4
 * values and port names from a bridge's port map.
 */

/** C printf `%#x`: `0` for zero, `0x…` otherwise. */
export function hexAlt(value: number | bigint): string {
  return value === 0 || value === 0n ? '0' : `0x${value.toString(16)}`;
}

/** MAC and IPv6 text: the packet library's printers (glibc inet_ntop style). */
export { formatIpv6, formatMac } from '../packet/index.ts';
import { formatIpv6, formatMac } from '../packet/index.ts';

/** Dotted quad of a host-order u32. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Number of leading one bits when `mask` is a CIDR mask (ones then zeros), else -1. */
export function cidrBits32(mask: number): number {
  const m = mask >>> 0;
  const inv = ~m >>> 0;
  if ((inv & (inv + 1)) !== 0) return -1;
  return 32 - (inv === 0 ? 0 : 32 - Math.clz32(inv));
}

/** `a.b.c.d`, `a.b.c.d/N` (CIDR mask) or `a.b.c.d/m.m.m.m`, as ip_format_masked. */
export function formatIpv4Masked(value: number, mask: number): string {
  const text = formatIpv4(value);
  if (mask >>> 0 === 0xffffffff) return text;
  const bits = cidrBits32(mask);
  return bits >= 0 ? `${text}/${bits}` : `${text}/${formatIpv4(mask)}`;
}



/** Leading one bits when the 16-byte mask at `at` is CIDR, else -1. */
export function cidrBits128(mask: Uint8Array, at = 0): number {
  let bits = 0;
  let i = 0;
  for (; i < 16 && mask[at + i] === 0xff; i++) bits += 8;
  if (i < 16) {
    const b = mask[at + i] ?? 0;
    const n = Math.clz32(~(b << 24) >>> 0);
    if (((b << n) & 0xff) !== 0) return -1;
    bits += n;
    for (i++; i < 16; i++) if (mask[at + i] !== 0) return -1;
  }
  return bits;
}

/** IPv6 address, then `/N` or `/mask` unless the mask is exact (ipv6_format_masked). */
export function formatIpv6Masked(value: Uint8Array, vAt: number, mask: Uint8Array, mAt: number): string {
  const text = formatIpv6(value, vAt);
  const bits = cidrBits128(mask, mAt);
  if (bits === 128) return text;
  return bits >= 0 ? `${text}/${bits}` : `${text}/${formatIpv6(mask, mAt)}`;
}

/** MAC address, then `/mask` unless the mask is exact (eth_format_masked). */
export function formatMacMasked(value: Uint8Array, vAt: number, mask: Uint8Array, mAt: number): string {
  const text = formatMac(value, vAt);
  let exact = true;
  for (let i = 0; i < 6; i++) if (mask[mAt + i] !== 0xff) exact = false;
  return exact ? text : `${text}/${formatMac(mask, mAt)}`;
}

/** TCP flag names by bit (packet_tcp_flag_to_string), low bit first. */
export const TCP_FLAG_NAMES: ReadonlyMap<number, string> = new Map([
  [0x001, 'fin'], [0x002, 'syn'], [0x004, 'rst'], [0x008, 'psh'], [0x010, 'ack'], [0x020, 'urg'],
  [0x040, 'ece'], [0x080, 'cwr'], [0x100, 'ns'], [0x200, '[200]'], [0x400, '[400]'], [0x800, '[800]'],
]);
export const TCP_FLAGS_MASK = 0x0fff;

/** Conntrack state names by bit (CS_STATES). */
export const CT_STATE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'new'], [0x02, 'est'], [0x04, 'rel'], [0x08, 'rpl'], [0x10, 'inv'], [0x20, 'trk'], [0x40, 'snat'], [0x80, 'dnat'],
]);
export const CT_STATE_MASK = 0xff;

/** `a|b|c` (lowest bit first; unnamed bits gathered into one trailing hex value); `0` when empty. */
export function formatFlags(flags: number, names: ReadonlyMap<number, string>): string {
  if (flags === 0) return '0';
  const parts: string[] = [];
  let bad = 0;
  for (let rest = flags >>> 0; rest !== 0; ) {
    const bit = (rest & -rest) >>> 0;
    const name = names.get(bit);
    if (name === undefined) bad |= bit;
    else parts.push(name);
    rest = (rest & ~bit) >>> 0;
  }
  if (bad !== 0) parts.push(`0x${(bad >>> 0).toString(16)}`);
  return parts.join('|');
}

/** Flags under a mask: the plain list for a full mask, else `+name-name…` per masked bit (format_flags_masked). */
export function formatFlagsMasked(flags: number, mask: number, fullMask: number, names: ReadonlyMap<number, string>): string {
  if (mask === fullMask) return formatFlags(flags, names);
  if (mask === 0) return '0/0';
  let out = '';
  for (let rest = mask >>> 0; rest !== 0; ) {
    const bit = (rest & -rest) >>> 0;
    out += `${(flags & bit) !== 0 ? '+' : '-'}${names.get(bit) ?? '[Unknown]'}`;
    rest = (rest & ~bit) >>> 0;
  }
  return out;
}

/** Reserved OpenFlow 1.0 port numbers and their names (lib/ofp-port.c). */
export const OfPort = {
  UNSET: 0xfff7,
  IN_PORT: 0xfff8,
  TABLE: 0xfff9,
  NORMAL: 0xfffa,
  FLOOD: 0xfffb,
  ALL: 0xfffc,
  CONTROLLER: 0xfffd,
  LOCAL: 0xfffe,
  ANY: 0xffff,
} as const;
export type OfPortName = keyof typeof OfPort;

const PORT_NAME_BY_NUMBER: ReadonlyMap<number, string> = new Map(Object.entries(OfPort).map(([n, v]) => [v, n]));

/** Reserved name (`LOCAL`, …) or the decimal number. */
export function formatOfPort(port: number): string {
  return PORT_NAME_BY_NUMBER.get(port) ?? String(port >>> 0);
}

/** Port number from decimal or a reserved name (case-insensitive; `NONE` means ANY), or null. */
export function parseOfPort(text: string): number | null {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    return n <= 0xffff ? n : null;
  }
  const upper = text.toUpperCase();
  if (upper === 'NONE') return OfPort.ANY;
  return Object.hasOwn(OfPort, upper) ? OfPort[upper as OfPortName] : null;
}

/** Unsigned integer in decimal or `0x` hex (ovs-fields(7) integer syntax), as a bigint; null if malformed. */
export function parseUnsigned(text: string): bigint | null {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return BigInt(text);
  if (/^[0-9]+$/.test(text)) return BigInt(text);
  return null;
}

/** Six bytes from `xx:xx:xx:xx:xx:xx` (one or two hex digits per byte), or null. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(':');
  if (parts.length !== 6) return null;
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) {
    const p = parts[i] ?? '';
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return null;
    out[i] = parseInt(p, 16);
  }
  return out;
}

/** Host-order u32 from a dotted quad, or null. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    v = v * 256 + Number(p);
  }
  return v >>> 0;
}

/** CIDR prefix length as a host-order u32 mask. */
export function ipv4MaskOfBits(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function parseHexGroups(text: string): number[] | null {
  if (text === '') return [];
  const out: number[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** Sixteen bytes from IPv6 text (with `::` and an optional trailing dotted quad), or null. */
export function parseIpv6(text: string): Uint8Array | null {
  let body = text;
  if (body.includes('.')) {
    const cut = body.lastIndexOf(':');
    const v4 = parseIpv4(body.slice(cut + 1));
    if (cut < 0 || v4 === null) return null;
    body = `${body.slice(0, cut + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const head = parseHexGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseHexGroups(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const given = head.length + rest.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 255;
  });
  return out;
}

/** Sixteen-byte mask with the first `bits` bits set. */
export function ipv6MaskOfBits(bits: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const n = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = (0xff00 >> n) & 0xff;
  }
  return out;
}

/** Flag set from `a|b` names (or a number); null on an unknown name. */
export function parseFlagList(text: string, names: ReadonlyMap<number, string>): number | null {
  const n = parseUnsigned(text);
  if (n !== null) return n <= 0xffffffffn ? Number(n) : null;
  let v = 0;
  for (const part of text.split('|')) {
    const bit = [...names].find(([, name]) => name === part)?.[0];
    if (bit === undefined) return null;
    v |= bit;
  }
  return v >>> 0;
}

/** `+name-name…` into value and mask; null on an unknown name or stray text. */
export function parseFlagsPlusMinus(text: string, names: ReadonlyMap<number, string>): { value: number; mask: number } | null {
  let value = 0;
  let mask = 0;
  const re = /([+-])([a-z0-9[\]]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    const bit = [...names].find(([, name]) => name === m![2])?.[0];
    if (bit === undefined) return null;
    mask |= bit;
    if (m[1] === '+') value |= bit;
    end = re.lastIndex;
  }
  return end === text.length && text.length > 0 ? { value: value >>> 0, mask: mask >>> 0 } : null;
}
