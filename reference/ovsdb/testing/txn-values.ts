/**
 * Values and conditions for the transaction generator: JSON encodings of
 * datums (RFC 7047 §5.1) valid for diff.ovsschema's columns, and `where`
 * clauses for every condition function (§5.1 <condition>).
 *
 * The pools hold values where implementations tend to part ways: reals
 * printed with exponents (1e-07, 1e+21) or as integers, strings whose
 * UTF-8 order differs from their UTF-16 order (U+FF21 vs an astral
 * character), escapes, the all-zero uuid, literal uuids no row has.
 *
 * Left out: values that only fail (txn-errors.ts makes those).
 */
import type { DiffModel, DiffTable, Rng } from './txn-generator.ts';

export const REALS = [0, -0.5, 2.5, 0.1, 1e21, 1e-7, 123456789.125, -3, 7, 1 / 3] as const;
export const STRINGS = ['', 'a', 'b', 'zz', 'é', '\uff21', '😀', 'tab\tq"uote', 'x y', 'A', '0'] as const;
export const LITERAL_UUIDS = [
  '5ca1ab1e-0000-4000-8000-000000000001',
  '5ca1ab1e-0000-4000-8000-000000000002',
  '00000000-0000-0000-0000-000000000000',
] as const;

/** `["set",[...]]`, or the bare atom for one element now and then (both are valid). */
export function setJson(rng: Rng, items: readonly unknown[]): unknown {
  return items.length === 1 && rng.chance(0.5) ? items[0] : ['set', items];
}

export function mapJson(pairs: readonly (readonly [unknown, unknown])[]): unknown {
  return ['map', pairs];
}

export const uuidJson = (tokenOrUuid: string): unknown => ['uuid', tokenOrUuid];
export const namedJson = (symbol: string): unknown => ['named-uuid', symbol];

/** A row of `table` the model knows, or (rarely, or when it knows none) a literal uuid no row has. */
export function someRow(rng: Rng, model: DiffModel, table: DiffTable): string {
  const rows = model.rows[table];
  return rows.length === 0 || rng.chance(0.05) ? rng.pick(LITERAL_UUIDS) : rng.pick(rows);
}

function distinctInts(rng: Rng, n: number, lo: number, hi: number): number[] {
  const s = new Set<number>();
  while (s.size < n) s.add(rng.int(lo, hi));
  return [...s];
}

function stringMap(rng: Rng, n: number): [string, string][] {
  return rng.some(STRINGS, n).map((k) => [k, rng.pick(STRINGS)]);
}

/** Valid values for Root's columns other than name, kids, kmap (they need rows). */
export function rootValue(rng: Rng, model: DiffModel, column: string): unknown {
  switch (column) {
    case 'i': return rng.int(-100, 1000);
    case 'r': return rng.pick(REALS);
    case 'rc': return rng.pick([-10.5, 0, 99.5, 100, 2.25]);
    case 'b': return rng.chance(0.5);
    case 's': return rng.pick(STRINGS);
    case 'u': return uuidJson(rng.chance(0.5) ? rng.pick(LITERAL_UUIDS) : someRow(rng, model, 'Leaf'));
    case 'color': return setJson(rng, rng.some(['red', 'green', 'blue'], rng.int(0, 1)));
    case 'iset': return setJson(rng, distinctInts(rng, rng.int(0, 5), 0, 100));
    case 'sset': return setJson(rng, rng.some(STRINGS, rng.int(0, 4)));
    case 'rset': return setJson(rng, rng.some(REALS, rng.int(1, 3)));
    case 'smap': return mapJson(stringMap(rng, rng.int(0, 3)));
    case 'imap': return mapJson(distinctInts(rng, rng.int(0, 4), 0, 9).map((k) => [k, rng.pick(['', 'ab', 'wxyz', 'é'])]));
    case 'weak': return setJson(rng, rng.some(model.rows.Leaf, rng.int(0, 3)).map(uuidJson));
    case 'wmap': return mapJson(rng.some(model.rows.Leaf, rng.int(0, 2)).map((t) => [uuidJson(t), rng.int(-5, 5)]));
    case 'born': return rng.int(0, 9);
    case 'eph': return setJson(rng, rng.some(['e1', 'e2'], rng.int(0, 1)));
    default: throw new Error(`rootValue: no values for column ${column}`);
  }
}

export const ROOT_PLAIN_COLUMNS = ['i', 'r', 'rc', 'b', 's', 'u', 'color', 'iset', 'sset', 'rset', 'smap', 'imap', 'weak', 'wmap', 'eph'] as const;

/** A valid Root row: a fresh name, some plain columns, and the Children `childSymbols` names as kids/kmap. */
export function rootRow(rng: Rng, model: DiffModel, name: string, childSymbols: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = { name };
  for (const c of rng.some(ROOT_PLAIN_COLUMNS, rng.int(1, 8))) row[c] = rootValue(rng, model, c);
  if (rng.chance(0.5)) row['born'] = rootValue(rng, model, 'born');
  if (childSymbols.length > 0) {
    const [first, ...rest] = childSymbols;
    if (rest.length > 0) row['kids'] = setJson(rng, rest.map(namedJson));
    if (first !== undefined) row['kmap'] = mapJson([[rng.pick(['k', 'j']), namedJson(first)]]);
  }
  return row;
}

export function leafRow(rng: Rng): Record<string, unknown> {
  const row: Record<string, unknown> = { v: rng.int(0, 400), tag: rng.pick(['a', 'b', 'c']) };
  if (rng.chance(0.6)) row['tags'] = setJson(rng, rng.some(STRINGS, rng.int(0, 3)));
  return row;
}

export const CONDITION_FUNCTIONS = ['==', '!=', '<', '<=', '>', '>=', 'includes', 'excludes'] as const;
export type ConditionFunction = (typeof CONDITION_FUNCTIONS)[number];

/** A clause `[column, function, value]` on Root that is well-typed for `fn`. */
export function rootClause(rng: Rng, model: DiffModel, fn: ConditionFunction): unknown[] {
  if (fn === '<' || fn === '<=' || fn === '>' || fn === '>=') {
    const column = rng.pick(['i', 'r', 'rc', 'born']);
    return [column, fn, column === 'r' || column === 'rc' ? rng.pick(REALS) : rng.int(-5, 600)];
  }
  if (fn === 'includes' || fn === 'excludes') {
    const column = rng.pick(['iset', 'sset', 'smap', 'kids', 'weak', 'color', 'i']);
    if (column === 'kids') return [column, fn, setJson(rng, rng.some(model.rows.Child, 1).map(uuidJson))];
    if (column === 'i') return [column, fn, rng.int(0, 3)];
    return [column, fn, rootValue(rng, model, column)];
  }
  const column = rng.pick(['i', 'r', 'b', 's', 'name', 'color', 'sset', 'smap', '_uuid', 'u']);
  if (column === 'name') return [column, fn, rng.pick([...model.rootNames.values(), 'nobody'])];
  if (column === '_uuid') return [column, fn, uuidJson(someRow(rng, model, 'Root'))];
  return [column, fn, rootValue(rng, model, column)];
}

/** A `where` of 0–3 random clauses (boolean `true`/`false` clauses included now and then). */
export function randomWhere(rng: Rng, model: DiffModel): unknown[] {
  const where: unknown[] = [];
  const n = rng.int(0, 3);
  for (let k = 0; k < n; k += 1) {
    where.push(rng.chance(0.08) ? rng.chance(0.5) : rootClause(rng, model, rng.pick(CONDITION_FUNCTIONS)));
  }
  return where;
}

export const byUuid = (token: string): unknown[] => [['_uuid', '==', uuidJson(token)]];
