/**
 * The one binding table (scapy's `bind_layers`): which field value of a lower
 * layer announces which upper layer. Decoding reads it forwards (Ether.type
 * 0x0800 → IP); building reads it backwards (IP above Ether sets Ether.type
 * to 0x0800 unless the spec sets it).
 *
 * Invariant: for a given lower layer and dispatch value there is one upper
 * layer; a lower/upper pair has one binding (the first row wins when
 * building). ICMPv6 messages share next-header 58 and are told apart by
 * their type byte (see `refineLayer` in decode.ts).
 *
 * Left out on purpose: bindings to layers this library does not model (GRE,
 * ESP, DNS, ...): such payloads decode as Raw. ICMP error payloads (scapy's
 * IPerror) decode as Raw too; `decodePacket(raw, { first: 'IP' })` reads them.
 */
import type { LayerName } from './layer-model.ts';

interface Binding {
  readonly lower: LayerName;
  readonly upper: LayerName;
  /** Fields of the lower layer that announce the upper layer. */
  readonly fields: Readonly<Record<string, number>>;
  /** Extra values the lower layer takes when building only (scapy's overload_fields beyond dispatch). */
  readonly buildOnly?: Readonly<Record<string, number | string>>;
}

const ETHERTYPES: readonly (readonly [number, LayerName])[] = [
  [0x0800, 'IP'], [0x0806, 'ARP'], [0x86dd, 'IPv6'], [0x8100, 'Dot1Q'], [0x88a8, 'Dot1AD'],
];
/** scapy binds LLC above Ether (and Dot1Q, an alias of Ether there) with type 0x8870 (jumbo LLC). */
const LLC_ETHERTYPE = 0x8870;

const IP_PROTOCOLS: readonly (readonly [number, LayerName])[] = [
  [1, 'ICMP'], [6, 'TCP'], [17, 'UDP'], [132, 'SCTP'], [4, 'IP'], [41, 'IPv6'],
];

const IPV6_NEXT_HEADERS: readonly (readonly [number, LayerName])[] = [
  [0, 'IPv6ExtHdrHopByHop'], [43, 'IPv6ExtHdrRouting'], [44, 'IPv6ExtHdrFragment'], [60, 'IPv6ExtHdrDestOpt'],
  [58, 'ICMPv6Unknown'], [58, 'ICMPv6EchoRequest'], [58, 'ICMPv6EchoReply'], [58, 'ICMPv6ND_NS'], [58, 'ICMPv6ND_NA'],
  [6, 'TCP'], [17, 'UDP'], [132, 'SCTP'], [4, 'IP'], [41, 'IPv6'],
];

/** Layers whose next-header field dispatches like IPv6's. */
export const IPV6_CHAIN: readonly LayerName[] = [
  'IPv6', 'IPv6ExtHdrHopByHop', 'IPv6ExtHdrRouting', 'IPv6ExtHdrDestOpt', 'IPv6ExtHdrFragment',
];

function buildTable(): Binding[] {
  const rows: Binding[] = [];
  for (const lower of ['Ether', 'Dot1Q', 'Dot1AD'] as const) {
    for (const [v, upper] of ETHERTYPES) rows.push({ lower, upper, fields: { type: v } });
    rows.push({ lower, upper: 'LLC', fields: { type: LLC_ETHERTYPE } });
  }
  for (const [v, upper] of ETHERTYPES) rows.push({ lower: 'SNAP', upper, fields: { code: v } });
  rows.push({ lower: 'Dot3', upper: 'LLC', fields: {} });
  rows.push({ lower: 'LLC', upper: 'SNAP', fields: { dsap: 0xaa, ssap: 0xaa, ctrl: 3 } });
  for (const [v, upper] of IP_PROTOCOLS) rows.push({ lower: 'IP', upper, fields: { proto: v } });
  for (const lower of IPV6_CHAIN) {
    for (const [v, upper] of IPV6_NEXT_HEADERS) rows.push({ lower, upper, fields: { nh: v } });
  }
  // scapy's ND messages also set the IPv6 destination and hop limit below them (RFC 4861 requires 255).
  for (const upper of ['ICMPv6ND_NS', 'ICMPv6ND_NA'] as const) {
    rows.unshift({ lower: 'IPv6', upper, fields: { nh: 58 }, buildOnly: { dst: 'ff02::1', hlim: 255 } });
  }
  return rows;
}

export const BINDINGS: readonly Binding[] = buildTable();

const byDispatch = new Map<string, LayerName>();
const byPair = new Map<string, Readonly<Record<string, number | string>>>();
for (const b of BINDINGS) {
  const values = Object.values(b.fields);
  const key = `${b.lower}/${values.join('/')}`;
  if (!byDispatch.has(key) && b.buildOnly === undefined) byDispatch.set(key, b.upper);
  const pair = `${b.lower}>${b.upper}`;
  if (!byPair.has(pair)) byPair.set(pair, { ...b.fields, ...b.buildOnly });
}

const byLowerValue = new Map<LayerName, Map<number, LayerName>>();
for (const b of BINDINGS) {
  const values = Object.values(b.fields);
  if (values.length !== 1 || b.buildOnly !== undefined) continue;
  const m = byLowerValue.get(b.lower) ?? new Map<number, LayerName>();
  if (!m.has(values[0] ?? -1)) m.set(values[0] ?? -1, b.upper);
  byLowerValue.set(b.lower, m);
}

/** The upper layer announced by a lower layer's single dispatch value, or null. */
export function nextLayerFor(lower: LayerName, value: number): LayerName | null {
  return byLowerValue.get(lower)?.get(value) ?? null;
}

/** LLC dispatches on three fields at once. */
export function nextLayerForLlc(dsap: number, ssap: number, ctrl: number): LayerName | null {
  return byDispatch.get(`LLC/${dsap}/${ssap}/${ctrl}`) ?? null;
}

/** Field values the lower layer takes when `upper` is built on top of it, or null when unbound. */
export function bindingFields(lower: LayerName, upper: LayerName): Readonly<Record<string, number | string>> | null {
  return byPair.get(`${lower}>${upper}`) ?? null;
}
