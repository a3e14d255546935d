/**
 * Datums (RFC 7047 §5.1 <value>): every column value is a set of sorted,
 * unique keys, plus parallel values for maps. Parsing and printing follow
 * ovsdb_datum_from_json / ovsdb_datum_to_json: a map is ["map", [[k, v]…]],
 * a set of one key is written bare, others ["set", […]]; cardinality and
 * atom constraints are checked on input with OVS's error strings.
 *
 * Invariant: every Datum this module returns is sorted by compareAtoms and
 * duplicate-free, and is never mutated afterwards (callers share them).
 * Left out: OVS's string syntax for datums (ovs-vsctl's job).
 */
import type { Atom, BaseType, ColumnType, Datum } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import {
  atomToJson as atomJson,
  atomToString,
  checkAtomConstraints,
  compareAtoms,
  defaultAtom,
  maxText,
  parseAtom,
  type SymbolResolver,
} from './atom.ts';

export { compareAtoms, atomToString, checkAtomConstraints, type SymbolResolver } from './atom.ts';

export const EMPTY_DATUM: Datum = Object.freeze({ keys: Object.freeze([]) as readonly Atom[] });
const EMPTY_MAP: Datum = Object.freeze({ keys: EMPTY_DATUM.keys, values: EMPTY_DATUM.keys });

export function isMapType(type: ColumnType): boolean {
  return type.value !== undefined;
}

function resolverOf(symbols?: ReadonlyMap<string, string>): SymbolResolver | undefined {
  return symbols ? (name) => symbols.get(name) : undefined;
}

/** Parses one atom and checks its constraints; named-uuids are looked up in `symbols`. */
export function atomFromJson(base: BaseType, json: unknown, symbols?: ReadonlyMap<string, string>): Atom {
  const a = parseAtom(base, json, resolverOf(symbols));
  checkAtomConstraints(base, a);
  return a;
}

export function atomToJson(base: BaseType, a: Atom): unknown {
  return atomJson(base, a);
}

/** ovsdb_datum_from_json; throws OvsdbError. */
export function datumFromJson(type: ColumnType, json: unknown, symbols?: ReadonlyMap<string, string>): Datum {
  return parseDatum(type, json, resolverOf(symbols));
}

function parseChecked(base: BaseType, json: unknown, resolve: SymbolResolver | undefined): Atom {
  const a = parseAtom(base, json, resolve);
  checkAtomConstraints(base, a);
  return a;
}

/** Like datumFromJson with a resolver callback (the transaction engine's symbol table). */
export function parseDatum(type: ColumnType, json: unknown, resolve?: SymbolResolver): Datum {
  const isMap = type.value !== undefined;
  if (!isMap && !(Array.isArray(json) && json.length > 0 && json[0] === 'set')) {
    return { keys: [parseChecked(type.key, json, resolve)] };
  }
  const cls = isMap ? 'map' : 'set';
  if (!Array.isArray(json) || json.length !== 2 || json[0] !== cls || !Array.isArray(json[1])) {
    throw syntaxError(json, `expected ["${cls}", <array>]`);
  }
  const inner: unknown[] = json[1];
  const n = inner.length;
  if (n < type.min || n > type.max) {
    if (type.min === 1 && type.max === 1) {
      throw syntaxError(json, `${cls} must have exactly one member but ${n} are present`);
    }
    throw syntaxError(json, `${cls} must have ${type.min} to ${maxText(type)} members but ${n} are present`);
  }
  const keys: Atom[] = [];
  const values: Atom[] | undefined = isMap ? [] : undefined;
  for (const el of inner) {
    if (values && type.value) {
      if (!Array.isArray(el) || el.length !== 2) throw syntaxError(el, 'expected 2-element array');
      keys.push(parseChecked(type.key, el[0], resolve));
      values.push(parseChecked(type.value, el[1], resolve));
    } else {
      keys.push(parseChecked(type.key, el, resolve));
    }
  }
  return sortStrict(keys, values);
}

/** Sorts keys (and values with them); a duplicate key is OVS's "ovsdb error". */
function sortStrict(keys: Atom[], values: Atom[] | undefined): Datum {
  const d = sortPairs(keys, values);
  for (let i = 1; i < d.keys.length; i++) {
    if (compareAtoms(d.keys[i - 1] as Atom, d.keys[i] as Atom) === 0) {
      throw new OvsdbError('ovsdb error', values ? 'map contains duplicate key' : 'set contains duplicate');
    }
  }
  return d;
}

function isSorted(keys: readonly Atom[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareAtoms(keys[i - 1] as Atom, keys[i] as Atom) >= 0) return false;
  return true;
}

function sortPairs(keys: Atom[], values: Atom[] | undefined): Datum {
  if (isSorted(keys)) return values ? { keys, values } : { keys };
  if (!values) return { keys: keys.sort(compareAtoms) };
  const idx = keys.map((_, i) => i).sort((a, b) => compareAtoms(keys[a] as Atom, keys[b] as Atom) || a - b);
  return { keys: idx.map((i) => keys[i] as Atom), values: idx.map((i) => values[i] as Atom) };
}

/** Builds a datum: sorts, drops duplicate keys (for maps the first pair given wins). */
export function makeDatum(type: ColumnType, keys: readonly Atom[], values?: readonly Atom[]): Datum {
  const isMap = type.value !== undefined;
  const d = sortPairs([...keys], isMap ? [...(values ?? [])] : undefined);
  if (isSorted(d.keys)) return d;
  const k: Atom[] = [];
  const v: Atom[] = [];
  d.keys.forEach((a, i) => {
    if (k.length && compareAtoms(k[k.length - 1] as Atom, a) === 0) return;
    k.push(a);
    if (d.values) v.push(d.values[i] as Atom);
  });
  return isMap ? { keys: k, values: v } : { keys: k };
}

/** ovsdb_datum_to_json. */
export function datumToJson(type: ColumnType, d: Datum): unknown {
  if (type.value) {
    const vt = type.value;
    return ['map', d.keys.map((k, i) => [atomJson(type.key, k), atomJson(vt, d.values?.[i] as Atom)])];
  }
  if (d.keys.length === 1) return atomJson(type.key, d.keys[0] as Atom);
  return ['set', d.keys.map((k) => atomJson(type.key, k))];
}

function atomsEqual(a: readonly Atom[], b: readonly Atom[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function datumEquals(a: Datum, b: Datum): boolean {
  if (a === b) return true;
  if (!atomsEqual(a.keys, b.keys)) return false;
  if (a.values === undefined || b.values === undefined) return a.values === b.values;
  return atomsEqual(a.values, b.values);
}

/** The column's default: empty when min is 0, else one default key (and value). */
export function defaultDatum(type: ColumnType): Datum {
  if (type.min === 0) return type.value ? EMPTY_MAP : EMPTY_DATUM;
  const key = defaultAtom(type.key.type);
  return type.value ? { keys: [key], values: [defaultAtom(type.value.type)] } : { keys: [key] };
}

/** Checks every key and value against the type's atom constraints. */
export function checkDatumConstraints(type: ColumnType, d: Datum): void {
  for (const k of d.keys) checkAtomConstraints(type.key, k);
  if (type.value && d.values) for (const v of d.values) checkAtomConstraints(type.value, v);
}

/** OVS text form (ovsdb_datum_to_string), used in index error details. */
export function datumToString(type: ColumnType, d: Datum): string {
  const vt = type.value;
  const parts = d.keys.map((k, i) => {
    const s = atomToString(type.key.type, k);
    return vt ? `${s}=${atomToString(vt.type, d.values?.[i] as Atom)}` : s;
  });
  const body = parts.join(', ');
  if (type.max > 1 || d.keys.length === 0) return vt ? `{${body}}` : `[${body}]`;
  return body;
}

export { datumDiff, applyDatumDiff, findKey } from './datum-ops.ts';
