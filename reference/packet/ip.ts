/**
 * IPv4 (RFC 791): the fixed 20-byte header as a declarative field list, the
 * options area by hand (ip-options.ts).
 *
 * Invariants: the payload ends at `len` (the rest of the frame is Padding);
 * a non-first fragment (frag > 0) carries Raw, never a transport header; the
 * header checksum is verified whenever the header is complete; transport
 * checksums are not verified for any fragment (they cover bytes not here).
 * Computed when unset: ihl, len, chksum (and proto, from the binding table).
 * Options are padded with zero bytes to a multiple of 4, as scapy does.
 *
 * Issues: version != 4 is `unsupported` (the rest decodes as Raw); ihl < 5 or
 * len < the header length is `bad-length`; a header or len past the data is
 * `truncated`.
 *
 * Left out: reassembly; scapy's IPerror class (ICMP quotes decode as Raw).
 */
import type { DecodeState, FieldValue, LayerCodec } from './layer-model.ts';
import { reportIssue } from './layer-model.ts';
import { checkFieldNames, decodeHeader, defineHeader, describeFields, encodeHeader, isUnset } from './header-fields.ts';
import { declaredEnd, patch16, truncatedHeader } from './fixed-codec.ts';
import { nextLayerFor } from './bindings.ts';
import { internetChecksum } from './checksum.ts';
import { decodeIpOptions, encodeIpOptions, sourceRouteDstAt } from './ip-options.ts';

export const IP_PROTO_NAMES: Readonly<Record<string, number>> = {
  hopopt: 0, icmp: 1, igmp: 2, ipencap: 4, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, sctp: 132,
};

const IP_HEADER = defineHeader([
  { name: 'version', bits: 4, kind: 'uint', default: 4 },
  { name: 'ihl', bits: 4, kind: 'uint', default: null, computed: true },
  { name: 'tos', bits: 8, kind: 'uint', default: 0 },
  { name: 'len', bits: 16, kind: 'uint', default: null, computed: true },
  { name: 'id', bits: 16, kind: 'uint', default: 1 },
  { name: 'flags', bits: 3, kind: 'flags', default: 0, flags: ['MF', 'DF', 'evil'] },
  { name: 'frag', bits: 13, kind: 'uint', default: 0 },
  { name: 'ttl', bits: 8, kind: 'uint', default: 64 },
  { name: 'proto', bits: 8, kind: 'uint', default: 0, names: IP_PROTO_NAMES },
  { name: 'chksum', bits: 16, kind: 'uint', default: null, computed: true },
  { name: 'src', bits: 32, kind: 'ipv4', default: '127.0.0.1' },
  { name: 'dst', bits: 32, kind: 'ipv4', default: '127.0.0.1' },
]);
const IP_DESCRIBE = [...IP_HEADER.describe, ...describeFields([{ name: 'options', bits: 0, kind: 'uint', default: [] }]).map((f) => ({ ...f, kind: 'list of IPOption_*()' }))];

function decodeIp(s: DecodeState, at: number, end: number) {
  if (!truncatedHeader(s, 'IP', at, end, 20)) return null;
  const fields: Record<string, FieldValue> = {};
  decodeHeader(IP_HEADER, s.bytes, s.view, at, fields);
  if (fields['version'] !== 4) {
    reportIssue(s, { kind: 'unsupported', layer: 'IP', offsetBytes: at, field: 'version', detail: `IP version ${String(fields['version'])} in an IPv4 slot` });
    return null;
  }
  const ihl = fields['ihl'] as number;
  let headerBytes = ihl * 4;
  if (ihl < 5) {
    reportIssue(s, { kind: 'bad-length', layer: 'IP', offsetBytes: at, field: 'ihl', detail: `ihl ${ihl} is below the minimum 5` });
    headerBytes = 20;
  }
  if (!truncatedHeader(s, 'IP', at, end, headerBytes)) return null;
  fields['options'] = headerBytes > 20 ? decodeIpOptions(s, at + 20, at + headerBytes) : [];
  const totalLength = fields['len'] as number;
  let payloadEnd = end;
  if (totalLength < headerBytes) {
    reportIssue(s, { kind: 'bad-length', layer: 'IP', offsetBytes: at + 2, field: 'len', detail: `total length ${totalLength} is less than the header length ${headerBytes}` });
  } else {
    payloadEnd = declaredEnd(s, 'IP', 'len', at + 2, at + totalLength, end);
  }
  if (internetChecksum(s.bytes, at, at + headerBytes) !== 0) {
    reportIssue(s, { kind: 'bad-checksum', layer: 'IP', offsetBytes: at + 10, field: 'chksum', detail: `header checksum 0x${(fields['chksum'] as number).toString(16).padStart(4, '0')} is wrong` });
  }
  const frag = fields['frag'] as number;
  const isFragment = frag > 0 || ((fields['flags'] as number) & 1) === 1;
  const routed = headerBytes > 20 ? sourceRouteDstAt(s.bytes, at + 20, at + headerBytes) : -1;
  s.l3 = { version: 4, srcAt: at + 12, dstAt: routed >= 0 ? routed : at + 16, isFragment };
  const next = frag > 0 ? null : nextLayerFor('IP', fields['proto'] as number);
  return { fields, headerBytes, next, end: payloadEnd };
}

export const ipCodec: LayerCodec = {
  name: 'IP',
  describe: IP_DESCRIBE,
  decode: decodeIp,
  encode(w, fields) {
    checkFieldNames('IP', IP_DESCRIBE, fields);
    encodeHeader(IP_HEADER, 'IP', w, fields);
    const options = encodeIpOptions(fields['options']);
    w.bytes(options);
    w.zeros((4 - (options.length % 4)) % 4);
  },
  finish(buf, layers, i) {
    const l = layers[i];
    if (!l) return;
    if (isUnset(l.fields['ihl'])) buf[l.start] = ((buf[l.start] ?? 0) & 0xf0) | (((l.headerEnd - l.start) >> 2) & 0x0f);
    patch16(buf, l.fields, 'len', l.start + 2, l.payloadEnd - l.start);
    if (isUnset(l.fields['chksum'])) {
      buf[l.start + 10] = 0;
      buf[l.start + 11] = 0;
      patch16(buf, l.fields, 'chksum', l.start + 10, internetChecksum(buf, l.start, l.headerEnd));
    }
  },
};
