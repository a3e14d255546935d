/**
 * IPv4 options (RFC 791 section 3.1) as scapy's option classes:
 * IPOption_EOL, IPOption_NOP, IPOption_RR / IPOption_LSRR / IPOption_SSRR
 * (pointer + route list), IPOption_Router_Alert (RFC 2113), and the generic
 * IPOption(option, length, value) for every other option number.
 *
 * Invariant: decoding keeps every byte: a well-formed option area becomes a
 * list of `{ call, args }` that encodes back to the same bytes; a malformed
 * one (length < 2 or past the header) is kept as raw bytes plus a
 * `bad-length` issue. Encoding accepts either form; the IP codec pads the
 * area to a multiple of 4 with zeros, as scapy does.
 *
 * Left out: IPOption_Timestamp, Security and the rest of scapy's named
 * option classes (they decode as the generic IPOption).
 */
import type { DecodeState, FieldValue } from './layer-model.ts';
import { PacketBuildError, reportIssue } from './layer-model.ts';
import { formatIpv4 } from './field-values.ts';
import { toAddress, describeValue } from './header-fields.ts';

type Call = { readonly call: string; readonly args: Readonly<Record<string, FieldValue>> };

const ROUTE_OPTIONS: Readonly<Record<number, string>> = { 7: 'IPOption_RR', 3: 'IPOption_LSRR', 9: 'IPOption_SSRR' };
/** Option number (low 5 bits) and copy flag scapy gives each class by default. */
const CLASS_DEFAULTS: Readonly<Record<string, { option: number; copy: number }>> = {
  IPOption_EOL: { option: 0, copy: 0 }, IPOption_NOP: { option: 1, copy: 0 },
  IPOption_RR: { option: 7, copy: 0 }, IPOption_LSRR: { option: 3, copy: 1 }, IPOption_SSRR: { option: 9, copy: 1 },
  IPOption_Router_Alert: { option: 20, copy: 1 }, IPOption: { option: 0, copy: 0 },
};

function head(t: number): Record<string, FieldValue> {
  return { copy_flag: t >> 7, optclass: (t >> 5) & 3, option: t & 31 };
}

function decodeOne(b: Uint8Array, at: number, t: number, len: number): Call {
  const num = t & 31;
  const route = ROUTE_OPTIONS[num];
  if (route !== undefined && len >= 3 && (len - 3) % 4 === 0) {
    const routers: string[] = [];
    for (let p = at + 3; p < at + len; p += 4) routers.push(formatIpv4(b, p));
    return { call: route, args: { ...head(t), length: len, pointer: b[at + 2] ?? 0, routers } };
  }
  if (num === 20 && len === 4) {
    return { call: 'IPOption_Router_Alert', args: { ...head(t), length: len, alert: ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0) } };
  }
  return { call: 'IPOption', args: { ...head(t), length: len, value: b.slice(at + 2, at + len) } };
}

/**
 * Offset of the last address of the one LSRR/SSRR option in `[at, end)`, the
 * destination the transport pseudo-header uses (RFC 9293 section 3.1, as
 * scapy); -1 when there is none, or more than one.
 */
export function sourceRouteDstAt(b: Uint8Array, at: number, end: number): number {
  let found = -1;
  let count = 0;
  for (let p = at; p < end; ) {
    const t = b[p] ?? 0;
    if (t === 0 || t === 1) { p += 1; continue; }
    const len = b[p + 1] ?? 0;
    if (len < 2 || p + len > end) break;
    const num = t & 31;
    if (num === 3 || num === 9) {
      count++;
      found = len >= 7 ? p + len - 4 : -1;
    }
    p += len;
  }
  return count === 1 ? found : -1;
}

/** Decodes the option area `[at, end)` of an IPv4 header. */
export function decodeIpOptions(s: DecodeState, at: number, end: number): FieldValue {
  const b = s.bytes;
  const out: Call[] = [];
  let p = at;
  while (p < end) {
    const t = b[p] ?? 0;
    const num = t & 31;
    if (t === 0 || t === 1) {
      out.push({ call: t === 0 ? 'IPOption_EOL' : 'IPOption_NOP', args: head(t) });
      p += 1;
      continue;
    }
    const len = p + 1 < end ? (b[p + 1] ?? 0) : 0;
    if (len < 2 || p + len > end) {
      reportIssue(s, { kind: 'bad-length', layer: 'IP', offsetBytes: p, field: 'options', detail: `option ${num} has length ${len}, ${end - p} bytes left in the header` });
      return b.slice(at, end);
    }
    out.push(decodeOne(b, p, t, len));
    p += len;
  }
  return out;
}

function argNumber(call: string, args: Readonly<Record<string, FieldValue>>, name: string, dflt: number, max: number): number {
  const v = args[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new PacketBuildError('IP', 'options', `${call}(${name}=${describeValue(v)}) is not an integer in 0..${max}`);
  }
  return v;
}

function encodeOne(o: FieldValue): number[] {
  if (typeof o !== 'object' || o === null || o instanceof Uint8Array || Array.isArray(o)) {
    throw new PacketBuildError('IP', 'options', `expected an IPOption_*() constructor, got ${describeValue(o)}`);
  }
  const { call, args } = o as Call;
  const d = CLASS_DEFAULTS[call];
  if (d === undefined) throw new PacketBuildError('IP', 'options', `unsupported option class ${call} (supported: ${Object.keys(CLASS_DEFAULTS).join(', ')})`);
  const type = (argNumber(call, args, 'copy_flag', d.copy, 1) << 7) | (argNumber(call, args, 'optclass', 0, 3) << 5) | argNumber(call, args, 'option', d.option, 31);
  if (call === 'IPOption_EOL' || call === 'IPOption_NOP') return [type];
  let body: number[];
  if (call === 'IPOption_Router_Alert') {
    const alert = argNumber(call, args, 'alert', 0, 0xffff);
    body = [argNumber(call, args, 'length', 4, 255), alert >> 8, alert & 0xff];
    return [type, ...body];
  }
  if (call === 'IPOption') {
    const value = args['value'] ?? new Uint8Array(0);
    if (!(value instanceof Uint8Array)) throw new PacketBuildError('IP', 'options', 'IPOption(value=...) must be bytes');
    return [type, argNumber(call, args, 'length', 2 + value.length, 255), ...value];
  }
  const routers = args['routers'] ?? [];
  if (!Array.isArray(routers)) throw new PacketBuildError('IP', 'options', `${call}(routers=...) must be a list of IPv4 addresses`);
  const addrs = (routers as readonly FieldValue[]).flatMap((r) => [...toAddress('IP', 'options', 'ipv4', r)]);
  body = [argNumber(call, args, 'length', 3 + addrs.length, 255), argNumber(call, args, 'pointer', 4, 255), ...addrs];
  return [type, ...body];
}

/** Encodes an options value (list of option constructors, or raw bytes), unpadded. */
export function encodeIpOptions(value: FieldValue | undefined): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (!Array.isArray(value)) return Uint8Array.from(encodeOne(value as FieldValue));
  return Uint8Array.from((value as readonly FieldValue[]).flatMap((o) => encodeOne(o)));
}
