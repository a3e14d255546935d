/**
 * Transport codecs: TCP (RFC 9293) with options, UDP (RFC 768), SCTP
 * (RFC 9260) common header with its chunks left as Raw; and `l3ForBuilt`,
 * which finds the pseudo-header addresses of a layer being built.
 *
 * Invariants: TCP's header length is dataofs * 4; UDP's payload ends at its
 * len (the rest is Padding); checksums (TCP/UDP: Internet checksum with the
 * IPv4 or IPv6 pseudo-header; SCTP: CRC32c) are verified unless the packet
 * is truncated or a fragment, or (UDP over IPv4) the checksum is 0 = none.
 * A computed UDP checksum of 0 is sent as 0xffff, as scapy and RFC 768 do.
 * Computed when unset: TCP dataofs and chksum, UDP len and chksum, SCTP
 * chksum. Without an IP layer below, transport checksums are left 0.
 *
 * Left out: SCTP chunk structure, TCP urgent data semantics.
 */
import type { BuiltLayer, DecodeState, FieldValue, L3Context, LayerCodec, LayerName } from './layer-model.ts';
import { reportIssue } from './layer-model.ts';
import { checkFieldNames, decodeHeader, defineHeader, encodeHeader, isUnset } from './header-fields.ts';
import { declaredEnd, fixedCodec, patch16, read16, truncatedHeader } from './fixed-codec.ts';
import { sctpCrc32c, upperLayerChecksum } from './checksum.ts';
import { decodeTcpOptions, encodeTcpOptions } from './tcp-options.ts';
import { sourceRouteDstAt } from './ip-options.ts';

/**
 * scapy's in4_pseudoheader: the final destination of a single LSRR/SSRR
 * option, and IP len - 4 * ihl as the length when the spec sets len.
 */
function ipv4Context(buf: Uint8Array, l: BuiltLayer): L3Context {
  const routed = sourceRouteDstAt(buf, l.start + 20, l.headerEnd);
  const ctx: L3Context = { version: 4, srcAt: l.start + 12, dstAt: routed >= 0 ? routed : l.start + 16, isFragment: false };
  const len = l.fields['len'];
  if (typeof len === 'number') {
    const ihl = l.fields['ihl'];
    ctx.upperLength = Math.max(len - 4 * (typeof ihl === 'number' ? ihl : (l.headerEnd - l.start) >> 2), 0);
  }
  return ctx;
}

/** The pseudo-header context of built layer `i`: the nearest IP/IPv6 below it, routing headers applied. */
export function l3ForBuilt(buf: Uint8Array, layers: readonly BuiltLayer[], i: number): L3Context | null {
  let finalDst = -1;
  for (let j = i - 1; j >= 0; j--) {
    const l = layers[j];
    if (!l) continue;
    if (l.name === 'IPv6ExtHdrRouting' && finalDst < 0 && (buf[l.start + 3] ?? 0) > 0 && l.headerEnd - l.start >= 24) finalDst = l.headerEnd - 16;
    if (l.name === 'IP') return ipv4Context(buf, l);
    if (l.name === 'IPv6') return { version: 6, srcAt: l.start + 8, dstAt: finalDst >= 0 ? finalDst : l.start + 24, isFragment: false };
  }
  return null;
}

/** Verifies a pseudo-header checksum over `[at, end)`; `skipZero` for UDP over IPv4. */
export function verifyL4(s: DecodeState, layer: LayerName, proto: number, at: number, end: number, sumAt: number): void {
  const l3 = s.l3;
  if (l3 === null || s.isTruncated || l3.isFragment) return;
  const stored = read16(s.bytes, sumAt);
  if (layer === 'UDP' && l3.version === 4 && stored === 0) return;
  if (upperLayerChecksum(s.bytes, l3, proto, at, end) !== 0) {
    const field = layer === 'ICMPv6EchoRequest' || layer.startsWith('ICMPv6') ? 'cksum' : 'chksum';
    reportIssue(s, { kind: 'bad-checksum', layer, offsetBytes: sumAt, field, detail: `checksum 0x${stored.toString(16).padStart(4, '0')} is wrong` });
  }
}

/** Fills a pseudo-header checksum at `sumAt` when the spec left `field` unset. */
export function finishL4(buf: Uint8Array, l: BuiltLayer, l3: L3Context | null, proto: number, field: string, sumAt: number, zeroAsOnes: boolean): void {
  if (!isUnset(l.fields[field]) || l3 === null) return;
  buf[sumAt] = 0;
  buf[sumAt + 1] = 0;
  let ck = upperLayerChecksum(buf, l3, proto, l.start, l.payloadEnd);
  if (ck === 0 && zeroAsOnes) ck = 0xffff;
  patch16(buf, l.fields, field, sumAt, ck);
}

const TCP_HEADER = defineHeader([
  { name: 'sport', bits: 16, kind: 'uint', default: 20 },
  { name: 'dport', bits: 16, kind: 'uint', default: 80 },
  { name: 'seq', bits: 32, kind: 'uint', default: 0 },
  { name: 'ack', bits: 32, kind: 'uint', default: 0 },
  { name: 'dataofs', bits: 4, kind: 'uint', default: null, computed: true },
  { name: 'reserved', bits: 3, kind: 'uint', default: 0 },
  { name: 'flags', bits: 9, kind: 'flags', default: 2, flags: ['F', 'S', 'R', 'P', 'A', 'U', 'E', 'C', 'N'] },
  { name: 'window', bits: 16, kind: 'uint', default: 8192 },
  { name: 'chksum', bits: 16, kind: 'uint', default: null, computed: true },
  { name: 'urgptr', bits: 16, kind: 'uint', default: 0 },
]);
const TCP_DESCRIBE = [...TCP_HEADER.describe, { name: 'options', kind: 'list of [name, value]', default: [] }];

export const tcpCodec: LayerCodec = {
  name: 'TCP',
  describe: TCP_DESCRIBE,
  decode(s, at, end) {
    if (!truncatedHeader(s, 'TCP', at, end, 20)) return null;
    const fields: Record<string, FieldValue> = {};
    decodeHeader(TCP_HEADER, s.bytes, s.view, at, fields);
    const dataofs = fields['dataofs'] as number;
    let headerBytes = dataofs * 4;
    if (dataofs < 5) {
      reportIssue(s, { kind: 'bad-length', layer: 'TCP', offsetBytes: at + 12, field: 'dataofs', detail: `dataofs ${dataofs} is below the minimum 5` });
      headerBytes = 20;
    }
    if (!truncatedHeader(s, 'TCP', at, end, headerBytes)) return null;
    fields['options'] = headerBytes > 20 ? decodeTcpOptions(s, at + 20, at + headerBytes) : [];
    verifyL4(s, 'TCP', 6, at, end, at + 16);
    return { fields, headerBytes, next: null, end };
  },
  encode(w, f) {
    checkFieldNames('TCP', TCP_DESCRIBE, f);
    encodeHeader(TCP_HEADER, 'TCP', w, f);
    w.bytes(encodeTcpOptions(f['options']));
  },
  finish(buf, layers, i) {
    const l = layers[i];
    if (!l) return;
    if (isUnset(l.fields['dataofs'])) buf[l.start + 12] = ((buf[l.start + 12] ?? 0) & 0x0f) | ((((l.headerEnd - l.start) >> 2) & 0x0f) << 4);
    finishL4(buf, l, l3ForBuilt(buf, layers, i), 6, 'chksum', l.start + 16, false);
  },
};

export const udpCodec: LayerCodec = fixedCodec('UDP', defineHeader([
  { name: 'sport', bits: 16, kind: 'uint', default: 53 },
  { name: 'dport', bits: 16, kind: 'uint', default: 53 },
  { name: 'len', bits: 16, kind: 'uint', default: null, computed: true },
  { name: 'chksum', bits: 16, kind: 'uint', default: null, computed: true },
]), {
  payloadEnd: (f, s, at, _payloadAt, end) => {
    const len = f['len'] as number;
    if (len < 8) {
      reportIssue(s, { kind: 'bad-length', layer: 'UDP', offsetBytes: at + 4, field: 'len', detail: `length ${len} is below the header size 8` });
      return end;
    }
    // A first fragment's UDP length counts bytes in later fragments: clamp without an issue.
    if (s.l3 !== null && s.l3.isFragment) return Math.min(at + len, end);
    return declaredEnd(s, 'UDP', 'len', at + 4, at + len, end);
  },
  next: (_f, s, payloadAt, end) => {
    verifyL4(s, 'UDP', 17, payloadAt - 8, end, payloadAt - 2);
    return null;
  },
  finish: (buf, layers, i) => {
    const l = layers[i];
    if (!l) return;
    patch16(buf, l.fields, 'len', l.start + 4, l.payloadEnd - l.start);
    finishL4(buf, l, l3ForBuilt(buf, layers, i), 17, 'chksum', l.start + 6, true);
  },
});

export const sctpCodec: LayerCodec = fixedCodec('SCTP', defineHeader([
  { name: 'sport', bits: 16, kind: 'uint', default: 0 },
  { name: 'dport', bits: 16, kind: 'uint', default: 0 },
  { name: 'tag', bits: 32, kind: 'uint', default: 0 },
  { name: 'chksum', bits: 32, kind: 'uint', default: null, computed: true },
]), {
  inspect: (f, s, at, end) => {
    if (s.isTruncated || (s.l3 !== null && s.l3.isFragment)) return;
    if (sctpCrc32c(s.bytes, at, end, at + 8) !== f['chksum']) {
      reportIssue(s, { kind: 'bad-checksum', layer: 'SCTP', offsetBytes: at + 8, field: 'chksum', detail: `CRC32c 0x${(f['chksum'] as number).toString(16).padStart(8, '0')} is wrong` });
    }
  },
  finish: (buf, layers, i) => {
    const l = layers[i];
    if (!l || !isUnset(l.fields['chksum'])) return;
    const crc = sctpCrc32c(buf, l.start, l.payloadEnd, l.start + 8);
    buf[l.start + 8] = crc >>> 24;
    buf[l.start + 9] = (crc >>> 16) & 0xff;
    buf[l.start + 10] = (crc >>> 8) & 0xff;
    buf[l.start + 11] = crc & 0xff;
  },
});
