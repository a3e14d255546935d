/**
 * The layer model shared by every protocol codec: what a decoded or
 * to-be-built packet looks like, and the one interface each protocol codec
 * implements.
 *
 * A packet is a list of layers, outermost first, in scapy's style: each layer
 * has scapy 2.5's class name (`Ether`, `IP`, `TCP`, ...) and a record of
 * fields under scapy's field names. Decoding fills every field with the value
 * on the wire (computed ones included), so `encodePacket(decodePacket(b).layers)`
 * gives `b` back. When building, a missing field takes its default, and a
 * missing or `null` computed field (lengths, checksums, next-protocol values)
 * is computed, as scapy does for `None`.
 *
 * Invariant: decoders never throw on packet bytes; they return what they
 * could decode plus `DecodeIssue`s with the offset where each problem was
 * found. Encoders throw `PacketBuildError` for a bad spec (harness misuse).
 *
 * Left out on purpose: scapy's many other layer classes (DNS, GRE, ...):
 * their bytes decode as `Raw`.
 */

export type LayerName =
  | 'Ether' | 'Dot3' | 'LLC' | 'SNAP' | 'Dot1Q' | 'Dot1AD' | 'ARP' | 'IP' | 'IPv6'
  | 'IPv6ExtHdrHopByHop' | 'IPv6ExtHdrRouting' | 'IPv6ExtHdrDestOpt' | 'IPv6ExtHdrFragment'
  | 'ICMP' | 'ICMPv6EchoRequest' | 'ICMPv6EchoReply' | 'ICMPv6ND_NS' | 'ICMPv6ND_NA'
  | 'ICMPv6NDOptSrcLLAddr' | 'ICMPv6NDOptDstLLAddr' | 'ICMPv6Unknown' | 'TCP' | 'UDP' | 'SCTP' | 'Raw' | 'Padding';

/**
 * A field value as a user writes it (scapy conventions): integers as numbers,
 * MACs as lowercase 'aa:bb:cc:dd:ee:ff', IPv4 dotted quads, IPv6 text (RFC
 * 5952 form when decoded), bytes as Uint8Array, lists, and nested
 * constructors (`IPOption_RR()`, `PadN(optdata=...)`) as `{ call, args }`.
 */
export type FieldValue =
  | number | string | Uint8Array | null | readonly FieldValue[]
  | { readonly call: string; readonly args: Readonly<Record<string, FieldValue>> };

export interface LayerSpec {
  readonly name: LayerName;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** A decoded layer; `offsetBytes`/`lengthBytes` cover this layer's header bytes only. */
export interface Layer extends LayerSpec {
  readonly offsetBytes: number;
  readonly lengthBytes: number;
}

export type DecodeIssueKind = 'truncated' | 'bad-length' | 'bad-checksum' | 'unsupported';

export interface DecodeIssue {
  readonly kind: DecodeIssueKind;
  readonly layer: LayerName;
  readonly offsetBytes: number;
  readonly field?: string;
  readonly detail: string;
}

export interface DecodedPacket {
  readonly layers: readonly Layer[];
  readonly issues: readonly DecodeIssue[];
}

/** Thrown by `encodePacket` for an unknown layer or field or a value it cannot encode. */
export class PacketBuildError extends Error {
  readonly layer: string;
  readonly field: string | undefined;
  readonly reason: string;
  constructor(layer: string, field: string | undefined, reason: string) {
    super(`${layer}${field === undefined ? '' : `.${field}`}: ${reason}`);
    this.name = 'PacketBuildError';
    this.layer = layer;
    this.field = field;
    this.reason = reason;
  }
}

/** Where the enclosing network header keeps what a transport checksum needs. */
export interface L3Context {
  readonly version: 4 | 6;
  /** Absolute offsets of the source and (final) destination address bytes. */
  readonly srcAt: number;
  dstAt: number;
  /** True for any fragment: upper-layer checksums then cover bytes not here. */
  isFragment: boolean;
  /** Upper-layer length for the pseudo-header when not the bytes present (scapy: IP len - 4 * ihl when len is set). */
  upperLength?: number;
}

/** Mutable state of one decode run, shared by the codecs. */
export interface DecodeState {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly issues: DecodeIssue[];
  l3: L3Context | null;
  /** Set once any `truncated` issue is reported: checksums are then not verified. */
  isTruncated: boolean;
}

/** What a codec's decode step found. */
export interface DecodeStep {
  readonly fields: Record<string, FieldValue>;
  readonly headerBytes: number;
  /** The layer the payload decodes as, or null when nothing is dispatched. */
  readonly next: LayerName | null;
  /** End (exclusive) of this layer's payload; bytes after it up to the outer end are Padding. */
  readonly end: number;
}

/** One built layer, as the encoder hands it to a codec's `finish`. */
export interface BuiltLayer {
  readonly name: LayerName;
  /** The spec's fields merged with binding values (spec wins). */
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly start: number;
  readonly headerEnd: number;
  /** End of this layer's payload, excluding trailing Padding layers. */
  payloadEnd: number;
}

/** The protocol codec interface: every layer has these operations. */
export interface LayerCodec {
  readonly name: LayerName;
  /** Field names, kinds and defaults for error messages and validation. */
  readonly describe: readonly FieldInfo[];
  /**
   * Decodes the header at `at` (payload runs to `end`). Returns null when the
   * header itself cannot be read; it then reports the issue itself.
   */
  decode(s: DecodeState, at: number, end: number): DecodeStep | null;
  /** Writes the header (computed fields as placeholders when unset). */
  encode(w: EncodeTarget, fields: Readonly<Record<string, FieldValue>>): void;
  /** Fills computed fields once the whole packet is written; `i` is this layer's index. */
  finish?(buf: Uint8Array, layers: readonly BuiltLayer[], i: number): void;
}

export interface FieldInfo {
  readonly name: string;
  readonly kind: string;
  readonly default?: FieldValue;
}

/** The subset of ByteWriter the codecs write through. */
export interface EncodeTarget {
  readonly length: number;
  u8(v: number): unknown;
  u16(v: number): unknown;
  u32(v: number): unknown;
  bytes(b: Uint8Array): unknown;
  zeros(n: number): unknown;
}

/** Records an issue and, for truncation, marks the state. */
export function reportIssue(s: DecodeState, issue: DecodeIssue): void {
  s.issues.push(issue);
  if (issue.kind === 'truncated') s.isTruncated = true;
}
