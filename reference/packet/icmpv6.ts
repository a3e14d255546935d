/**
 * ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861 sections 4.3, 4.4,
 * 4.6.1): echo request/reply, neighbor solicitation/advertisement with
 * source/target link-layer address options, and every other type as
 * ICMPv6Unknown (type, code, cksum, msgbody), following scapy's classes.
 *
 * Invariants: echo messages keep their data in the `data` field and
 * ICMPv6Unknown its body in `msgbody` (scapy's StrFields: no Raw layer
 * follows them); NS/NA are followed by their options as layers, an option
 * type other than 1/2 ending the walk (the rest is Raw); the checksum covers
 * the message and its options with the IPv6 pseudo-header (next header 58)
 * and is verified unless the packet is truncated or a fragment. Computed
 * when unset: cksum.
 *
 * Left out: router solicitation/advertisement, redirect, MLD and error
 * messages (all ICMPv6Unknown), and ND options other than 1/2.
 */
import type { DecodeState, FieldValue, LayerCodec, LayerName } from './layer-model.ts';
import { PacketBuildError, reportIssue } from './layer-model.ts';
import type { FieldDef } from './header-fields.ts';
import { checkFieldNames, defineHeader } from './header-fields.ts';
import { fixedCodec } from './fixed-codec.ts';
import { finishL4, l3ForBuilt, verifyL4 } from './transport.ts';

export const ICMPV6_TYPES: Readonly<Record<string, number>> = {
  'Destination unreachable': 1, 'Packet too big': 2, 'Time exceeded': 3, 'Parameter problem': 4,
  'Echo Request': 128, 'Echo Reply': 129, 'Router Solicitation': 133, 'Router Advertisement': 134,
  'Neighbor Solicitation': 135, 'Neighbor Advertisement': 136, 'Redirect Message': 137,
};

/** The ICMPv6 layer for a message type (decoding refines ICMPv6Unknown with it). */
export function icmpv6LayerFor(type: number): LayerName {
  switch (type) {
    case 128: return 'ICMPv6EchoRequest';
    case 129: return 'ICMPv6EchoReply';
    case 135: return 'ICMPv6ND_NS';
    case 136: return 'ICMPv6ND_NA';
    default: return 'ICMPv6Unknown';
  }
}

/** The ND option layer at `at`, or null when there is none we model. */
function ndOptionAt(s: DecodeState, at: number, end: number): LayerName | null {
  if (at >= end) return null;
  const t = s.bytes[at];
  return t === 1 ? 'ICMPv6NDOptSrcLLAddr' : t === 2 ? 'ICMPv6NDOptDstLLAddr' : null;
}

const head = (type: number): FieldDef[] => [
  { name: 'type', bits: 8, kind: 'uint', default: type, names: ICMPV6_TYPES },
  { name: 'code', bits: 8, kind: 'uint', default: 0 },
  { name: 'cksum', bits: 16, kind: 'uint', default: null, computed: true },
];

const finishIcmpv6: NonNullable<LayerCodec['finish']> = (buf, layers, i) => {
  const l = layers[i];
  if (l) finishL4(buf, l, l3ForBuilt(buf, layers, i), 58, 'cksum', l.start + 2, false);
};

function verifyIcmpv6(name: LayerName) {
  return (_f: Record<string, FieldValue>, s: DecodeState, at: number, end: number): void => verifyL4(s, name, 58, at, end, at + 2);
}

/** A codec whose last field is a byte string running to the end of the payload. */
function trailingBytesCodec(name: LayerName, type: number, extra: FieldDef[], tail: string): LayerCodec {
  const base = fixedCodec(name, defineHeader([...head(type), ...extra]), { inspect: verifyIcmpv6(name), finish: finishIcmpv6 });
  const describe = [...base.describe, { name: tail, kind: 'bytes', default: new Uint8Array(0) }];
  return {
    ...base,
    describe,
    decode(s, at, end) {
      const step = base.decode(s, at, end);
      if (step === null) return null;
      step.fields[tail] = s.bytes.subarray(at + step.headerBytes, end);
      return { fields: step.fields, headerBytes: end - at, next: null, end };
    },
    encode(w, f) {
      checkFieldNames(name, describe, f);
      const { [tail]: data, ...rest } = f;
      base.encode(w, rest);
      if (data === undefined || data === null) return;
      if (typeof data === 'string') w.bytes(new TextEncoder().encode(data));
      else if (data instanceof Uint8Array) w.bytes(data);
      else throw new PacketBuildError(name, tail, 'must be bytes');
    },
  };
}

const ID_SEQ: FieldDef[] = [
  { name: 'id', bits: 16, kind: 'uint', default: 0 },
  { name: 'seq', bits: 16, kind: 'uint', default: 0 },
];

export const echoRequestCodec: LayerCodec = trailingBytesCodec('ICMPv6EchoRequest', 128, ID_SEQ, 'data');
export const echoReplyCodec: LayerCodec = trailingBytesCodec('ICMPv6EchoReply', 129, ID_SEQ, 'data');
export const icmpv6UnknownCodec: LayerCodec = trailingBytesCodec('ICMPv6Unknown', 1, [], 'msgbody');

export const ndNsCodec: LayerCodec = fixedCodec('ICMPv6ND_NS', defineHeader([
  ...head(135),
  { name: 'res', bits: 32, kind: 'uint', default: 0 },
  { name: 'tgt', bits: 128, kind: 'ipv6', default: '::' },
]), { inspect: verifyIcmpv6('ICMPv6ND_NS'), next: (_f, s, at, end) => ndOptionAt(s, at, end), finish: finishIcmpv6 });

export const ndNaCodec: LayerCodec = fixedCodec('ICMPv6ND_NA', defineHeader([
  ...head(136),
  { name: 'R', bits: 1, kind: 'uint', default: 1 },
  { name: 'S', bits: 1, kind: 'uint', default: 0 },
  { name: 'O', bits: 1, kind: 'uint', default: 1 },
  { name: 'res', bits: 29, kind: 'uint', default: 0 },
  { name: 'tgt', bits: 128, kind: 'ipv6', default: '::' },
]), { inspect: verifyIcmpv6('ICMPv6ND_NA'), next: (_f, s, at, end) => ndOptionAt(s, at, end), finish: finishIcmpv6 });

function llOptionCodec(name: LayerName, type: number): LayerCodec {
  return fixedCodec(name, defineHeader([
    { name: 'type', bits: 8, kind: 'uint', default: type },
    { name: 'len', bits: 8, kind: 'uint', default: 1 },
    { name: 'lladdr', bits: 48, kind: 'mac', default: '00:00:00:00:00:00' },
  ]), {
    inspect: (f, s, at) => {
      if (f['len'] !== 1) reportIssue(s, { kind: 'bad-length', layer: name, offsetBytes: at + 1, field: 'len', detail: `len ${String(f['len'])} (8-byte units) does not fit a 6-byte link-layer address` });
    },
    next: (_f, s, at, end) => ndOptionAt(s, at, end),
  });
}

export const ndOptSrcCodec: LayerCodec = llOptionCodec('ICMPv6NDOptSrcLLAddr', 1);
export const ndOptDstCodec: LayerCodec = llOptionCodec('ICMPv6NDOptDstLLAddr', 2);
