/**
 * Packet builder: scapy-syntax packet expressions → layer specs → bytes.
 *
 * What: scenarios write packets as scapy does,
 *   Ether(src="02:00:00:00:00:01")/Dot1Q(vlan=10)/IP(ttl=5)/TCP(flags="S")/Raw(load="hi")
 * `parsePacketExpression` parses such text (it is never evaluated) and checks
 * every layer and field name against the encoder's layer catalog;
 * `buildPacket` then hands the specs to the encoder.
 * Invariant: `parsePacketExpression` never throws; every error carries the
 * 1-based line and column of the offending token and the token itself.
 * Leaves out on purpose: field value checking (the encoder owns field kinds
 * and reports bad values), positional arguments other than Raw/Padding's
 * `load`, and all of Python beyond literals (see builder-parser.ts).
 * Spec: scapy 2.5's constructor syntax (`Layer(field=value)/Layer(...)`).
 */
import { parseLayers, type ParsedArg, type ParsedLayer } from './builder-parser.ts';
import type { FieldValue, LayerName, LayerSpec } from './layer-model.ts';
import { PacketBuildError } from './layer-model.ts';
import { describeLayer } from './describe-layer.ts';
import { encodePacket } from './encode.ts';

/** Every layer the encoder builds; checked against `LayerName` both ways below. */
export const BUILDER_LAYER_NAMES = [
  'Ether', 'Dot3', 'LLC', 'SNAP', 'Dot1Q', 'Dot1AD', 'ARP', 'IP', 'IPv6',
  'IPv6ExtHdrHopByHop', 'IPv6ExtHdrRouting', 'IPv6ExtHdrDestOpt', 'IPv6ExtHdrFragment',
  'ICMP', 'ICMPv6EchoRequest', 'ICMPv6EchoReply', 'ICMPv6ND_NS', 'ICMPv6ND_NA',
  'ICMPv6NDOptSrcLLAddr', 'ICMPv6NDOptDstLLAddr', 'ICMPv6Unknown',
  'TCP', 'UDP', 'SCTP', 'Raw', 'Padding',
] as const satisfies readonly LayerName[];
type MissingLayerName = Exclude<LayerName, (typeof BUILDER_LAYER_NAMES)[number]>;
const everyLayerListed: [MissingLayerName] extends [never] ? true : MissingLayerName = true;
void everyLayerListed;

/** A syntax or naming error in a packet expression. */
export interface BuilderSyntaxError {
  /** `column 23: unexpected token ')'` (prefixed `line L, ` for multi-line text). */
  readonly message: string;
  /** 1-based line and column of the offending token (column counts UTF-16 units). */
  readonly line: number;
  readonly column: number;
  /** 0-based offset into the text; equals text.length at end of input. */
  readonly offset: number;
  /** The offending source text (at most 20 characters), '' at end of input. */
  readonly token: string;
  /** The message without its position prefix. */
  readonly reason: string;
}

export type PacketParseResult =
  | { readonly ok: true; readonly layers: LayerSpec[] }
  | { readonly ok: false; readonly error: BuilderSyntaxError };

/** Which layers exist and which fields each has (the encoder's, by default). */
export interface LayerCatalog {
  isLayer(name: string): name is LayerName;
  fieldNames(layer: LayerName): readonly string[];
  readonly layerNames: readonly LayerName[];
}

const fieldNameCache = new Map<LayerName, readonly string[]>();

/** The catalog of the encoder in this folder. */
export const defaultLayerCatalog: LayerCatalog = {
  layerNames: BUILDER_LAYER_NAMES,
  isLayer: (name: string): name is LayerName => (BUILDER_LAYER_NAMES as readonly string[]).includes(name),
  fieldNames(layer: LayerName): readonly string[] {
    let names = fieldNameCache.get(layer);
    if (names === undefined) {
      names = describeLayer(layer).fields.map((f) => f.name);
      fieldNameCache.set(layer, names);
    }
    return names;
  },
};

/** Thrown by `buildPacket` (harness misuse: the scenario's expression is wrong). */
export class BuilderError extends Error {
  constructor(
    message: string,
    readonly expression: string,
    readonly syntax: BuilderSyntaxError | undefined,
  ) {
    super(message);
    this.name = 'BuilderError';
  }
}

/**
 * Parses a scapy-syntax packet expression into layer specs for `encodePacket`.
 * Layer and field names are checked against `catalog`; values are passed on
 * as literals (ints, strings, Uint8Array for bytes, null for None, 1/0 for
 * True/False, arrays for lists and tuples, `{ call, args }` for nested calls).
 * Never throws.
 */
export function parsePacketExpression(text: string, catalog: LayerCatalog = defaultLayerCatalog): PacketParseResult {
  const parsed = parseLayers(text);
  if (!parsed.ok) return { ok: false, error: syntaxError(text, parsed.error.offset, parsed.error.token, parsed.error.reason) };
  const layers: LayerSpec[] = [];
  for (const layer of parsed.layers) {
    const spec = toLayerSpec(text, layer, catalog);
    if ('reason' in spec) return { ok: false, error: spec };
    layers.push(spec);
  }
  return { ok: true, layers };
}

/**
 * Parses and encodes `text`. Throws `BuilderError` with the parse error's
 * message, or with the encoder's `PacketBuildError` message prefixed by the
 * expression, when the expression is wrong; any other error is a bug and
 * propagates unchanged.
 */
export function buildPacket(text: string, catalog: LayerCatalog = defaultLayerCatalog): Uint8Array {
  const parsed = parsePacketExpression(text, catalog);
  if (!parsed.ok) throw new BuilderError(parsed.error.message, text, parsed.error);
  try {
    return encodePacket(parsed.layers);
  } catch (err) {
    if (!(err instanceof PacketBuildError)) throw err;
    throw new BuilderError(`cannot build ${JSON.stringify(text)}: ${err.message}`, text, undefined);
  }
}

function toLayerSpec(text: string, layer: ParsedLayer, catalog: LayerCatalog): LayerSpec | BuilderSyntaxError {
  const name = layer.name;
  if (!catalog.isLayer(name)) {
    return syntaxError(text, layer.offset, name, `unknown layer '${name}' (${suggest(name, catalog.layerNames, 'known layers')})`);
  }
  const fieldNames = catalog.fieldNames(name);
  const fields: Record<string, FieldValue> = {};
  for (const [index, arg] of layer.args.entries()) {
    const key = fieldKey(text, name, arg, index, fieldNames);
    if (typeof key !== 'string') return key;
    if (Object.hasOwn(fields, key)) {
      return syntaxError(text, arg.offset, key, `field '${key}' of ${name} given twice (positionally and by name)`);
    }
    Object.defineProperty(fields, key, { value: arg.value, enumerable: true, writable: true, configurable: true });
  }
  return { name, fields };
}

/** The field an argument sets: its keyword, or `load` for Raw/Padding's first positional. */
function fieldKey(
  text: string,
  layer: LayerName,
  arg: ParsedArg,
  index: number,
  fieldNames: readonly string[],
): string | BuilderSyntaxError {
  if (arg.key === undefined) {
    if ((layer === 'Raw' || layer === 'Padding') && index === 0) return 'load';
    const why = index === 0 ? 'scapy would dissect it as raw bytes' : 'use name=value';
    const reason = `positional argument to ${layer} is not supported (${why}; fields: ${fieldNames.join(', ')})`;
    return syntaxError(text, arg.offset, sourceAt(text, arg.offset), reason);
  }
  if (!fieldNames.includes(arg.key)) {
    return syntaxError(text, arg.offset, arg.key, `unknown field '${arg.key}' of ${layer} (fields: ${fieldNames.join(', ')})`);
  }
  return arg.key;
}

function sourceAt(text: string, offset: number): string {
  const m = /^\S{1,20}/.exec(text.slice(offset, offset + 20));
  return m?.[0] ?? '';
}

/**
 * `did you mean X?` for a near miss (same name in another case, a prefix of
 * a known name, or within a small edit distance), else the list of names.
 */
function suggest(name: string, known: readonly string[], label: string): string {
  const lower = name.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  const prefix = lower.length >= 3 ? known.find((k) => k.toLowerCase().startsWith(lower)) : undefined;
  let best = exact ?? prefix;
  if (best === undefined) {
    let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
    for (const candidate of known) {
      if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
      const d = editDistance(lower, candidate.toLowerCase());
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  return best !== undefined ? `did you mean ${best}?` : `${label}: ${known.join(', ')}`;
}

/** Edit distance with adjacent transpositions (optimal string alignment); names are short. */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.abs(a.length - b.length) + 64;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    const prev = rows[i - 1] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      cur.push(d);
    }
    rows.push(cur);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

function syntaxError(text: string, offset: number, token: string, reason: string): BuilderSyntaxError {
  const at = Math.max(0, Math.min(offset, text.length));
  const before = text.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const column = at - lineStart + 1;
  const where = text.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
  return { message: `${where}: ${reason}`, line, column, offset: at, token, reason };
}
