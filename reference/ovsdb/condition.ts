/**
 * "where" clauses (RFC 7047 §5.1 <condition>) parsed and evaluated as
 * ovsdb/condition.c does: == != includes excludes on any column, < <= > >=
 * on integer/real scalars (optional scalars compare false when empty), and
 * Open vSwitch's boolean clauses `true` / `false`.
 *
 * Invariant: a parsed Condition holds datums already checked against the
 * column type (relaxed as OVS relaxes it per function).
 */
import type { Atom, ColumnSchema, ColumnType, Datum, TableSchema } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { compareAtoms, parseDatum, type SymbolResolver } from './datum.ts';
import { datumEquals } from './datum.ts';
import { datumExcludesAll, datumIncludesAll } from './datum-ops.ts';

export const FUNCTIONS = ['<', '<=', '==', '!=', '>=', '>', 'includes', 'excludes'] as const;
export type ConditionFunction = (typeof FUNCTIONS)[number];

export type Clause =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'compare'; readonly column: ColumnSchema; readonly fn: ConditionFunction; readonly arg: Datum };

export type Condition = readonly Clause[];

const isScalar = (t: ColumnType): boolean => t.min === 1 && t.max === 1 && !t.value;
const isOptionalScalar = (t: ColumnType): boolean => t.min === 0 && t.max === 1 && !t.value;

/** "integer", "set of up to 3 strings", "map of 1 to 5 (integer, string) pairs" (ovsdb_type_to_english). */
export function typeToEnglish(t: ColumnType): string {
  if (isScalar(t)) return t.key.type;
  let s = t.value ? 'map' : 'set';
  if (t.max === Infinity) s += t.min ? ` of ${t.min} or more` : ' of';
  else if (t.min) s += ` of ${t.min} to ${t.max}`;
  else s += ` of up to ${t.max}`;
  return t.value ? `${s} (${t.key.type}, ${t.value.type}) pairs` : `${s} ${t.key.type}s`;
}

function parseClause(table: TableSchema, json: unknown, resolve: SymbolResolver): Clause {
  if (json === true || json === false) return { kind: 'const', value: json };
  if (!Array.isArray(json) || json.length !== 3 || typeof json[0] !== 'string' || typeof json[1] !== 'string') {
    throw syntaxError(json, 'Parse error in condition.');
  }
  const [name, fnName, argJson] = json as [string, string, unknown];
  const column = table.columns.get(name);
  if (!column) throw syntaxError(json, `No column ${name} in table ${table.name}.`, 'unknown column');
  if (fnName === 'true' || fnName === 'false') return { kind: 'const', value: fnName === 'true' };
  if (!(FUNCTIONS as readonly string[]).includes(fnName)) {
    throw new OvsdbError('unknown function', `No function named ${fnName}.`);
  }
  const fn = fnName as ConditionFunction;
  let type = column.type;
  switch (fn) {
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (!(isScalar(type) || isOptionalScalar(type)) || (type.key.type !== 'integer' && type.key.type !== 'real')) {
        throw syntaxError(
          json,
          `Type mismatch: "${fn}" operator may not be applied to column ${name} of type ${typeToEnglish(type)}.`,
        );
      }
      type = { ...type, min: 1 };
      break;
    case 'excludes':
      if (!isScalar(type)) type = { ...type, min: 0, max: Infinity };
      break;
    case 'includes':
      if (!isScalar(type)) type = { ...type, min: 0 };
      break;
    default:
      break;
  }
  return { kind: 'compare', column, fn, arg: parseDatum(type, argJson, resolve) };
}

/** Parses a "where" array; throws OvsdbError. */
export function parseCondition(table: TableSchema, json: readonly unknown[], resolve: SymbolResolver): Condition {
  return json.map((c) => parseClause(table, c, resolve));
}

/** What a condition reads: a committed or working row. */
export interface RowLike {
  readonly uuid: string;
  readonly version: string;
  readonly columns: ReadonlyMap<string, Datum>;
}

const EMPTY: Datum = { keys: [] };

function fieldOf(row: RowLike, column: string): Datum {
  const d = row.columns.get(column);
  if (d) return d;
  if (column === '_uuid') return { keys: [row.uuid] };
  if (column === '_version') return { keys: [row.version || '00000000-0000-0000-0000-000000000000'] };
  return EMPTY;
}

function evaluateClause(c: Extract<Clause, { kind: 'compare' }>, field: Datum): boolean {
  const type = c.column.type;
  const arg = c.arg;
  const scalarish = isScalar(type) || isOptionalScalar(type);
  if (scalarish && field.keys.length === 0 && (c.fn === '<' || c.fn === '<=' || c.fn === '>' || c.fn === '>=')) {
    return false;
  }
  if (scalarish && field.keys.length === 1 && arg.keys.length === 1) {
    const cmp = compareAtoms(field.keys[0] as Atom, arg.keys[0] as Atom);
    switch (c.fn) {
      case '<':
        return cmp < 0;
      case '<=':
        return cmp <= 0;
      case '==':
      case 'includes':
        return cmp === 0;
      case '!=':
      case 'excludes':
        return cmp !== 0;
      case '>=':
        return cmp >= 0;
      case '>':
        return cmp > 0;
    }
  }
  switch (c.fn) {
    case '==':
      return datumEquals(field, arg);
    case '!=':
      return !datumEquals(field, arg);
    case 'includes':
      return datumIncludesAll(field, arg);
    case 'excludes':
      return datumExcludesAll(field, arg);
    default:
      return false;
  }
}

/** True when the row (read through `get`) satisfies every clause. */
export function evaluateCondition(cond: Condition, get: (column: string) => Datum): boolean {
  for (const c of cond) {
    if (c.kind === 'const' ? !c.value : !evaluateClause(c, get(c.column.name))) return false;
  }
  return true;
}

/** evaluateCondition for a row object, without a getter per call. */
export function rowMatches(cond: Condition, row: RowLike): boolean {
  for (const c of cond) {
    if (c.kind === 'const' ? !c.value : !evaluateClause(c, fieldOf(row, c.column.name))) return false;
  }
  return true;
}

/** The uuid named by a `_uuid ==` clause, which lets a query skip the scan. */
export function uuidEqualsTarget(cond: Condition): string | undefined {
  for (const c of cond) {
    if (c.kind === 'compare' && c.fn === '==' && c.column.name === '_uuid') return c.arg.keys[0] as string;
  }
  return undefined;
}
