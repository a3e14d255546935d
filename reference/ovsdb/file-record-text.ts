/**
 * Writing the transaction records of a standalone database file (the
 * format and the rules for what is written are in file-format.ts's
 * comment): one record as one line of JSON text, built directly from the
 * changes — no intermediate JSON tree, no OVS hash order of members
 * (readers ignore member order; members follow schema column order), each
 * atom printed as ovsdb-server prints it (reals as %.15g).
 *
 * Invariant: a record holds `_is_diff` only when no diff in it would be
 * misread by Open vSwitch 3.1.0 (old value the column default with a diff
 * unlike the new value, or a diff with more members than max); otherwise
 * every changed column is written as its full new value.
 *
 * Left out on purpose: OVS's member order and string escapes (any valid
 * JSON escape reads the same).
 */
import type { Atom, BaseType, ColumnSchema, ColumnType, DatabaseSchema, Datum, Row, RowChange, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { datumDiff, datumEquals, defaultDatum } from './datum.ts';
import { formatReal } from './json-text.ts';
import { tableInfo } from './table-info.ts';

/** Metadata written after the tables. */
export interface RecordMeta {
  readonly dateMs: number;
  readonly comment?: string;
  /** Write set/map columns of modified rows as diffs (`_is_diff`, see above); default true, as ovsdb-server 3.1. */
  readonly isDiff?: boolean;
}

/** A persistent column as the writer needs it: schema, member name text, default. */
interface StoredColumn {
  readonly col: ColumnSchema;
  readonly nameText: string;
  readonly dflt: Datum;
  readonly isComposite: boolean;
}

const storedCache = new WeakMap<TableSchema, readonly StoredColumn[]>();

function storedColumns(table: TableSchema): readonly StoredColumn[] {
  let cols = storedCache.get(table);
  if (!cols) {
    const info = tableInfo(table);
    cols = info.userColumns
      .filter((c) => !c.ephemeral)
      .map((col) => ({ col, nameText: JSON.stringify(col.name), dflt: info.defaults.get(col.name) ?? defaultDatum(col.type), isComposite: col.type.max > 1 }));
    storedCache.set(table, cols);
  }
  return cols;
}

function numberText(n: number, isReal: boolean): string {
  if (Number.isSafeInteger(n)) return isReal && Object.is(n, -0) ? '-0' : String(n);
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) return BigInt(n).toString();
  return formatReal(n);
}

function atomText(base: BaseType, a: Atom): string {
  switch (base.type) {
    case 'string':
      return JSON.stringify(a);
    case 'uuid':
      return `["uuid","${a as string}"]`;
    case 'boolean':
      return a ? 'true' : 'false';
    default:
      return numberText(a as number, base.type === 'real');
  }
}

/** A datum as JSON text: a single-key set bare, else ["set",[…]] / ["map",[[k,v],…]]. */
export function datumText(type: ColumnType, d: Datum): string {
  const keys = d.keys;
  const vt = type.value;
  if (vt) {
    let s = '["map",[';
    for (let i = 0; i < keys.length; i++) s += `${i ? ',' : ''}[${atomText(type.key, keys[i] as Atom)},${atomText(vt, d.values?.[i] as Atom)}]`;
    return `${s}]]`;
  }
  if (keys.length === 1) return atomText(type.key, keys[0] as Atom);
  let s = '["set",[';
  for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + atomText(type.key, keys[i] as Atom);
  return `${s}]]`;
}

/** One changed column of a modified row: the new value and (composite columns) the diff. */
interface ChangedColumn {
  readonly sc: StoredColumn;
  readonly value: Datum;
  readonly diff: Datum | undefined;
}

/** A row to write: null = deleted; `inserted` rows carry every non-default column as full values. */
interface RowEntry {
  readonly uuid: string;
  readonly cols: readonly ChangedColumn[] | null;
  readonly inserted: boolean;
}

/** Would Open vSwitch 3.1.0 misread this diff (see the file comment)? */
function misreadBy310(sc: StoredColumn, before: Datum, value: Datum, diff: Datum): boolean {
  return diff.keys.length > sc.col.type.max || (datumEquals(before, sc.dflt) && !datumEquals(diff, value));
}

/** The changed columns of one row; sets `plain.misread` when a diff would be misread. */
function rowEntry(table: TableSchema, uuid: string, change: RowChange, isDiff: boolean, plain: { misread: boolean }): RowEntry | undefined {
  const { old, new: next } = change;
  if (!next) return { uuid, cols: null, inserted: false };
  const cols: ChangedColumn[] = [];
  for (const sc of storedColumns(table)) {
    const name = sc.col.name;
    const value = next.columns.get(name) ?? sc.dflt;
    if (!old) {
      if (value !== sc.dflt && !datumEquals(value, sc.dflt)) cols.push({ sc, value, diff: undefined });
      continue;
    }
    const before = old.columns.get(name) ?? sc.dflt;
    if (before === value || datumEquals(before, value)) continue;
    let diff: Datum | undefined;
    if (isDiff && sc.isComposite) {
      diff = datumDiff(sc.col.type, before, value);
      if (!plain.misread && misreadBy310(sc, before, value, diff)) plain.misread = true;
    }
    cols.push({ sc, value, diff });
  }
  return old && cols.length === 0 ? undefined : { uuid, cols, inserted: !old };
}

function rowText(e: RowEntry, useDiff: boolean): string {
  if (!e.cols) return 'null';
  let s = '{';
  for (let i = 0; i < e.cols.length; i++) {
    const c = e.cols[i] as ChangedColumn;
    const d = useDiff && c.diff ? c.diff : c.value;
    s += `${i ? ',' : ''}${c.sc.nameText}:${datumText(c.sc.col.type, d)}`;
  }
  return `${s}}`;
}

function metaText(meta: RecordMeta, isDiff: boolean): string {
  let s = meta.comment !== undefined ? `"_comment":${JSON.stringify(meta.comment)},` : '';
  if (isDiff) s += '"_is_diff":true,';
  return `${s}"_date":${numberText(meta.dateMs, false)}`;
}

/**
 * The record text (one line of compact JSON, without the new-line) for one
 * committed transaction, or null when it changes nothing that is written to
 * the file (ovsdb-server then writes no record).
 */
export function txnRecordText(schema: DatabaseSchema, changes: TxnChanges, meta: RecordMeta): string | null {
  const isDiff = meta.isDiff ?? true;
  const plain = { misread: false };
  const tables: [string, RowEntry[]][] = [];
  for (const [tableName, tableChanges] of changes) {
    const table = schema.tables.get(tableName);
    if (!table) throw new Error(`txnRecord: table ${JSON.stringify(tableName)} is not in schema ${schema.name}`);
    const rows: RowEntry[] = [];
    for (const [uuid, change] of tableChanges) {
      const e = rowEntry(table, uuid, change, isDiff, plain);
      if (e) rows.push(e);
    }
    if (rows.length) tables.push([tableName, rows]);
  }
  if (tables.length === 0) return null;
  const useDiff = isDiff && !plain.misread;
  let s = '{';
  for (const [name, rows] of tables) {
    s += `${JSON.stringify(name)}:{`;
    for (let i = 0; i < rows.length; i++) {
      const e = rows[i] as RowEntry;
      s += `${i ? ',' : ''}"${e.uuid}":${rowText(e, useDiff)}`;
    }
    s += '},';
  }
  return `${s}${metaText(meta, useDiff)}}`;
}

/** txnRecordText as a JSON object (for tests and tools). */
export function txnRecord(schema: DatabaseSchema, changes: TxnChanges, meta: RecordMeta): Record<string, unknown> | null {
  const text = txnRecordText(schema, changes, meta);
  return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
}

/** The snapshot record text compaction writes: every row as an insert. Empty database: only metadata. */
export function snapshotRecordText(schema: DatabaseSchema, rows: (table: string) => Iterable<Row>, meta: RecordMeta): string {
  const plain = { misread: false };
  let s = '{';
  for (const table of schema.tables.values()) {
    let first = true;
    for (const row of rows(table.name)) {
      const e = rowEntry(table, row.uuid, { old: null, new: row }, false, plain) as RowEntry;
      s += `${first ? `${JSON.stringify(table.name)}:{` : ','}"${row.uuid}":${rowText(e, false)}`;
      first = false;
    }
    if (!first) s += '},';
  }
  return `${s}${metaText(meta, meta.isDiff ?? true)}}`;
}

/** snapshotRecordText as a JSON object. */
export function snapshotRecord(schema: DatabaseSchema, rows: (table: string) => Iterable<Row>, meta: RecordMeta): Record<string, unknown> {
  return JSON.parse(snapshotRecordText(schema, rows, meta)) as Record<string, unknown>;
}
