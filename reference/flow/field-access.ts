/**
 * Reading and writing one field of a FlowKey, through the field catalog.
 *
 * What: `getField`/`setField` move a field's value in and out of a key;
 * because masks share the key layout, the same calls read and write a
 * field's mask (`getFieldMask`/`setFieldMask` are named aliases for
 * readability), and `setFieldExact`/`isFieldExact`/`isFieldWildcarded`
 * cover the common mask cases.
 *
 * Invariant: a write touches only the field's own bits (`bitMask` within
 * its storage); the other bits of a shared slot (e.g. PCP beside VID in
 * `vlan0_tci`, ECN beside DSCP in `nw_tos`) are left as they were.
 *
 * Values: numbers for fields of at most 32 bits, bigints for wider ones
 * (MACs as 48-bit integers, `metadata`, IPv6 addresses, `ct_label`), all
 * in host order. Bits of a value beyond the field are dropped silently, as
 * OVS's mf_set_flow_value does; a negative or non-integer value is harness
 * misuse and throws.
 */
import type { FlowKey } from './flow-key.ts';
import { FIELDS, type FieldName, type FieldSpec, type FieldValue } from './field-catalog.ts';

const U64 = (1n << 64n) - 1n;

/** Reads field `f` of `key` (number or bigint per `f.valueKind`). */
export function readField(key: FlowKey, f: FieldSpec): number | bigint {
  const v = key.view;
  const o = f.offset;
  switch (f.bytes) {
    case 1:
      return ((v.getUint8(o) & f.bitMask) >>> f.shift) >>> 0;
    case 2:
      return ((v.getUint16(o) & f.bitMask) >>> f.shift) >>> 0;
    case 4:
      return ((v.getUint32(o) & f.bitMask) >>> f.shift) >>> 0;
    case 6:
      return (BigInt(v.getUint16(o)) << 32n) | BigInt(v.getUint32(o + 2));
    case 8:
      return v.getBigUint64(o);
    case 16:
      return (v.getBigUint64(o) << 64n) | v.getBigUint64(o + 8);
  }
}

function checkNumber(f: FieldSpec, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`field ${f.name}: value ${String(value)} is not a non-negative integer`);
  }
}

function checkBig(f: FieldSpec, value: bigint): void {
  if (value < 0n) throw new RangeError(`field ${f.name}: value ${value} is negative`);
}

/** Writes field `f` of `key`; only the field's bits change. */
export function writeField(key: FlowKey, f: FieldSpec, value: number | bigint): void {
  const v = key.view;
  const o = f.offset;
  if (f.bytes <= 4) {
    const n = typeof value === 'bigint' ? Number(value & 0xffffffffn) : value;
    checkNumber(f, n);
    const bits = ((n * 2 ** f.shift) % 2 ** 32) & f.bitMask;
    if (f.bytes === 1) v.setUint8(o, (v.getUint8(o) & ~f.bitMask) | bits);
    else if (f.bytes === 2) v.setUint16(o, (v.getUint16(o) & ~f.bitMask) | bits);
    else v.setUint32(o, ((v.getUint32(o) & ~f.bitMask) | bits) >>> 0);
    return;
  }
  const b = typeof value === 'bigint' ? value : BigInt(value);
  checkBig(f, b);
  switch (f.bytes) {
    case 6:
      v.setUint16(o, Number((b >> 32n) & 0xffffn));
      v.setUint32(o + 2, Number(b & 0xffffffffn));
      return;
    case 8:
      v.setBigUint64(o, b & U64);
      return;
    case 16:
      v.setBigUint64(o, (b >> 64n) & U64);
      v.setBigUint64(o + 8, b & U64);
      return;
  }
}

/** The value of field `name` in `key`. */
export function getField<N extends FieldName>(key: FlowKey, name: N): FieldValue<N> {
  return readField(key, FIELDS[name]) as FieldValue<N>;
}

/** Sets field `name` of `key` to `value`. */
export function setField<N extends FieldName>(key: FlowKey, name: N, value: FieldValue<N>): void {
  writeField(key, FIELDS[name], value);
}

/** The mask of field `name` held in the mask key `mask` (same layout as keys). */
export function getFieldMask<N extends FieldName>(mask: FlowKey, name: N): FieldValue<N> {
  return readField(mask, FIELDS[name]) as FieldValue<N>;
}

/** Sets the mask of field `name` in `mask`. */
export function setFieldMask<N extends FieldName>(mask: FlowKey, name: N, value: FieldValue<N>): void {
  writeField(mask, FIELDS[name], value);
}

/** The all-ones value of field `f` (its exact-match mask). */
export function exactMaskOf(f: FieldSpec): number | bigint {
  if (f.bytes <= 4) return (f.bitMask >>> f.shift) >>> 0;
  return (1n << BigInt(f.bytes * 8)) - 1n;
}

/** Marks every bit of field `f` significant in `mask`. */
export function setFieldExact(mask: FlowKey, f: FieldSpec): void {
  writeField(mask, f, exactMaskOf(f));
}

/** True when every bit of field `f` is set in `mask`. */
export function isFieldExact(mask: FlowKey, f: FieldSpec): boolean {
  return readField(mask, f) === exactMaskOf(f);
}

/** True when no bit of field `f` is set in `mask`. */
export function isFieldWildcarded(mask: FlowKey, f: FieldSpec): boolean {
  const m = readField(mask, f);
  return m === 0 || m === 0n;
}
