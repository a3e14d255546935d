/**
 * Link-layer codecs: Ethernet II, IEEE 802.3 with 802.2 LLC and SNAP, IEEE
 * 802.1Q and 802.1ad VLAN tags, and ARP (RFC 826).
 *
 * Invariants: an Ethernet header whose type/length is <= 1500 is 802.3
 * (`Dot3`, as scapy decides; see decode.ts); Dot3's length bounds its
 * payload, the rest of the frame is Padding; ARP declares no payload, so
 * everything after its addresses is Padding. Field names and defaults are
 * scapy 2.5's, except addresses scapy would look up on the host (Ether
 * src, ARP hwsrc/psrc, IP/IPv6 src), which default to zeros / loopback here;
 * Ether.dst follows scapy for multicast IP destinations, else broadcast.
 *
 * Left out: 802.2 STP and other LLC payloads (Raw), MPLS, PBB.
 */
import type { BuiltLayer, DecodeState, FieldValue, LayerCodec } from './layer-model.ts';
import { PacketBuildError, reportIssue } from './layer-model.ts';
import { defineHeader, describeFields, toAddress, toUint, isUnset, checkFieldNames } from './header-fields.ts';
import type { FieldDef } from './header-fields.ts';
import { declaredEnd, fixedCodec, patch16, truncatedHeader } from './fixed-codec.ts';
import { nextLayerFor, nextLayerForLlc } from './bindings.ts';
import { formatIpv4, formatIpv6, formatMac } from './field-values.ts';

const MAC_FIELDS: readonly FieldDef[] = [
  { name: 'dst', bits: 48, kind: 'mac', default: 'ff:ff:ff:ff:ff:ff' },
  { name: 'src', bits: 48, kind: 'mac', default: '00:00:00:00:00:00' },
];

/**
 * scapy's default Ether.dst for a multicast IP destination directly above:
 * 01:00:5e + low 23 bits (RFC 1112 section 6.4) or 33:33 + low 32 bits
 * (RFC 2464 section 7). Other destinations stay broadcast (scapy would ask
 * the host's neighbour cache).
 */
function multicastDst(buf: Uint8Array, layers: readonly BuiltLayer[], i: number): void {
  const l = layers[i];
  const up = layers[i + 1];
  if (!l || !up || !isUnset(l.fields['dst'])) return;
  if (up.name === 'IP' && ((buf[up.start + 16] ?? 0) & 0xf0) === 0xe0) {
    buf.set([0x01, 0x00, 0x5e, (buf[up.start + 17] ?? 0) & 0x7f, buf[up.start + 18] ?? 0, buf[up.start + 19] ?? 0], l.start);
  } else if (up.name === 'IPv6' && buf[up.start + 24] === 0xff) {
    buf.set([0x33, 0x33, ...buf.subarray(up.start + 36, up.start + 40)], l.start);
  }
}

export const etherCodec: LayerCodec = fixedCodec('Ether', defineHeader([
  ...MAC_FIELDS,
  { name: 'type', bits: 16, kind: 'uint', default: 0x9000 },
]), { next: (f) => nextLayerFor('Ether', f['type'] as number), finish: multicastDst });

export const dot3Codec: LayerCodec = fixedCodec('Dot3', defineHeader([
  ...MAC_FIELDS,
  { name: 'len', bits: 16, kind: 'uint', default: null, computed: true },
]), {
  next: () => 'LLC',
  payloadEnd: (f, s, at, payloadAt, end) => declaredEnd(s, 'Dot3', 'len', at + 12, payloadAt + (f['len'] as number), end),
  finish: (buf, layers, i) => {
    const l = layers[i];
    // scapy's LenField counts everything after the header, trailing Padding included.
    if (l) patch16(buf, l.fields, 'len', l.start + 12, buf.length - l.headerEnd);
  },
});

export const llcCodec: LayerCodec = fixedCodec('LLC', defineHeader([
  { name: 'dsap', bits: 8, kind: 'uint', default: 0 },
  { name: 'ssap', bits: 8, kind: 'uint', default: 0 },
  { name: 'ctrl', bits: 8, kind: 'uint', default: 0 },
]), { next: (f) => nextLayerForLlc(f['dsap'] as number, f['ssap'] as number, f['ctrl'] as number) });

export const snapCodec: LayerCodec = fixedCodec('SNAP', defineHeader([
  { name: 'OUI', bits: 24, kind: 'uint', default: 0 },
  { name: 'code', bits: 16, kind: 'uint', default: 0 },
]), { next: (f) => nextLayerFor('SNAP', f['code'] as number) });

const VLAN_FIELDS: readonly FieldDef[] = [
  { name: 'prio', bits: 3, kind: 'uint', default: 0 },
  { name: 'id', bits: 1, kind: 'uint', default: 0 },
  { name: 'vlan', bits: 12, kind: 'uint', default: 1 },
  { name: 'type', bits: 16, kind: 'uint', default: 0 },
];

/** A tag's type <= 1500 is an 802.3 length: LLC follows and the rest is Padding (as scapy). */
function vlanCodec(name: 'Dot1Q' | 'Dot1AD'): LayerCodec {
  return fixedCodec(name, defineHeader(VLAN_FIELDS), {
    payloadEnd: (f, s, at, payloadAt, end) => {
      const type = f['type'] as number;
      return type <= 1500 ? declaredEnd(s, name, 'type', at + 2, payloadAt + type, end) : end;
    },
    next: (f) => {
      const type = f['type'] as number;
      return type <= 1500 ? 'LLC' : nextLayerFor(name, type);
    },
  });
}
export const dot1qCodec: LayerCodec = vlanCodec('Dot1Q');
export const dot1adCodec: LayerCodec = vlanCodec('Dot1AD');

export const ARP_OPS: Readonly<Record<string, number>> = {
  'who-has': 1, 'is-at': 2, 'RARP-req': 3, 'RARP-rep': 4, 'Dyn-RARP-req': 5, 'Dyn-RAR-rep': 6,
  'Dyn-RARP-err': 7, 'InARP-req': 8, 'InARP-rep': 9,
};

const ARP_FIXED = defineHeader([
  { name: 'hwtype', bits: 16, kind: 'uint', default: 1 },
  { name: 'ptype', bits: 16, kind: 'uint', default: 0x0800 },
  { name: 'hwlen', bits: 8, kind: 'uint', default: null, computed: true },
  { name: 'plen', bits: 8, kind: 'uint', default: null, computed: true },
  { name: 'op', bits: 16, kind: 'uint', default: 1, names: ARP_OPS },
]);
const [HWTYPE, PTYPE, HWLEN, PLEN, OP] = ARP_FIXED.fields;
const ARP_DESCRIBE = [...ARP_FIXED.describe, ...describeFields([
  { name: 'hwsrc', bits: 48, kind: 'mac', default: '00:00:00:00:00:00' },
  { name: 'psrc', bits: 32, kind: 'ipv4', default: '0.0.0.0' },
  { name: 'hwdst', bits: 48, kind: 'mac', default: '00:00:00:00:00:00' },
  { name: 'pdst', bits: 32, kind: 'ipv4', default: '0.0.0.0' },
])];

function arpAddress(b: Uint8Array, at: number, len: number, isHw: boolean): FieldValue {
  if (isHw && len === 6) return formatMac(b, at);
  if (!isHw && len === 4) return formatIpv4(b, at);
  if (!isHw && len === 16) return formatIpv6(b, at);
  return b.slice(at, at + len);
}

function arpAddressBytes(name: string, v: FieldValue, isHw: boolean): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') throw new PacketBuildError('ARP', name, 'expected an address string or bytes');
  if (isHw) return toAddress('ARP', name, 'mac', v);
  return toAddress('ARP', name, v.includes(':') ? 'ipv6' : 'ipv4', v);
}

export const arpCodec: LayerCodec = {
  name: 'ARP',
  describe: ARP_DESCRIBE,
  decode(s: DecodeState, at: number, end: number) {
    if (!truncatedHeader(s, 'ARP', at, end, 8)) return null;
    const v = s.view;
    const hwlen = v.getUint8(at + 4);
    const plen = v.getUint8(at + 5);
    const size = 8 + 2 * (hwlen + plen);
    if (!truncatedHeader(s, 'ARP', at, end, size)) return null;
    const b = s.bytes;
    const fields: Record<string, FieldValue> = {
      hwtype: v.getUint16(at), ptype: v.getUint16(at + 2), hwlen, plen, op: v.getUint16(at + 6),
      hwsrc: arpAddress(b, at + 8, hwlen, true),
      psrc: arpAddress(b, at + 8 + hwlen, plen, false),
      hwdst: arpAddress(b, at + 8 + hwlen + plen, hwlen, true),
      pdst: arpAddress(b, at + 8 + 2 * hwlen + plen, plen, false),
    };
    if (hwlen === 0 && plen === 0) reportIssue(s, { kind: 'bad-length', layer: 'ARP', offsetBytes: at + 4, field: 'hwlen', detail: 'hwlen and plen are both 0' });
    return { fields, headerBytes: size, next: null, end: at + size };
  },
  encode(w, f) {
    checkFieldNames('ARP', ARP_DESCRIBE, f);
    const hwsrc = arpAddressBytes('hwsrc', f['hwsrc'] ?? '00:00:00:00:00:00', true);
    const psrc = arpAddressBytes('psrc', f['psrc'] ?? '0.0.0.0', false);
    const hwdst = arpAddressBytes('hwdst', f['hwdst'] ?? '00:00:00:00:00:00', true);
    const pdst = arpAddressBytes('pdst', f['pdst'] ?? '0.0.0.0', false);
    if (!HWTYPE || !PTYPE || !HWLEN || !PLEN || !OP) throw new Error('ARP header definition is incomplete');
    w.u16(toUint('ARP', HWTYPE, f['hwtype'] ?? 1));
    w.u16(toUint('ARP', PTYPE, f['ptype'] ?? 0x0800));
    const hwlen = f['hwlen'];
    const plen = f['plen'];
    w.u8(isUnset(hwlen) ? hwsrc.length : toUint('ARP', HWLEN, hwlen));
    w.u8(isUnset(plen) ? psrc.length : toUint('ARP', PLEN, plen));
    w.u16(toUint('ARP', OP, f['op'] ?? 1));
    w.bytes(hwsrc); w.bytes(psrc); w.bytes(hwdst); w.bytes(pdst);
  },
};
