/**
 * Options of the IPv6 Hop-by-Hop and Destination Options headers (RFC 8200
 * section 4.2) as scapy's classes: Pad1, PadN(optdata), RouterAlert(value)
 * (RFC 2711), Jumbo(jumboplen) (RFC 2675), HAO(hoa) (RFC 6275), and
 * HBHOptUnknown(otype, optdata) for the rest.
 *
 * Invariants: decoding keeps every byte (padding options are listed
 * explicitly; the decoded autopad is scapy's 1 when autopadding the list
 * gives the same bytes, else 0, so a decoded header re-encodes exactly);
 * a malformed area is kept as raw bytes with a `bad-length` issue. Encoding
 * with autopad 1 (scapy's default) inserts Pad1/PadN before options that need
 * alignment (RouterAlert 2n, Jumbo 4n+2, HAO 8n+6) and pads the header to a
 * multiple of 8 bytes, exactly as scapy's _OptionsField does.
 *
 * Left out: scapy's RPL, Quick-Start and other rarer option classes (they
 * decode as HBHOptUnknown).
 */
import type { DecodeState, FieldValue, LayerName } from './layer-model.ts';
import { PacketBuildError, reportIssue } from './layer-model.ts';
import { formatIpv6 } from './field-values.ts';
import { describeValue, toAddress } from './header-fields.ts';

type Call = { readonly call: string; readonly args: Readonly<Record<string, FieldValue>> };

const KNOWN: Readonly<Record<number, { call: string; len: number }>> = {
  5: { call: 'RouterAlert', len: 2 }, 194: { call: 'Jumbo', len: 4 }, 201: { call: 'HAO', len: 16 },
};
/** Alignment requirement xn+y of each option class (RFC 8200 section 4.2). */
const ALIGN: Readonly<Record<string, readonly [number, number]>> = { RouterAlert: [2, 0], Jumbo: [4, 2], HAO: [8, 6] };

function u16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function decodeOption(b: Uint8Array, at: number, otype: number, optlen: number): Call {
  const known = KNOWN[otype];
  if (known !== undefined && known.len === optlen) {
    const body = at + 2;
    if (otype === 5) return { call: 'RouterAlert', args: { otype, optlen, value: u16(b, body) } };
    if (otype === 194) return { call: 'Jumbo', args: { otype, optlen, jumboplen: u16(b, body) * 0x10000 + u16(b, body + 2) } };
    return { call: 'HAO', args: { otype, optlen, hoa: formatIpv6(b, body) } };
  }
  const optdata = b.slice(at + 2, at + 2 + optlen);
  return { call: otype === 1 ? 'PadN' : 'HBHOptUnknown', args: { otype, optlen, optdata } };
}

/** Decodes the options of `[at, end)`; `layer` names the header for issues. */
export function decodeIpv6Options(s: DecodeState, layer: LayerName, at: number, end: number): FieldValue {
  const b = s.bytes;
  const out: Call[] = [];
  for (let p = at; p < end; ) {
    const otype = b[p] ?? 0;
    if (otype === 0) {
      out.push({ call: 'Pad1', args: { otype: 0 } });
      p += 1;
      continue;
    }
    if (p + 2 > end || p + 2 + (b[p + 1] ?? 0) > end) {
      reportIssue(s, { kind: 'bad-length', layer, offsetBytes: p, field: 'options', detail: `option ${otype} runs past the end of the header` });
      return b.slice(at, end);
    }
    const optlen = b[p + 1] ?? 0;
    out.push(decodeOption(b, p, otype, optlen));
    p += 2 + optlen;
  }
  return out;
}

function num(call: string, args: Readonly<Record<string, FieldValue>>, name: string, dflt: number, max: number): number {
  const v = args[name];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new PacketBuildError('IPv6ExtHdr', 'options', `${call}(${name}=${describeValue(v)}) is not an integer in 0..${max}`);
  }
  return v;
}

function bytesArg(call: string, args: Readonly<Record<string, FieldValue>>, name: string): Uint8Array {
  const v = args[name] ?? new Uint8Array(0);
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (!(v instanceof Uint8Array)) throw new PacketBuildError('IPv6ExtHdr', 'options', `${call}(${name}=...) must be bytes`);
  return v;
}

function encodeOption(o: FieldValue): number[] {
  if (typeof o !== 'object' || o === null || o instanceof Uint8Array || Array.isArray(o)) {
    throw new PacketBuildError('IPv6ExtHdr', 'options', `expected an option constructor such as PadN(), got ${describeValue(o)}`);
  }
  const { call, args } = o as Call;
  switch (call) {
    case 'Pad1': return [num(call, args, 'otype', 0, 255)];
    case 'PadN':
    case 'HBHOptUnknown': {
      const data = bytesArg(call, args, 'optdata');
      return [num(call, args, 'otype', 1, 255), num(call, args, 'optlen', data.length, 255), ...data];
    }
    case 'RouterAlert': {
      const v = num(call, args, 'value', 0, 0xffff);
      return [num(call, args, 'otype', 5, 255), num(call, args, 'optlen', 2, 255), v >> 8, v & 0xff];
    }
    case 'Jumbo': {
      const v = num(call, args, 'jumboplen', 0, 0xffffffff);
      return [num(call, args, 'otype', 194, 255), num(call, args, 'optlen', 4, 255), v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    }
    case 'HAO':
      return [num(call, args, 'otype', 201, 255), num(call, args, 'optlen', 16, 255), ...toAddress('IPv6ExtHdr', 'options', 'ipv6', args['hoa'] ?? '::')];
    default:
      throw new PacketBuildError('IPv6ExtHdr', 'options', `unsupported option class ${call} (supported: Pad1, PadN, RouterAlert, Jumbo, HAO, HBHOptUnknown)`);
  }
}

function padding(n: number): number[] {
  if (n === 0) return [];
  if (n === 1) return [0];
  return [1, n - 2, ...new Array<number>(n - 2).fill(0)];
}

/** Encodes the option area of a Hop-by-Hop/Destination header whose options start 2 bytes in. */
export function encodeIpv6Options(value: FieldValue | undefined, autopad: boolean): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? (value as readonly FieldValue[]) : [value as FieldValue];
  const out: number[] = [];
  let pos = 2;
  for (const o of list) {
    const bytes = encodeOption(o);
    if (autopad) {
      const call = (o as Call).call;
      const align = ALIGN[call];
      if (align) {
        const [x, y] = align;
        const delta = x * Math.floor((pos - y + x - 1) / x) + y - pos;
        out.push(...padding(delta));
        pos += delta;
      }
    }
    out.push(...bytes);
    pos += bytes.length;
  }
  if (autopad) out.push(...padding((8 - (pos % 8)) % 8));
  return Uint8Array.from(out);
}
