/**
 * Set algebra on sorted datums: lookup, union, subtraction, inclusion, and
 * the diff form Open vSwitch writes in `_is_diff` records and `update2`
 * "modify" (ovsdb_datum_diff / ovsdb_datum_apply_diff).
 *
 * Invariant: inputs are sorted, duplicate-free datums; outputs are too, and
 * are new objects (inputs are never mutated). Merges are linear.
 */
import type { Atom, ColumnType, Datum } from './ovsdb-types.ts';
import { OvsdbError } from './errors.ts';
import { compareAtoms } from './atom.ts';

/** Index of `key` in `d.keys`, or -1. */
export function findKey(d: Datum, key: Atom): number {
  const keys = d.keys;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareAtoms(keys[mid] as Atom, key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

class Builder {
  readonly keys: Atom[] = [];
  readonly values: Atom[] | undefined;
  constructor(isMap: boolean) {
    this.values = isMap ? [] : undefined;
  }
  push(d: Datum, i: number): void {
    this.keys.push(d.keys[i] as Atom);
    if (this.values) this.values.push(d.values?.[i] as Atom);
  }
  done(): Datum {
    return this.values ? { keys: this.keys, values: this.values } : { keys: this.keys };
  }
}

/** Composite = max > 1: diffs are per element; otherwise the diff is the new value. */
function isComposite(type: ColumnType): boolean {
  return type.max > 1;
}

/**
 * ovsdb_datum_diff: for sets the symmetric difference; for maps the pairs
 * removed (old value), added, and changed (new value). Scalars: `to` itself.
 */
export function datumDiff(type: ColumnType, from: Datum, to: Datum): Datum {
  if (!isComposite(type)) return to;
  const isMap = type.value !== undefined;
  const out = new Builder(isMap);
  let i = 0;
  let j = 0;
  while (i < from.keys.length && j < to.keys.length) {
    const c = compareAtoms(from.keys[i] as Atom, to.keys[j] as Atom);
    if (c < 0) out.push(from, i++);
    else if (c > 0) out.push(to, j++);
    else {
      if (isMap && from.values?.[i] !== to.values?.[j]) out.push(to, j);
      i++;
      j++;
    }
  }
  while (i < from.keys.length) out.push(from, i++);
  while (j < to.keys.length) out.push(to, j++);
  return out.done();
}

/**
 * ovsdb_datum_apply_diff_in_place: each diff key absent from `from` is
 * added, present with another map value is replaced, otherwise removed.
 * Throws OvsdbError when the result breaks the type's cardinality.
 */
export function applyDatumDiff(type: ColumnType, from: Datum, diff: Datum): Datum {
  if (!isComposite(type)) return diff;
  const isMap = type.value !== undefined;
  const out = new Builder(isMap);
  let i = 0;
  let j = 0;
  while (i < from.keys.length || j < diff.keys.length) {
    const c =
      i >= from.keys.length ? 1 : j >= diff.keys.length ? -1 : compareAtoms(from.keys[i] as Atom, diff.keys[j] as Atom);
    if (c < 0) out.push(from, i++);
    else if (c > 0) out.push(diff, j++);
    else {
      if (isMap && from.values?.[i] !== diff.values?.[j]) out.push(diff, j);
      i++;
      j++;
    }
  }
  const d = out.done();
  if (d.keys.length < type.min || d.keys.length > type.max) {
    throw new OvsdbError('ovsdb error', 'Datum crated by diff has size error');
  }
  return d;
}

/** Union: keys of `b` not in `a` are added (for maps `a`'s value wins on a shared key). */
export function datumUnion(a: Datum, b: Datum): Datum {
  const out = new Builder(a.values !== undefined);
  let i = 0;
  let j = 0;
  while (i < a.keys.length || j < b.keys.length) {
    const c = i >= a.keys.length ? 1 : j >= b.keys.length ? -1 : compareAtoms(a.keys[i] as Atom, b.keys[j] as Atom);
    if (c <= 0) {
      out.push(a, i++);
      if (c === 0) j++;
    } else out.push(b, j++);
  }
  return out.done();
}

/**
 * Removes from `a` the keys of `b`; when `byPair` (both maps) only pairs
 * whose value also matches (ovsdb_datum_subtract).
 */
export function datumSubtract(a: Datum, b: Datum, byPair: boolean): Datum {
  const out = new Builder(a.values !== undefined);
  let i = 0;
  let j = 0;
  while (i < a.keys.length) {
    const c = j >= b.keys.length ? -1 : compareAtoms(a.keys[i] as Atom, b.keys[j] as Atom);
    if (c < 0) out.push(a, i++);
    else if (c > 0) j++;
    else {
      if (byPair && a.values?.[i] !== b.values?.[j]) out.push(a, i);
      i++;
      j++;
    }
  }
  return out.done();
}

/** True when every key (and for maps, pair) of `b` is in `a` (ovsdb_datum_includes_all). */
export function datumIncludesAll(a: Datum, b: Datum): boolean {
  for (let j = 0; j < b.keys.length; j++) {
    const i = findKey(a, b.keys[j] as Atom);
    if (i < 0) return false;
    if (a.values && b.values && a.values[i] !== b.values[j]) return false;
  }
  return true;
}

/** True when no key (and for maps, pair) of `b` is in `a` (ovsdb_datum_excludes_all). */
export function datumExcludesAll(a: Datum, b: Datum): boolean {
  for (let j = 0; j < b.keys.length; j++) {
    const i = findKey(a, b.keys[j] as Atom);
    if (i >= 0 && (!a.values || !b.values || a.values[i] === b.values[j])) return false;
  }
  return true;
}

/** Three-way comparison of whole datums (ovsdb_datum_compare_3way): by size, then keys, then values. */
export function compareDatums(a: Datum, b: Datum): number {
  if (a.keys.length !== b.keys.length) return a.keys.length < b.keys.length ? -1 : 1;
  for (let i = 0; i < a.keys.length; i++) {
    const c = compareAtoms(a.keys[i] as Atom, b.keys[i] as Atom);
    if (c) return c;
  }
  if (a.values && b.values) {
    for (let i = 0; i < a.values.length; i++) {
      const c = compareAtoms(a.values[i] as Atom, b.values[i] as Atom);
      if (c) return c;
    }
  }
  return 0;
}

/**
 * What changed from `a` to `b` (ovsdb_datum_added_removed): `added` holds the
 * keys (pairs, for maps) of `b` not in `a`, `removed` those of `a` not in `b`;
 * a map key whose value changed is in both. Linear merge.
 */
export function datumAddedRemoved(a: Datum, b: Datum): { added: Datum; removed: Datum } {
  const isMap = a.values !== undefined;
  const added = new Builder(isMap);
  const removed = new Builder(isMap);
  let i = 0;
  let j = 0;
  while (i < a.keys.length || j < b.keys.length) {
    const c = i >= a.keys.length ? 1 : j >= b.keys.length ? -1 : compareAtoms(a.keys[i] as Atom, b.keys[j] as Atom);
    if (c < 0) removed.push(a, i++);
    else if (c > 0) added.push(b, j++);
    else {
      if (isMap && a.values?.[i] !== b.values?.[j]) {
        removed.push(a, i);
        added.push(b, j);
      }
      i++;
      j++;
    }
  }
  return { added: added.done(), removed: removed.done() };
}
