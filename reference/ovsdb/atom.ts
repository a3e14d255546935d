/**
 * Atoms (RFC 7047 §5.1 <atom>): ordering, JSON form, text form and
 * constraint checks, as Open vSwitch's lib/ovsdb-data.c does them.
 *
 * Invariant: an atom of type uuid is lowercase UUID text; integers are JS
 * integers in [-2^63, 2^63) (beyond ±2^53 only as exact as a double is).
 * Error details and tags are OVS's, so a reply can be compared byte for byte.
 * Left out: the "not a valid UTF-8 string" check (JS strings are UTF-16; lone
 * surrogates are not rejected).
 */
import type { Atom, AtomicType, BaseType, ColumnType } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { isUuid } from './uuid.ts';
import { formatReal } from './json-text.ts';

/** Resolves a `["named-uuid", name]` to a UUID; undefined when unknown. */
export type SymbolResolver = (name: string, base: BaseType) => string | undefined;

/** Orders strings by their UTF-8 bytes (strcmp), not by UTF-16 code units. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (4-byte UTF-8) sort after U+E000..U+FFFF (3-byte UTF-8).
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

/** Three-way comparison of two atoms of the same type: numbers, false < true, strings/uuids by bytes. */
export function compareAtoms(a: Atom, b: Atom): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** True when `s` is an RFC 7047 <id>: [A-Za-z_][A-Za-z0-9_]*. */
export function isId(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

/** JSON integers OVS reads as int64: [-2^63, 2^63). (A JS client sends INT64_MAX as 2^63, which OVS reads as a real.) */
function isInt64(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63;
}

function parseUuidAtom(base: BaseType, json: unknown, resolve?: SymbolResolver): string {
  if (Array.isArray(json) && json.length === 2 && typeof json[1] === 'string') {
    const s = json[1];
    if (json[0] === 'uuid') {
      if (!isUuid(s)) throw syntaxError(json, `"${s}" is not a valid UUID`);
      return s.toLowerCase();
    }
    if (json[0] === 'named-uuid' && resolve) {
      if (!isId(s)) throw syntaxError(json, 'named-uuid string is not a valid <id>');
      const u = resolve(s, base);
      if (u !== undefined) return u;
      throw syntaxError(json, `unknown named-uuid "${s}"`);
    }
  }
  throw syntaxError(json, 'expected ["uuid", <string>]');
}

/** Parses an atom without checking constraints (ovsdb_atom_from_json__). */
export function parseAtom(base: BaseType, json: unknown, resolve?: SymbolResolver): Atom {
  switch (base.type) {
    case 'integer':
      if (isInt64(json)) return json === 0 ? 0 : json; // OVS's JSON reader turns -0 into 0
      break;
    case 'real':
      if (typeof json === 'number' && Number.isFinite(json)) return json === 0 ? 0 : json;
      break;
    case 'boolean':
      if (typeof json === 'boolean') return json;
      break;
    case 'string':
      if (typeof json === 'string') return json;
      break;
    case 'uuid':
      return parseUuidAtom(base, json, resolve);
  }
  throw syntaxError(json, `expected ${base.type}`);
}

/** An atom's JSON: uuid as ["uuid", "…"], others as themselves. */
export function atomToJson(base: BaseType, a: Atom): unknown {
  return base.type === 'uuid' ? ['uuid', a] : a;
}

function needsQuotes(s: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(s)) return true;
  return s === 'true' || s === 'false' || isUuid(s);
}

/** An atom in OVS's text syntax (ovsdb_atom_to_string), as used in error details. */
export function atomToString(type: AtomicType, a: Atom): string {
  switch (type) {
    case 'integer':
      return String(a);
    case 'real':
      return formatReal(a as number);
    case 'boolean':
      return a ? 'true' : 'false';
    case 'string':
      return needsQuotes(a as string) ? JSON.stringify(a) : (a as string);
    case 'uuid':
      return a as string;
  }
}

function enumIncludes(keys: readonly Atom[], a: Atom): boolean {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareAtoms(keys[mid] as Atom, a);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

function rangeError(v: string, min: string | undefined, max: string | undefined): OvsdbError {
  if (min !== undefined && max !== undefined) {
    return new OvsdbError('constraint violation', `${v} is not in the valid range ${min} to ${max} (inclusive)`);
  }
  if (min !== undefined) return new OvsdbError('constraint violation', `${v} is less than minimum allowed value ${min}`);
  return new OvsdbError('constraint violation', `${v} is greater than maximum allowed value ${max ?? ''}`);
}

/** Checks enum, range and length constraints (not refTable: that is checked at commit). */
export function checkAtomConstraints(base: BaseType, a: Atom): void {
  if (base.enum) {
    if (enumIncludes(base.enum.keys, a)) return;
    const valid = base.enum.keys.map((k) => atomToString(base.type, k)).join(', ');
    throw new OvsdbError('constraint violation', `${atomToString(base.type, a)} is not one of the allowed values ([${valid}])`);
  }
  switch (base.type) {
    case 'integer': {
      const n = a as number;
      const { minInteger: lo, maxInteger: hi } = base;
      if ((lo === undefined || n >= lo) && (hi === undefined || n <= hi)) return;
      throw rangeError(String(n), lo === undefined ? undefined : String(lo), hi === undefined ? undefined : String(hi));
    }
    case 'real': {
      const n = a as number;
      const { minReal: lo, maxReal: hi } = base;
      if ((lo === undefined || n >= lo) && (hi === undefined || n <= hi)) return;
      throw rangeError(formatReal(n), lo === undefined ? undefined : formatReal(lo), hi === undefined ? undefined : formatReal(hi));
    }
    case 'string': {
      const s = a as string;
      if (base.minLength === undefined && base.maxLength === undefined) return;
      const n = [...s].length;
      if (base.minLength !== undefined && n < base.minLength) {
        throw new OvsdbError('constraint violation', `"${s}" length ${n} is less than minimum allowed length ${base.minLength}`);
      }
      if (base.maxLength !== undefined && n > base.maxLength) {
        throw new OvsdbError('constraint violation', `"${s}" length ${n} is greater than maximum allowed length ${base.maxLength}`);
      }
      return;
    }
    default:
      return;
  }
}

/** The default atom of a type: 0, 0.0, false, "", all-zero uuid. */
export function defaultAtom(type: AtomicType): Atom {
  switch (type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
  }
}

/** "4294967295" for an unlimited max, as OVS prints UINT_MAX. */
export function maxText(type: ColumnType): string {
  return type.max === Infinity ? '4294967295' : String(type.max);
}
