/**
 * Facts about a table schema that the engine looks up on every row:
 * which columns hold strong or weak references (and to which table), the
 * index column lists, the user columns in order, and each column's default.
 * Computed once per TableSchema object and cached.
 */
import type { Atom, ColumnSchema, Datum, TableSchema } from './ovsdb-types.ts';
import { defaultDatum } from './datum.ts';
import { ColumnLayout, RowColumns } from './row-columns.ts';

export interface RefColumn {
  readonly column: ColumnSchema;
  /** Target table of the key's references, or undefined when the key is not a reference of this kind. */
  readonly keyTable: string | undefined;
  readonly valueTable: string | undefined;
}

export interface TableInfo {
  readonly schema: TableSchema;
  /** User columns (without _uuid, _version), in schema order. */
  readonly userColumns: readonly ColumnSchema[];
  readonly defaults: ReadonlyMap<string, Datum>;
  /** Every user column name (an inserted or deleted row changes them all). */
  readonly allColumns: ReadonlySet<string>;
  readonly layout: ColumnLayout;
  /** Default values in layout order. */
  readonly defaultValues: readonly Datum[];
  readonly strongRefs: readonly RefColumn[];
  readonly weakRefs: readonly RefColumn[];
}

const cache = new WeakMap<TableSchema, TableInfo>();

function refColumns(cols: readonly ColumnSchema[], kind: 'strong' | 'weak'): RefColumn[] {
  const target = (b: ColumnSchema['type']['key'] | undefined): string | undefined =>
    b?.refTable !== undefined && (b.refType ?? 'strong') === kind ? b.refTable : undefined;
  const out: RefColumn[] = [];
  for (const column of cols) {
    const keyTable = target(column.type.key);
    const valueTable = target(column.type.value);
    if (keyTable !== undefined || valueTable !== undefined) out.push({ column, keyTable, valueTable });
  }
  return out;
}

export function tableInfo(schema: TableSchema): TableInfo {
  let info = cache.get(schema);
  if (!info) {
    const userColumns = [...schema.columns.values()].filter((c) => c.name !== '_uuid' && c.name !== '_version');
    info = {
      schema,
      userColumns,
      defaults: new Map(userColumns.map((c) => [c.name, defaultDatum(c.type)])),
      allColumns: new Set(userColumns.map((c) => c.name)),
      layout: new ColumnLayout(userColumns.map((c) => c.name)),
      defaultValues: userColumns.map((c) => defaultDatum(c.type)),
      strongRefs: refColumns(userColumns, 'strong'),
      weakRefs: refColumns(userColumns, 'weak'),
    };
    cache.set(schema, info);
  }
  return info;
}

function atomsKey(atoms: readonly Atom[]): string {
  let s = JSON.stringify(atoms);
  // OVS hashes the bits of a real, so -0 and 0 land apart in its row hashes (indexes, distinct, wait).
  if (atoms.some((a) => a === 0 && Object.is(a, -0))) s += atoms.map((a) => (Object.is(a, -0) ? '-' : '+')).join('');
  return s;
}

/** The index key of a row's columns: equal keys ⇔ equal datums in every listed column (-0 ≠ 0, as OVS's hashes). */
export function indexKey(columns: readonly string[], get: (column: string) => Datum): string {
  let s = '';
  for (const c of columns) {
    const d = get(c);
    s += atomsKey(d.keys);
    if (d.values) s += atomsKey(d.values);
    s += '\u0000';
  }
  return s;
}

/** A writable row holding every column's default. */
export function defaultRowColumns(schema: TableSchema): RowColumns {
  const info = tableInfo(schema);
  return new RowColumns(info.layout, info.defaultValues.slice());
}
