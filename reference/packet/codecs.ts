/**
 * The codec registry: one `LayerCodec` per layer name, plus Raw and Padding.
 *
 * Invariant: the record is keyed by every `LayerName` (`satisfies` makes a
 * new layer name a type error until it has a codec). Raw and Padding carry
 * their bytes in `load`; decoded loads are views into the decoded buffer.
 */
import type { FieldValue, LayerCodec, LayerName } from './layer-model.ts';
import { PacketBuildError } from './layer-model.ts';
import { checkFieldNames } from './header-fields.ts';
import { arpCodec, dot1adCodec, dot1qCodec, dot3Codec, etherCodec, llcCodec, snapCodec } from './ethernet.ts';
import { ipCodec } from './ip.ts';
import { destOptCodec, fragmentCodec, hopByHopCodec, ipv6Codec, routingCodec } from './ipv6.ts';
import { icmpCodec } from './icmp.ts';
import { echoReplyCodec, echoRequestCodec, icmpv6UnknownCodec, ndNaCodec, ndNsCodec, ndOptDstCodec, ndOptSrcCodec } from './icmpv6.ts';
import { sctpCodec, tcpCodec, udpCodec } from './transport.ts';

/** Bytes of a `load` value: Uint8Array, or a string taken as UTF-8 (scapy takes str as latin-1 bytes; ASCII agrees). */
export function loadBytes(layer: string, field: string, v: FieldValue | undefined): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  throw new PacketBuildError(layer, field, 'must be bytes or a string');
}

function bytesCodec(name: 'Raw' | 'Padding'): LayerCodec {
  const describe = [{ name: 'load', kind: 'bytes', default: new Uint8Array(0) }];
  return {
    name,
    describe,
    decode(s, at, end) {
      return { fields: { load: s.bytes.subarray(at, end) }, headerBytes: end - at, next: null, end };
    },
    encode(w, f) {
      checkFieldNames(name, describe, f);
      w.bytes(loadBytes(name, 'load', f['load']));
    },
  };
}

export const CODECS = {
  Ether: etherCodec, Dot3: dot3Codec, LLC: llcCodec, SNAP: snapCodec, Dot1Q: dot1qCodec, Dot1AD: dot1adCodec,
  ARP: arpCodec, IP: ipCodec, IPv6: ipv6Codec,
  IPv6ExtHdrHopByHop: hopByHopCodec, IPv6ExtHdrRouting: routingCodec, IPv6ExtHdrDestOpt: destOptCodec, IPv6ExtHdrFragment: fragmentCodec,
  ICMP: icmpCodec, ICMPv6EchoRequest: echoRequestCodec, ICMPv6EchoReply: echoReplyCodec, ICMPv6ND_NS: ndNsCodec, ICMPv6ND_NA: ndNaCodec,
  ICMPv6NDOptSrcLLAddr: ndOptSrcCodec, ICMPv6NDOptDstLLAddr: ndOptDstCodec, ICMPv6Unknown: icmpv6UnknownCodec,
  TCP: tcpCodec, UDP: udpCodec, SCTP: sctpCodec, Raw: bytesCodec('Raw'), Padding: bytesCodec('Padding'),
} as const satisfies Record<LayerName, LayerCodec>;

export function codecFor(name: string): LayerCodec | undefined {
  return Object.hasOwn(CODECS, name) ? CODECS[name as LayerName] : undefined;
}
