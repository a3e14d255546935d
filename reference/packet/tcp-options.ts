/**
 * TCP options (RFC 9293 section 3.2, RFC 7323, RFC 2018, RFC 7413) as
 * scapy's list of (name, value) tuples: [['MSS', 1460], ['NOP', null],
 * ['Timestamp', [1, 2]], ['SAckOK', b''], [kind, bytes] for unknown kinds].
 *
 * Invariants: encoding follows scapy's TCPOptionsField.i2m: each option is
 * kind, 2 + value length, value packed with the option's struct format;
 * the list is padded with zero bytes to a multiple of 4. Decoding keeps every
 * byte: unlike scapy, which stops at the first EOL, it goes on decoding
 * (padding after EOL becomes more EOLs) so the list re-encodes exactly. A
 * value whose length does not match its format stays bytes; a malformed area
 * (length < 2 or past the header) is kept as raw bytes with `bad-length`.
 *
 * Left out: Mood and AO structure (decoded as bytes).
 */
import type { DecodeState, FieldValue } from './layer-model.ts';
import { PacketBuildError, reportIssue } from './layer-model.ts';
import { describeValue } from './header-fields.ts';

/** Kind → [name, big-endian integer widths in bytes] (scapy's struct formats); 'n' = SAck's repeated u32. */
const FORMATS: Readonly<Record<number, readonly [string, readonly number[] | 'sack' | 'bytes' | number]>> = {
  2: ['MSS', [2]], 3: ['WScale', [1]], 4: ['SAckOK', 'bytes'], 5: ['SAck', 'sack'], 8: ['Timestamp', [4, 4]],
  14: ['AltChkSum', [1, 2]], 15: ['AltChkSumOpt', 'bytes'], 19: ['MD5', 16], 28: ['UTO', [2]], 29: ['AO', 'bytes'], 34: ['TFO', [4, 4]],
};
const KIND_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(FORMATS).map(([k, [n]]) => [n, Number(k)]));

function readUint(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

function decodeValue(b: Uint8Array, at: number, len: number, kind: number): FieldValue {
  const fmt = FORMATS[kind]?.[1];
  if (Array.isArray(fmt)) {
    const total = (fmt as readonly number[]).reduce((a, x) => a + x, 0);
    if (total === len) {
      const vals: number[] = [];
      let p = at;
      for (const size of fmt as readonly number[]) { vals.push(readUint(b, p, size)); p += size; }
      return vals.length === 1 ? (vals[0] ?? 0) : vals;
    }
  } else if (fmt === 'sack' && len % 4 === 0) {
    const vals: number[] = [];
    for (let p = at; p < at + len; p += 4) vals.push(readUint(b, p, 4));
    return vals;
  }
  return b.slice(at, at + len);
}

export function decodeTcpOptions(s: DecodeState, at: number, end: number): FieldValue {
  const b = s.bytes;
  const out: FieldValue[] = [];
  for (let p = at; p < end; ) {
    const kind = b[p] ?? 0;
    if (kind <= 1) {
      out.push([kind === 0 ? 'EOL' : 'NOP', null]);
      p += 1;
      continue;
    }
    const len = p + 1 < end ? (b[p + 1] ?? 0) : 0;
    if (len < 2 || p + len > end) {
      reportIssue(s, { kind: 'bad-length', layer: 'TCP', offsetBytes: p, field: 'options', detail: `option ${kind} has length ${len}, ${end - p} bytes left in the header` });
      return b.slice(at, end);
    }
    const name = FORMATS[kind]?.[0];
    out.push([name ?? kind, decodeValue(b, p + 2, len - 2, kind)]);
    p += len;
  }
  return out;
}

function packInts(name: string, value: FieldValue, sizes: readonly number[]): number[] {
  const vals = Array.isArray(value) ? (value as readonly FieldValue[]) : [value];
  if (vals.length !== sizes.length || !vals.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
    throw new PacketBuildError('TCP', 'options', `option ${name} needs ${sizes.length} integer(s), got ${describeValue(value)}`);
  }
  return sizes.flatMap((size, i) => {
    const v = vals[i] as number;
    if (v >= 2 ** (8 * size)) throw new PacketBuildError('TCP', 'options', `option ${name} value ${v} does not fit in ${size} byte(s)`);
    return Array.from({ length: size }, (_, j) => Math.floor(v / 2 ** (8 * (size - 1 - j))) & 0xff);
  });
}

function optionValue(name: string, kind: number, value: FieldValue): number[] {
  if (typeof value === 'string') return [...new TextEncoder().encode(value)];
  if (value instanceof Uint8Array) {
    const fmt = FORMATS[kind]?.[1];
    return typeof fmt === 'number' ? [...value.subarray(0, fmt), ...new Array<number>(Math.max(0, fmt - value.length)).fill(0)] : [...value];
  }
  if (value === null) return [];
  const fmt = FORMATS[kind]?.[1];
  if (Array.isArray(fmt)) return packInts(name, value, fmt as readonly number[]);
  if (fmt === 'sack') {
    const n = Array.isArray(value) ? (value as readonly FieldValue[]).length : 1;
    return packInts(name, value, new Array<number>(n).fill(4));
  }
  throw new PacketBuildError('TCP', 'options', `option ${name} takes bytes, got ${describeValue(value)}`);
}

function encodeOption(o: FieldValue): number[] {
  if (!Array.isArray(o) || o.length !== 2) throw new PacketBuildError('TCP', 'options', `expected [name, value], got ${describeValue(o)}`);
  const [name, value] = o as unknown as readonly [FieldValue, FieldValue];
  if (name === 'EOL' || name === 0) return [0];
  if (name === 'NOP' || name === 1) return [1];
  const kind = typeof name === 'number' ? name : typeof name === 'string' ? KIND_BY_NAME.get(name) : undefined;
  if (kind === undefined || !Number.isInteger(kind) || kind < 0 || kind > 255) {
    throw new PacketBuildError('TCP', 'options', `unknown option ${describeValue(name)} (known: EOL, NOP, ${[...KIND_BY_NAME.keys()].join(', ')})`);
  }
  if (typeof name === 'number' && !(value instanceof Uint8Array)) throw new PacketBuildError('TCP', 'options', `option ${name} given by number needs bytes`);
  const bytes = optionValue(String(name), kind, value);
  return [kind, 2 + bytes.length, ...bytes];
}

/** Encodes TCP options (a list or raw bytes), padded with zeros to a multiple of 4. */
export function encodeTcpOptions(value: FieldValue | undefined): Uint8Array {
  let bytes: number[];
  if (value === undefined || value === null) bytes = [];
  else if (value instanceof Uint8Array) bytes = [...value];
  else if (Array.isArray(value)) bytes = (value as readonly FieldValue[]).flatMap((o) => encodeOption(o));
  else throw new PacketBuildError('TCP', 'options', `expected a list of [name, value], got ${describeValue(value)}`);
  return Uint8Array.from([...bytes, ...new Array<number>((4 - (bytes.length % 4)) % 4).fill(0)]);
}
