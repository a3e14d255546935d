/**
 * ICMP for IPv4 (RFC 792, RFC 950 address masks, RFC 1191 next-hop MTU).
 * The header after type/code/checksum depends on the type, exactly as
 * scapy's conditional fields: id/seq for echo, timestamp, information and
 * address-mask messages (plus the timestamps or the mask); gw for redirect;
 * reserved/length/nexthopmtu for destination unreachable;
 * reserved/length/unused for time exceeded; ptr/length/unused for parameter
 * problem; a 4-byte `unused` for every other type.
 *
 * Invariants: every type decodes (unknown ones generically); the payload is
 * Raw (error messages quote an IP header: decode it with
 * `decodePacket(load, { first: 'IP' })`); the checksum covers header and
 * payload (not Padding) and is verified unless the packet is truncated or a
 * fragment. Computed when unset: chksum.
 *
 * Left out: RFC 4884 extension objects.
 */
import type { DecodeState, FieldValue, LayerCodec } from './layer-model.ts';
import { reportIssue } from './layer-model.ts';
import type { FieldDef, Header } from './header-fields.ts';
import { checkFieldNames, decodeHeader, defineHeader, encodeHeader, isUnset, toUint } from './header-fields.ts';
import { patch16, truncatedHeader } from './fixed-codec.ts';
import { internetChecksum } from './checksum.ts';

export const ICMP_TYPES: Readonly<Record<string, number>> = {
  'echo-reply': 0, 'dest-unreach': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8,
  'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'parameter-problem': 12,
  'timestamp-request': 13, 'timestamp-reply': 14, 'information-request': 15, 'information-reply': 16,
  'address-mask-request': 17, 'address-mask-reply': 18,
};

const CODE_NAMES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  3: {
    'network-unreachable': 0, 'host-unreachable': 1, 'protocol-unreachable': 2, 'port-unreachable': 3,
    'fragmentation-needed': 4, 'source-route-failed': 5, 'network-unknown': 6, 'host-unknown': 7,
    'network-prohibited': 9, 'host-prohibited': 10, 'TOS-network-unreachable': 11, 'TOS-host-unreachable': 12,
    'communication-prohibited': 13, 'host-precedence-violation': 14, 'precedence-cutoff': 15,
  },
  5: { 'network-redirect': 0, 'host-redirect': 1, 'TOS-network-redirect': 2, 'TOS-host-redirect': 3 },
  11: { 'ttl-zero-during-transit': 0, 'ttl-zero-during-reassembly': 1 },
  12: { 'ip-header-bad': 0, 'required-option-missing': 1 },
};

const u = (name: string, bits: number, dflt: FieldValue = 0): FieldDef => ({ name, bits, kind: 'uint', default: dflt });
const ID_SEQ = [u('id', 16), u('seq', 16)];

function headerFor(type: number): Header {
  const common: FieldDef[] = [
    { name: 'type', bits: 8, kind: 'uint', default: 8, names: ICMP_TYPES },
    { name: 'code', bits: 8, kind: 'uint', default: 0, names: CODE_NAMES[type] ?? {} },
    { name: 'chksum', bits: 16, kind: 'uint', default: null, computed: true },
  ];
  let rest: FieldDef[];
  if (type === 13 || type === 14) rest = [...ID_SEQ, u('ts_ori', 32), u('ts_rx', 32), u('ts_tx', 32)];
  else if (type === 17 || type === 18) rest = [...ID_SEQ, { name: 'addr_mask', bits: 32, kind: 'ipv4', default: '0.0.0.0' }];
  else if ([0, 8, 15, 16, 37, 38].includes(type)) rest = ID_SEQ;
  else if (type === 5) rest = [{ name: 'gw', bits: 32, kind: 'ipv4', default: '0.0.0.0' }];
  else if (type === 3) rest = [u('reserved', 8), u('length', 8), u('nexthopmtu', 16)];
  else if (type === 11) rest = [u('reserved', 8), u('length', 8), u('unused', 16)];
  else if (type === 12) rest = [u('ptr', 8), u('length', 8), u('unused', 16)];
  else rest = [u('unused', 32)];
  return defineHeader([...common, ...rest]);
}

const HEADERS: Header[] = Array.from({ length: 256 }, (_, t) => headerFor(t));
const ECHO = HEADERS[8] as Header;
const ALL_FIELDS = [...new Map(HEADERS.flatMap((h) => h.describe).map((f) => [f.name, f])).values()];

/** Verifies an Internet checksum over `[at, end)` unless the data is incomplete. */
function verifyIcmp(s: DecodeState, at: number, end: number): void {
  if (s.isTruncated || (s.l3 !== null && s.l3.isFragment)) return;
  if (internetChecksum(s.bytes, at, end) !== 0) {
    reportIssue(s, { kind: 'bad-checksum', layer: 'ICMP', offsetBytes: at + 2, field: 'chksum', detail: `checksum 0x${s.view.getUint16(at + 2).toString(16).padStart(4, '0')} is wrong` });
  }
}

export const icmpCodec: LayerCodec = {
  name: 'ICMP',
  describe: ALL_FIELDS,
  decode(s, at, end) {
    if (!truncatedHeader(s, 'ICMP', at, end, 4)) return null;
    const h = HEADERS[s.bytes[at] ?? 0] ?? ECHO;
    if (!truncatedHeader(s, 'ICMP', at, end, h.bytes)) return null;
    const fields: Record<string, FieldValue> = {};
    decodeHeader(h, s.bytes, s.view, at, fields);
    verifyIcmp(s, at, end);
    return { fields, headerBytes: h.bytes, next: null, end };
  },
  encode(w, f) {
    checkFieldNames('ICMP', ALL_FIELDS, f);
    const typeDef = ECHO.fields[0];
    if (!typeDef) throw new Error('ICMP header definition is empty');
    const type = toUint('ICMP', typeDef, f['type'] ?? 8);
    // Like scapy's ConditionalField, a field the type does not carry is ignored.
    encodeHeader(HEADERS[type] ?? ECHO, 'ICMP', w, f);
  },
  finish(buf, layers, i) {
    const l = layers[i];
    if (!l || !isUnset(l.fields['chksum'])) return;
    buf[l.start + 2] = 0;
    buf[l.start + 3] = 0;
    patch16(buf, l.fields, 'chksum', l.start + 2, internetChecksum(buf, l.start, l.payloadEnd));
  },
};
