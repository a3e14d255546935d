/**
 * Don't-care masks for packet comparison: named header fields (`ip.ttl`,
 * `ip.checksum`, `eth.src`, `ipv6.hlim`, `tcp.seq`, …) and raw byte or bit
 * ranges (`@22:1`, `@14/0f`) turned into a bit mask over one packet's bytes.
 *
 * Field names are scapy's, with a lowercase layer prefix: `ip.ttl` is the
 * `ttl` field of every `IP` layer of the packet (outer and inner). Aliases:
 * `eth`/`ether` = Ether, `ipv4` = IP, `icmpv6` = any ICMPv6 message layer,
 * and the field `checksum` = scapy's `chksum` or `cksum`.
 *
 * The bits of a field are not hard-coded: they are found from the decoder
 * itself, by flipping each bit of the layer's header and recording which
 * decoded fields change (cached per layer shape), so every field the decoder
 * knows works, at bit precision (`ip.flags`, `ipv6.tc`).
 *
 * Invariant: a name never implies another; `ip.ttl` does not ignore the IPv4
 * checksum that a TTL change also changes (list both, as PTF and scapy users
 * do). Unknown names are reported as errors, never silently ignored.
 * Left out on purpose: masks over the payload by name (use `@offset:len`).
 */
import { BUILDER_LAYER_NAMES, decodePacket, describeLayer } from '../../reference/packet/index.ts';
import type { DecodedPacket, FieldValue, Layer, LayerName } from '../../reference/packet/index.ts';

export type DontCare =
  | { readonly type: 'field'; readonly text: string; readonly layers: readonly LayerName[]; readonly fields: readonly string[] }
  | { readonly type: 'bits'; readonly text: string; readonly offset: number; readonly mask: Uint8Array };

export type DontCareParse = { readonly ok: true; readonly specs: DontCare[] } | { readonly ok: false; readonly message: string };

const LAYER_ALIASES: Readonly<Record<string, readonly LayerName[]>> = {
  eth: ['Ether'], ether: ['Ether'], ipv4: ['IP'],
  icmpv6: ['ICMPv6EchoRequest', 'ICMPv6EchoReply', 'ICMPv6ND_NS', 'ICMPv6ND_NA', 'ICMPv6Unknown'],
};
const FIELD_ALIASES: Readonly<Record<string, readonly string[]>> = { checksum: ['chksum', 'cksum'] };

/** Parses names such as `ip.ttl`, `udp.checksum`, `@22:1` (bytes) or `@14/0f` (bits). */
export function parseDontCares(names: readonly string[]): DontCareParse {
  const specs: DontCare[] = [];
  for (const raw of names) {
    const text = raw.trim();
    const spec = text.startsWith('@') ? parseRaw(text) : parseField(text);
    if (typeof spec === 'string') return { ok: false, message: spec };
    specs.push(spec);
  }
  return { ok: true, specs };
}

function parseRaw(text: string): DontCare | string {
  const m = /^@(0x[0-9a-f]+|[0-9]+)(?::([0-9]+)|\/([0-9a-f]+))$/i.exec(text);
  if (!m) return `bad raw mask ${JSON.stringify(text)}: expected @<offset>:<length> or @<offset>/<hex bit mask>`;
  const offset = Number(m[1]);
  if (m[2] !== undefined) return { type: 'bits', text, offset, mask: new Uint8Array(Number(m[2])).fill(0xff) };
  const hex = m[3] ?? '';
  const padded = hex.length % 2 ? '0' + hex : hex;
  return { type: 'bits', text, offset, mask: Uint8Array.from(padded.match(/../g) ?? [], (h) => parseInt(h, 16)) };
}

function parseField(text: string): DontCare | string {
  const dot = text.indexOf('.');
  if (dot <= 0) return `bad don't-care field ${JSON.stringify(text)}: expected <layer>.<field> such as ip.ttl, or @<offset>:<length>`;
  const prefix = text.slice(0, dot).toLowerCase();
  const name = text.slice(dot + 1);
  const layers = LAYER_ALIASES[prefix] ?? BUILDER_LAYER_NAMES.filter((l) => l.toLowerCase() === prefix);
  if (layers.length === 0) return `unknown layer ${JSON.stringify(prefix)} in ${JSON.stringify(text)}`;
  const known = new Set(layers.flatMap((l) => describeLayer(l).fields.map((f) => f.name)));
  const fields = (FIELD_ALIASES[name] ?? [name]).filter((f) => known.has(f));
  if (fields.length === 0) return `unknown field ${JSON.stringify(name)} of ${layers.join('/')} in ${JSON.stringify(text)}; known: ${[...known].join(', ')}`;
  return { type: 'field', text, layers, fields };
}

/** Per layer shape: field name → bit mask relative to the layer's first byte. */
type FieldBits = ReadonlyMap<string, Uint8Array>;
const layoutCache = new Map<string, FieldBits>();

/**
 * Which header bits each decoded field of `packet.layers[index]` occupies,
 * found by flipping bits of the header and re-decoding. Cached per layer shape
 * (name, header length, field set).
 */
export function layerFieldBits(bytes: Uint8Array, packet: DecodedPacket, index: number): FieldBits {
  const layer = packet.layers[index];
  if (!layer) return new Map();
  const shape = `${layer.name}|${layer.lengthBytes}|${Object.keys(layer.fields).join(',')}`;
  const cached = layoutCache.get(shape);
  if (cached) return cached;
  const base = new Map(Object.entries(layer.fields).map(([k, v]) => [k, valueKey(v)]));
  const bits = new Map<string, Uint8Array>();
  const probe = bytes.slice();
  for (let i = 0; i < layer.lengthBytes; i++) {
    const at = layer.offsetBytes + i;
    for (let bit = 0; bit < 8; bit++) {
      probe[at] = (probe[at] ?? 0) ^ (0x80 >> bit);
      // Compare before restoring the bit: decoded byte fields may alias `probe`.
      const flipped = decodePacket(probe).layers[index];
      for (const [field, before] of flipped?.name === layer.name ? base : []) {
        if (valueKey(flipped?.fields[field]) === before) continue;
        let m = bits.get(field);
        if (!m) bits.set(field, (m = new Uint8Array(layer.lengthBytes)));
        m[i] = (m[i] ?? 0) | (0x80 >> bit);
      }
      probe[at] = (probe[at] ?? 0) ^ (0x80 >> bit);
    }
  }
  if (layoutCache.size > 4096) layoutCache.clear();
  layoutCache.set(shape, bits);
  return bits;
}

function valueKey(v: FieldValue | undefined): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));
}

/**
 * The don't-care bit mask for `bytes` (1 = ignore), as long as the packet.
 * Field specs apply to every layer of their kind; a spec whose layer is
 * absent from this packet masks nothing.
 */
export function dontCareMask(bytes: Uint8Array, specs: readonly DontCare[], packet: DecodedPacket = decodePacket(bytes)): Uint8Array {
  const mask = new Uint8Array(bytes.length);
  for (const spec of specs) {
    if (spec.type === 'bits') {
      for (let i = 0; i < spec.mask.length && spec.offset + i < mask.length; i++) mask[spec.offset + i] = (mask[spec.offset + i] ?? 0) | (spec.mask[i] ?? 0);
      continue;
    }
    packet.layers.forEach((layer, index) => {
      if (!spec.layers.includes(layer.name)) return;
      const layout = layerFieldBits(bytes, packet, index);
      for (const f of spec.fields) orInto(mask, layout.get(f), layer.offsetBytes);
    });
  }
  return mask;
}

function orInto(mask: Uint8Array, bits: Uint8Array | undefined, at: number): void {
  if (!bits) return;
  for (let i = 0; i < bits.length && at + i < mask.length; i++) mask[at + i] = (mask[at + i] ?? 0) | (bits[i] ?? 0);
}

/** `Layer.field` names whose bits include byte `offset` (for diff messages); 'payload' when none. */
export function fieldsAtOffset(bytes: Uint8Array, packet: DecodedPacket, offset: number): string[] {
  const out: string[] = [];
  packet.layers.forEach((layer: Layer, index) => {
    const rel = offset - layer.offsetBytes;
    if (rel < 0 || rel >= layer.lengthBytes) return;
    for (const [field, bits] of layerFieldBits(bytes, packet, index)) if ((bits[rel] ?? 0) !== 0) out.push(`${layer.name}.${field}`);
  });
  return out.length ? out : ['payload'];
}
