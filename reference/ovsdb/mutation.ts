/**
 * "mutate" mutations (RFC 7047 §5.1 <mutation>) parsed and applied as
 * ovsdb/mutation.c does: += -= *= /= %= on integer/real scalars and sets
 * (each element), insert/delete on sets and maps (delete on a map takes
 * either pairs or a set of keys).
 *
 * Integer arithmetic is 64-bit with OVS's own overflow tests (BigInt here;
 * results beyond ±2^53 lose precision when stored, as every JS integer does).
 * Errors: "domain error" (division by zero), "range error" (overflow),
 * "constraint violation" (bounds, duplicates, element counts).
 */
import type { ColumnSchema, ColumnType, Datum, TableSchema } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { checkAtomConstraints, compareAtoms, parseDatum, type SymbolResolver } from './datum.ts';
import { datumSubtract, datumUnion } from './datum-ops.ts';
import { typeToEnglish } from './condition.ts';

export const MUTATORS = ['+=', '-=', '*=', '/=', '%=', 'insert', 'delete'] as const;
export type Mutator = (typeof MUTATORS)[number];

export interface Mutation {
  readonly column: ColumnSchema;
  readonly mutator: Mutator;
  readonly arg: Datum;
  /** For delete on a map: true when the argument is pairs, false when keys. */
  readonly byPair: boolean;
}

const isScalar = (t: ColumnType): boolean => t.min === 1 && t.max === 1 && !t.value;

function typeMismatch(json: unknown, m: string, c: ColumnSchema): OvsdbError {
  return syntaxError(json, `Type mismatch: "${m}" operator may not be applied to column ${c.name} of type ${typeToEnglish(c.type)}.`);
}

function parseMutation(table: TableSchema, json: unknown, resolve: SymbolResolver): Mutation {
  if (!Array.isArray(json) || json.length !== 3 || typeof json[0] !== 'string' || typeof json[1] !== 'string') {
    throw syntaxError(json, 'Parse error in mutation.');
  }
  const [name, m, argJson] = json as [string, string, unknown];
  const column = table.columns.get(name);
  if (!column) throw syntaxError(json, `No column ${name} in table ${table.name}.`, 'unknown column');
  if (!column.mutable) {
    throw syntaxError(json, `Cannot mutate immutable column ${name} in table ${table.name}.`, 'constraint violation');
  }
  if (!(MUTATORS as readonly string[]).includes(m)) throw new OvsdbError('unknown mutator', `No mutator named ${m}.`);
  const mutator = m as Mutator;
  const t = column.type;
  if (mutator === 'insert' || mutator === 'delete') {
    if (isScalar(t)) throw typeMismatch(json, m, column);
    const argType: ColumnType = { ...t, min: 0, max: mutator === 'delete' ? Infinity : t.max };
    try {
      return { column, mutator, arg: parseDatum(argType, argJson, resolve), byPair: true };
    } catch (e) {
      if (!(e instanceof OvsdbError) || !t.value || mutator !== 'delete') throw e;
      const keysType: ColumnType = { key: t.key, min: 0, max: Infinity };
      return { column, mutator, arg: parseDatum(keysType, argJson, resolve), byPair: false };
    }
  }
  if (t.value || (t.key.type !== 'integer' && t.key.type !== 'real') || (mutator === '%=' && t.key.type === 'real')) {
    throw typeMismatch(json, m, column);
  }
  const argType: ColumnType = { key: { type: t.key.type }, min: 1, max: 1 };
  return { column, mutator, arg: parseDatum(argType, argJson, resolve), byPair: true };
}

/** Parses a "mutations" array; throws OvsdbError. */
export function parseMutations(table: TableSchema, json: readonly unknown[], resolve: SymbolResolver): Mutation[] {
  return json.map((m) => parseMutation(table, m, resolve));
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function rangeError(m: Mutator): OvsdbError {
  return new OvsdbError('range error', `Result of "${m}" operation is out of range.`);
}

/** One 64-bit integer step with OVS's overflow tests (including its quirks for *=). */
function mutateInteger(m: Mutator, xn: number, yn: number): number {
  const x = BigInt(xn);
  const y = BigInt(yn);
  let r: bigint;
  switch (m) {
    case '+=':
    case '-=':
      r = m === '+=' ? x + y : x - y;
      if (r < I64_MIN || r > I64_MAX) throw rangeError(m);
      break;
    case '*=': {
      const over =
        x > 0n
          ? y > 0n
            ? x >= I64_MAX / y
            : y < I64_MIN / x
          : y > 0n
            ? x < I64_MIN / y
            : x !== 0n && y < I64_MAX / y;
      if (over) throw rangeError(m);
      r = x * y;
      break;
    }
    default:
      if (y === 0n) throw new OvsdbError('domain error', 'Division by zero.');
      if (x === I64_MIN && y === -1n) throw rangeError(m);
      r = m === '/=' ? x / y : x % y;
  }
  return Number(r);
}

function mutateReal(m: Mutator, x: number, y: number): number {
  let r: number;
  if (m === '+=') r = x + y;
  else if (m === '-=') r = x - y;
  else if (m === '*=') r = x * y;
  else {
    if (y === 0) throw new OvsdbError('domain error', 'Division by zero.');
    r = x / y;
  }
  if (!(r >= -Number.MAX_VALUE && r <= Number.MAX_VALUE)) throw rangeError(m);
  return r;
}

function mutateArithmetic(mu: Mutation, dst: Datum): Datum {
  const t = mu.column.type;
  const y = mu.arg.keys[0] as number;
  const keys = dst.keys.map((x) =>
    t.key.type === 'integer' ? mutateInteger(mu.mutator, x as number, y) : mutateReal(mu.mutator, x as number, y),
  );
  for (const k of keys) checkAtomConstraints(t.key, k);
  keys.sort(compareAtoms);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] === keys[i]) {
      throw new OvsdbError('constraint violation', `Result of "${mu.mutator}" operation contains duplicates.`);
    }
  }
  return { keys };
}

function checkCount(t: ColumnType, d: Datum): void {
  if (d.keys.length < t.min || d.keys.length > t.max) {
    throw new OvsdbError('constraint violation', `Attempted to store ${d.keys.length} elements in ${typeToEnglish(t)}.`);
  }
}

/** Applies one mutation to a column value; returns the new value or throws OvsdbError. */
export function applyMutation(mu: Mutation, dst: Datum): Datum {
  const t = mu.column.type;
  let out: Datum;
  switch (mu.mutator) {
    case 'insert':
      out = datumUnion(dst, mu.arg);
      checkCount(t, out);
      return out;
    case 'delete':
      out = datumSubtract(dst, mu.arg, mu.byPair && t.value !== undefined);
      checkCount(t, out);
      return out;
    default:
      return mutateArithmetic(mu, dst);
  }
}

