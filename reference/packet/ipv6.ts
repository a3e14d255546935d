/**
 * IPv6 (RFC 8200) and its extension headers: Hop-by-Hop Options,
 * Routing (type 0 layout: reserved word + address list), Destination
 * Options and Fragment.
 *
 * Invariants: the payload ends at plen (the rest is Padding); extension
 * header lengths are in 8-byte units, excluding the first 8; a fragment
 * with offset > 0 carries Raw; any fragment stops transport checksum
 * verification. A routing header with segleft > 0 and addresses makes its
 * last address the destination of the transport pseudo-header (RFC 8200
 * section 8.1, as scapy's in6_chksum). Computed when unset: plen, nh (from
 * the binding table), each extension header's len and the routing header's
 * segleft (= number of addresses).
 *
 * Issues: version != 6 is `unsupported`; a header or plen past the data is
 * `truncated`; a malformed options area is `bad-length`.
 *
 * Left out: jumbograms (plen 0 with a Jumbo option is decoded as plen 0),
 * segment routing (type 4) layouts, AH/ESP.
 */
import type { BuiltLayer, DecodeState, FieldValue, LayerCodec, LayerName } from './layer-model.ts';
import { PacketBuildError, reportIssue } from './layer-model.ts';
import { checkFieldNames, decodeHeader, defineHeader, describeFields, encodeHeader, isUnset, toAddress } from './header-fields.ts';
import { declaredEnd, fixedCodec, patch16, patch8, truncatedHeader } from './fixed-codec.ts';
import { nextLayerFor } from './bindings.ts';
import { formatIpv6 } from './field-values.ts';
import { decodeIpv6Options, encodeIpv6Options } from './ipv6-options.ts';
import { IP_PROTO_NAMES } from './ip.ts';

const NH = { name: 'nh', bits: 8, kind: 'uint', default: 59, names: IP_PROTO_NAMES } as const;

export const ipv6Codec: LayerCodec = fixedCodec('IPv6', defineHeader([
  { name: 'version', bits: 4, kind: 'uint', default: 6 },
  { name: 'tc', bits: 8, kind: 'uint', default: 0 },
  { name: 'fl', bits: 20, kind: 'uint', default: 0 },
  { name: 'plen', bits: 16, kind: 'uint', default: null, computed: true },
  NH,
  { name: 'hlim', bits: 8, kind: 'uint', default: 64 },
  { name: 'src', bits: 128, kind: 'ipv6', default: '::1' },
  { name: 'dst', bits: 128, kind: 'ipv6', default: '::1' },
]), {
  inspect: (f, s, at) => {
    s.l3 = { version: 6, srcAt: at + 8, dstAt: at + 24, isFragment: false };
    if (f['version'] !== 6) {
      reportIssue(s, { kind: 'unsupported', layer: 'IPv6', offsetBytes: at, field: 'version', detail: `IP version ${String(f['version'])} in an IPv6 slot` });
    }
  },
  payloadEnd: (f, s, at, payloadAt, end) => declaredEnd(s, 'IPv6', 'plen', at + 4, payloadAt + (f['plen'] as number), end),
  next: (f) => (f['version'] === 6 ? nextLayerFor('IPv6', f['nh'] as number) : null),
  finish: (buf, layers, i) => {
    const l = layers[i];
    if (l) patch16(buf, l.fields, 'plen', l.start + 4, l.payloadEnd - l.headerEnd);
  },
});

function finishExtLen(buf: Uint8Array, layers: readonly BuiltLayer[], i: number): void {
  const l = layers[i];
  // scapy: (bytes + 7) // 8 - 1, so an unpadded header (autopad=0) still gets a sane len.
  if (l) patch8(buf, l.fields, 'len', l.start + 1, Math.max(0, Math.ceil((l.headerEnd - l.start) / 8) - 1));
}

/** Reads an extension header's 2-byte start and checks its whole length is present. */
function extStart(s: DecodeState, name: LayerName, at: number, end: number): number | null {
  if (!truncatedHeader(s, name, at, end, 2)) return null;
  const size = ((s.bytes[at + 1] ?? 0) + 1) * 8;
  return truncatedHeader(s, name, at, end, size) ? size : null;
}

function isAutopadded(b: Uint8Array, at: number, size: number, options: FieldValue): boolean {
  if (options instanceof Uint8Array) return false;
  const again = encodeIpv6Options(options, true);
  if (again.length !== size - 2) return false;
  for (let i = 0; i < again.length; i++) if (again[i] !== b[at + 2 + i]) return false;
  return true;
}

function optionsCodec(name: 'IPv6ExtHdrHopByHop' | 'IPv6ExtHdrDestOpt'): LayerCodec {
  const describe = describeFields([
    NH,
    { name: 'len', bits: 8, kind: 'uint', default: null, computed: true },
    { name: 'autopad', bits: 0, kind: 'uint', default: 1 },
    { name: 'options', bits: 0, kind: 'uint', default: [] },
  ]);
  return {
    name,
    describe,
    decode(s, at, end) {
      const size = extStart(s, name, at, end);
      if (size === null) return null;
      const nh = s.bytes[at] ?? 0;
      const options = decodeIpv6Options(s, name, at + 2, at + size);
      // autopad 1 (scapy's value) when re-encoding with it reproduces the bytes, else 0 so the bytes round-trip.
      const fields: Record<string, FieldValue> = { nh, len: s.bytes[at + 1] ?? 0, autopad: isAutopadded(s.bytes, at, size, options) ? 1 : 0, options };
      return { fields, headerBytes: size, next: nextLayerFor(name, nh), end };
    },
    encode(w, f) {
      checkFieldNames(name, describe, f);
      const autopad = f['autopad'];
      if (autopad !== undefined && autopad !== null && autopad !== 0 && autopad !== 1) throw new PacketBuildError(name, 'autopad', 'must be 0 or 1');
      const nh = f['nh'] ?? 59;
      const len = f['len'];
      if (typeof nh !== 'number' || (len !== undefined && len !== null && typeof len !== 'number')) throw new PacketBuildError(name, 'nh', 'nh and len must be numbers');
      w.u8(nh);
      w.u8(typeof len === 'number' ? len : 0);
      w.bytes(encodeIpv6Options(f['options'], autopad !== 0));
    },
    finish: finishExtLen,
  };
}

export const hopByHopCodec: LayerCodec = optionsCodec('IPv6ExtHdrHopByHop');
export const destOptCodec: LayerCodec = optionsCodec('IPv6ExtHdrDestOpt');

const ROUTING_FIXED = defineHeader([
  NH,
  { name: 'len', bits: 8, kind: 'uint', default: null, computed: true },
  { name: 'type', bits: 8, kind: 'uint', default: 0 },
  { name: 'segleft', bits: 8, kind: 'uint', default: null, computed: true },
  { name: 'reserved', bits: 32, kind: 'uint', default: 0 },
]);
const ROUTING_DESCRIBE = [...ROUTING_FIXED.describe, { name: 'addresses', kind: 'list of IPv6 addresses', default: [] }];

export const routingCodec: LayerCodec = {
  name: 'IPv6ExtHdrRouting',
  describe: ROUTING_DESCRIBE,
  decode(s, at, end) {
    const size = extStart(s, 'IPv6ExtHdrRouting', at, end);
    if (size === null) return null;
    const fields: Record<string, FieldValue> = {};
    decodeHeader(ROUTING_FIXED, s.bytes, s.view, at, fields);
    const addresses: string[] = [];
    for (let p = at + 8; p + 16 <= at + size; p += 16) addresses.push(formatIpv6(s.bytes, p));
    if ((size - 8) % 16 !== 0) {
      reportIssue(s, { kind: 'bad-length', layer: 'IPv6ExtHdrRouting', offsetBytes: at + 1, field: 'len', detail: `len ${String(fields['len'])} is not a whole number of addresses` });
    }
    fields['addresses'] = addresses;
    if (s.l3 && (fields['segleft'] as number) > 0 && addresses.length > 0) s.l3.dstAt = at + 8 + 16 * (addresses.length - 1);
    return { fields, headerBytes: size, next: nextLayerFor('IPv6ExtHdrRouting', fields['nh'] as number), end };
  },
  encode(w, f) {
    checkFieldNames('IPv6ExtHdrRouting', ROUTING_DESCRIBE, f);
    const list = f['addresses'] ?? [];
    if (!Array.isArray(list)) throw new PacketBuildError('IPv6ExtHdrRouting', 'addresses', 'must be a list of IPv6 addresses');
    const addrs = (list as readonly FieldValue[]).map((a) => toAddress('IPv6ExtHdrRouting', 'addresses', 'ipv6', a));
    encodeHeader(ROUTING_FIXED, 'IPv6ExtHdrRouting', w, isUnset(f['segleft']) ? { ...f, segleft: addrs.length } : f);
    for (const a of addrs) w.bytes(a);
  },
  finish: finishExtLen,
};

export const fragmentCodec: LayerCodec = fixedCodec('IPv6ExtHdrFragment', defineHeader([
  NH,
  { name: 'res1', bits: 8, kind: 'uint', default: 0 },
  { name: 'offset', bits: 13, kind: 'uint', default: 0 },
  { name: 'res2', bits: 2, kind: 'uint', default: 0 },
  { name: 'm', bits: 1, kind: 'uint', default: 0 },
  { name: 'id', bits: 32, kind: 'uint', default: 0 },
]), {
  inspect: (_f, s) => {
    if (s.l3) s.l3.isFragment = true;
  },
  next: (f) => ((f['offset'] as number) > 0 ? null : nextLayerFor('IPv6ExtHdrFragment', f['nh'] as number)),
});
