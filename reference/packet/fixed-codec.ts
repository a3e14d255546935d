/**
 * A `LayerCodec` built from a declarative `Header` plus small hooks: the
 * generic part of every fixed-size header (truncation check, field decode,
 * field encode, patching computed fields).
 *
 * Invariant: `decode` reports `truncated` and returns null when the header
 * does not fit in `[at, end)`; otherwise it decodes every field and asks the
 * hooks for the next layer and the payload end (which may report issues but
 * never throw).
 *
 * Left out: variable-length headers, which implement `LayerCodec` by hand.
 */
import type { BuiltLayer, DecodeState, FieldValue, LayerCodec, LayerName } from './layer-model.ts';
import { reportIssue } from './layer-model.ts';
import type { Header } from './header-fields.ts';
import { checkFieldNames, decodeHeader, encodeHeader, isUnset } from './header-fields.ts';

export interface FixedHooks {
  /** The layer the payload decodes as; null for none (the rest is Raw). */
  next?(f: Record<string, FieldValue>, s: DecodeState, at: number, end: number): LayerName | null;
  /** End of the payload, given the header ends at `payloadAt`; may report issues. Default: `end`. */
  payloadEnd?(f: Record<string, FieldValue>, s: DecodeState, at: number, payloadAt: number, end: number): number;
  /** Called after the header is decoded, before next/payloadEnd: check checksums, set L3 context, ... */
  inspect?(f: Record<string, FieldValue>, s: DecodeState, at: number, end: number): void;
  finish?(buf: Uint8Array, layers: readonly BuiltLayer[], i: number): void;
}

export function fixedCodec(name: LayerName, header: Header, hooks: FixedHooks = {}): LayerCodec {
  const codec: LayerCodec = {
    name,
    describe: header.describe,
    decode(s, at, end) {
      if (!truncatedHeader(s, name, at, end, header.bytes)) return null;
      const fields: Record<string, FieldValue> = {};
      decodeHeader(header, s.bytes, s.view, at, fields);
      const payloadAt = at + header.bytes;
      hooks.inspect?.(fields, s, at, end);
      const payloadEnd = hooks.payloadEnd ? hooks.payloadEnd(fields, s, at, payloadAt, end) : end;
      const next = hooks.next ? hooks.next(fields, s, payloadAt, payloadEnd) : null;
      return { fields, headerBytes: header.bytes, next, end: payloadEnd };
    },
    encode(w, fields) {
      checkFieldNames(name, header.describe, fields);
      encodeHeader(header, name, w, fields);
    },
  };
  if (hooks.finish) codec.finish = hooks.finish;
  return codec;
}

/** Returns true when `bytes` bytes fit at `at`; otherwise reports the truncation and returns false. */
export function truncatedHeader(s: DecodeState, name: LayerName, at: number, end: number, bytes: number): boolean {
  if (at + bytes <= end) return true;
  reportIssue(s, { kind: 'truncated', layer: name, offsetBytes: at, detail: `${name} header needs ${bytes} bytes, ${end - at} left` });
  return false;
}

/**
 * Clamps a declared payload end to the data: reports `truncated` (the declared
 * length runs past the data) or returns the declared end.
 */
export function declaredEnd(s: DecodeState, name: LayerName, field: string, fieldAt: number, declared: number, end: number): number {
  if (declared <= end) return declared;
  reportIssue(s, { kind: 'truncated', layer: name, offsetBytes: fieldAt, field, detail: `${field} promises bytes up to offset ${declared}, data ends at ${end}` });
  return end;
}

/** Writes a 16-bit computed value at `at` when the spec left `field` unset. */
export function patch16(buf: Uint8Array, fields: Readonly<Record<string, FieldValue>>, field: string, at: number, value: number): void {
  if (!isUnset(fields[field])) return;
  buf[at] = (value >> 8) & 0xff;
  buf[at + 1] = value & 0xff;
}

export function patch8(buf: Uint8Array, fields: Readonly<Record<string, FieldValue>>, field: string, at: number, value: number): void {
  if (!isUnset(fields[field])) return;
  buf[at] = value & 0xff;
}

export function read16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}
