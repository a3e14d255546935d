/**
 * Declarative fixed-size headers: a header is a list of fields (name, width
 * in bits, kind, default, computed), and one generic decoder and encoder work
 * from that list, as scapy's `fields_desc` does.
 *
 * Invariants: a header's widths add up to whole bytes; integer fields are at
 * most 32 bits wide and may sit at any bit position (Dot1Q's 3/1/12 split,
 * IPv6's 4/8/20); `decodeHeader` reads only `[at, at + bytes)` and the caller
 * checks that those bytes exist first. Computed fields that the spec leaves
 * unset (or null) are written as 0 for the codec's `finish` step to fill.
 *
 * Value forms follow scapy: a flags field takes a number or scapy's flag
 * string ('SA' for TCP, 'MF+DF' for IP); an enum field takes a number or one
 * of its names ('echo-request'). Decoded values are always numbers.
 *
 * Left out on purpose: variable parts (options, extension headers, lists),
 * which protocol files write by hand with the same signature.
 */
import type { FieldInfo, FieldValue } from './layer-model.ts';
import { PacketBuildError } from './layer-model.ts';
import { formatIpv4, formatIpv6, formatMac, parseIpv4, parseIpv6, parseMac } from './field-values.ts';

export type FieldKind = 'uint' | 'flags' | 'mac' | 'ipv4' | 'ipv6';

export interface FieldDef {
  readonly name: string;
  readonly bits: number;
  readonly kind: FieldKind;
  readonly default: FieldValue;
  /** Filled by the codec (length, checksum, next protocol) unless the spec sets it. */
  readonly computed?: boolean;
  /** Names accepted on input for an enum field. */
  readonly names?: Readonly<Record<string, number>>;
  /** Flag names, least significant bit first. */
  readonly flags?: readonly string[];
}

interface PlacedField extends FieldDef {
  readonly bitOffset: number;
  /** Precomputed read plan: first byte, bytes spanned (<= 4), right shift after reading them, mask. */
  readonly byte: number;
  readonly span: number;
  readonly drop: number;
  readonly mask: number;
}

export interface Header {
  readonly fields: readonly PlacedField[];
  readonly bytes: number;
  readonly describe: readonly FieldInfo[];
}

export function defineHeader(fields: readonly FieldDef[]): Header {
  let bit = 0;
  const placed: PlacedField[] = [];
  for (const f of fields) {
    const shift = bit & 7;
    const span = (shift + f.bits + 7) >> 3;
    const isInt = f.kind === 'uint' || f.kind === 'flags';
    if (isInt && (f.bits > 32 || span > 4)) throw new Error(`field ${f.name}: ${f.bits} bits at bit ${bit} spans more than 4 bytes`);
    placed.push({ ...f, bitOffset: bit, byte: bit >> 3, span, drop: span * 8 - shift - f.bits, mask: f.bits >= 32 ? 0xffffffff : 2 ** f.bits - 1 });
    bit += f.bits;
  }
  if (bit % 8 !== 0) throw new Error(`header fields add up to ${bit} bits, not whole bytes`);
  return { fields: placed, bytes: bit / 8, describe: describeFields(fields) };
}

export function describeFields(fields: readonly FieldDef[]): FieldInfo[] {
  return fields.map((f) => ({ name: f.name, kind: f.computed === true ? `${f.kind} (computed)` : f.kind, default: f.default }));
}

/** Reads an unsigned field of `bits` (<= 32) starting `bitOffset` bits after byte `at`. */
export function getBits(view: DataView, at: number, bitOffset: number, bits: number): number {
  const byte = at + (bitOffset >> 3);
  const shift = bitOffset & 7;
  if (shift === 0) {
    if (bits === 8) return view.getUint8(byte);
    if (bits === 16) return view.getUint16(byte);
    if (bits === 32) return view.getUint32(byte);
  }
  const span = (shift + bits + 7) >> 3;
  let v = 0;
  for (let i = 0; i < span; i++) v = v * 256 + view.getUint8(byte + i);
  const drop = span * 8 - shift - bits;
  return Math.floor(v / 2 ** drop) % 2 ** bits;
}

function setBits(buf: Uint8Array, bitOffset: number, bits: number, value: number): void {
  if ((bitOffset & 7) === 0 && (bits & 7) === 0) {
    for (let i = (bits >> 3) - 1, p = bitOffset >> 3; i >= 0; i--, p++) buf[p] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    return;
  }
  for (let i = 0; i < bits; i++) {
    const bit = Math.floor(value / 2 ** (bits - 1 - i)) & 1;
    const pos = bitOffset + i;
    const idx = pos >> 3;
    const mask = 0x80 >> (pos & 7);
    buf[idx] = bit === 1 ? (buf[idx] ?? 0) | mask : (buf[idx] ?? 0) & ~mask;
  }
}

/** Reads a precompiled integer field. */
function readField(view: DataView, at: number, f: PlacedField): number {
  const p = at + f.byte;
  switch (f.span) {
    case 1: return (view.getUint8(p) >>> f.drop) & f.mask;
    case 2: return (view.getUint16(p) >>> f.drop) & f.mask;
    case 3: return (((view.getUint16(p) << 8) | view.getUint8(p + 2)) >>> f.drop) & f.mask;
    default: return f.drop === 0 && f.bits === 32 ? view.getUint32(p) : ((view.getUint32(p) >>> f.drop) & f.mask) >>> 0;
  }
}

/** Decodes every field of `h` at `at` into `out` (caller checked the bytes exist). */
export function decodeHeader(h: Header, bytes: Uint8Array, view: DataView, at: number, out: Record<string, FieldValue>): void {
  const fields = h.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as PlacedField;
    switch (f.kind) {
      case 'mac': out[f.name] = formatMac(bytes, at + f.byte); break;
      case 'ipv4': out[f.name] = formatIpv4(bytes, at + f.byte); break;
      case 'ipv6': out[f.name] = formatIpv6(bytes, at + f.byte); break;
      default: out[f.name] = readField(view, at, f);
    }
  }
}

/** Parses a flags value: a number, or scapy's flag string. */
function parseFlags(layer: string, f: FieldDef, text: string): number {
  const names = f.flags ?? [];
  const isLetters = names.every((n) => n.length === 1);
  const parts = isLetters ? [...text] : text.split('+').filter((p) => p !== '');
  let v = 0;
  for (const p of parts) {
    const i = names.indexOf(p);
    if (i < 0) throw new PacketBuildError(layer, f.name, `unknown flag '${p}' in '${text}' (flags: ${names.join(', ')})`);
    v |= 1 << i;
  }
  return v;
}

/** Converts a spec value for an integer field (number, enum name or flag string) to a number in range. */
export function toUint(layer: string, f: FieldDef, value: FieldValue): number {
  let v: number;
  if (typeof value === 'number') v = value;
  else if (typeof value === 'string' && f.kind === 'flags') v = parseFlags(layer, f, value);
  else if (typeof value === 'string' && f.names !== undefined && f.names[value] !== undefined) v = f.names[value];
  else throw new PacketBuildError(layer, f.name, `expected a number${f.names ? ' or a name' : ''}, got ${JSON.stringify(describeValue(value))}`);
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** f.bits) {
    throw new PacketBuildError(layer, f.name, `value ${v} does not fit in ${f.bits} bits`);
  }
  return v;
}

export function describeValue(value: FieldValue): string {
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return `${(value as { call: string }).call}(...)`;
  return String(value);
}

/** Converts an address spec value to its bytes. */
export function toAddress(layer: string, name: string, kind: 'mac' | 'ipv4' | 'ipv6', value: FieldValue): Uint8Array {
  const size = kind === 'mac' ? 6 : kind === 'ipv4' ? 4 : 16;
  if (value instanceof Uint8Array && value.length === size) return value;
  if (typeof value === 'string') {
    const b = kind === 'mac' ? parseMac(value) : kind === 'ipv4' ? parseIpv4(value) : parseIpv6(value);
    if (b !== null) return b;
  }
  throw new PacketBuildError(layer, name, `expected ${kind === 'mac' ? 'a MAC address' : kind === 'ipv4' ? 'an IPv4 address' : 'an IPv6 address'}, got '${describeValue(value)}'`);
}

/** True when a computed field is left for the codec to fill. */
export function isUnset(v: FieldValue | undefined): v is null | undefined {
  return v === undefined || v === null;
}

/** Writes header `h` from `fields` (defaults for missing ones, 0 for unset computed ones). */
export function encodeHeader(h: Header, layer: string, w: { bytes(b: Uint8Array): unknown }, fields: Readonly<Record<string, FieldValue>>): void {
  const buf = new Uint8Array(h.bytes);
  for (const f of h.fields) {
    const given = fields[f.name];
    const value = given === undefined || (given === null && f.computed === true) ? (f.computed === true ? null : f.default) : given;
    const byte = f.bitOffset >> 3;
    if (f.kind === 'mac' || f.kind === 'ipv4' || f.kind === 'ipv6') {
      buf.set(toAddress(layer, f.name, f.kind, value), byte);
    } else if (value !== null) {
      setBits(buf, f.bitOffset, f.bits, toUint(layer, f, value));
    }
  }
  w.bytes(buf);
}

/** Throws when `fields` names a field the layer does not have. */
export function checkFieldNames(layer: string, known: readonly FieldInfo[], fields: Readonly<Record<string, FieldValue>>): void {
  for (const k of Object.keys(fields)) {
    if (!known.some((f) => f.name === k)) {
      throw new PacketBuildError(layer, k, `unknown field (fields of ${layer}: ${known.map((f) => f.name).join(', ')})`);
    }
  }
}
