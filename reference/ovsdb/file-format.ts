/**
 * Transaction records of a standalone database file (ovsdb(5), ovsdb/file.c):
 * the JSON object after the schema record, one per committed transaction.
 *
 *   {"<table>": {"<row uuid>": <row> | null, …}, …,
 *    "_comment": "…", "_is_diff": true, "_date": <ms>}
 *
 * Reading, as ovsdb-server ≥ 3.1.3 replays: a deleted row is `null`; an
 * inserted row (absent so far) is read as full values; in an `_is_diff`
 * record a column of a present row is a diff, parsed without the column's
 * cardinality limits (a set diff may have more members than the column
 * allows) and applied — also when the current value is the default; only the
 * result is checked. A record without `_is_diff` holds full new values.
 * Unknown tables and columns are errors; `_date`, `_comment`, `_is_diff` are
 * metadata.
 *
 * Writing, as ovsdb-server 3.1 writes: a deleted row is `null`; an inserted
 * row lists its persistent columns that differ from the default; a modified
 * row lists the persistent columns whose value changed, a set/map column as
 * ovsdb_datum_diff(old, new). Ephemeral columns, `_uuid` and `_version` are
 * never written; a transaction that leaves no row to write yields no record.
 *
 * One exception, for readers of Open vSwitch 3.1.0 to 3.1.2 (as installed
 * here): those misread a diff whose old value is the column default (they
 * replace the value by the diff, losing the default member of a min-1 set
 * or map) and refuse a diff with more members than the column's max (the
 * whole record then fails). Upstream fixed both in 3.1.3 ("ovsdb: file: Fix
 * diff application to a default column value", "ovsdb: file: Fix inability
 * to read diffs that violate type size"). When a record holds such a diff
 * (old value the default and the diff differs from the new value, or the diff
 * exceeds max) the whole record is written without `_is_diff`, with full new
 * values of the changed columns, which every version reads alike.
 *
 * The text is built directly (no JSON tree, no hash-ordered members: readers
 * ignore member order); members follow schema column order. A snapshot (what
 * compaction writes after the schema) is one record inserting every row.
 *
 * Left out on purpose: OVS's member order, schema conversion (`converting`).
 */
import type { Atom, BaseType, ColumnSchema, ColumnType, DatabaseSchema, Datum, Row, RowChange, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { applyDatumDiff, datumDiff, datumEquals, datumFromJson, defaultDatum } from './datum.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { formatReal } from './json-text.ts';
import { tableInfo } from './table-info.ts';
import { isUuid, randomUuid } from './uuid.ts';

/** What a record reader needs of the database it replays into. */
export interface RowLookup {
  readonly schema: DatabaseSchema;
  row(table: string, uuid: string): Row | undefined;
}

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

const META = new Set(['_date', '_comment', '_is_diff']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const relaxedCache = new WeakMap<ColumnType, ColumnType>();

/** The column type without cardinality limits, for parsing a diff (ovsdb_transient_datum_from_json). */
function relaxedType(type: ColumnType): ColumnType {
  let r = relaxedCache.get(type);
  if (!r) {
    r = { ...type, min: 0, max: Infinity };
    relaxedCache.set(type, r);
  }
  return r;
}

/** Applies a diff read from a file; the result must fit the column (OVS checks set/map results only). */
function applyFileDiff(col: ColumnSchema, current: Datum, diffJson: unknown): Datum {
  const out = applyDatumDiff(col.type, current, datumFromJson(relaxedType(col.type), diffJson));
  if (out.keys.length < col.type.min || out.keys.length > col.type.max) {
    throw new OvsdbError('ovsdb error', 'Datum crated by diff has size error');
  }
  return out;
}

/** Reads a row's columns into `base`; `isDiff`: the row exists and the record holds diffs. */
function readColumns(table: TableSchema, json: unknown, base: Map<string, Datum>, isDiff: boolean): Map<string, Datum> {
  if (!isObject(json)) throw syntaxError(json, 'row must be JSON object');
  for (const [name, value] of Object.entries(json)) {
    const col = table.columns.get(name);
    if (!col || name === '_uuid' || name === '_version') {
      throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`);
    }
    base.set(name, isDiff ? applyFileDiff(col, base.get(name) ?? defaultDatum(col.type), value) : datumFromJson(col.type, value));
  }
  return base;
}

function fullColumns(table: TableSchema, columns: Map<string, Datum>): Map<string, Datum> {
  for (const col of table.columns.values()) {
    if (col.name === '_uuid' || col.name === '_version' || columns.has(col.name)) continue;
    columns.set(col.name, defaultDatum(col.type));
  }
  return columns;
}

function readTable(db: RowLookup, table: TableSchema, json: unknown, isDiff: boolean, newUuid: () => string): Map<string, RowChange> {
  if (!isObject(json)) throw syntaxError(json, 'object expected');
  const out = new Map<string, RowChange>();
  for (const [uuid, rowJson] of Object.entries(json)) {
    if (!isUuid(uuid)) throw syntaxError(json, `"${uuid}" is not a valid UUID`);
    const old = db.row(table.name, uuid) ?? null;
    if (rowJson === null) {
      if (!old) throw syntaxError(undefined, `transaction deletes row ${uuid} that does not exist`);
      out.set(uuid, { old, new: null });
      continue;
    }
    const base = old ? new Map(old.columns) : new Map<string, Datum>();
    const columns = fullColumns(table, readColumns(table, rowJson, base, isDiff && old !== null));
    out.set(uuid, { old, new: { uuid, version: newUuid(), columns } });
  }
  return out;
}

/**
 * The changes one transaction record makes to `db` (which it does not
 * modify). New row versions come from `newUuid`. Throws OvsdbError with
 * ovsdb-server's wording for a record it would refuse.
 */
export function changesFromRecord(db: RowLookup, json: unknown, newUuid: () => string = randomUuid): TxnChanges {
  if (!isObject(json)) throw syntaxError(json, 'object expected');
  const isDiff = json['_is_diff'] === true;
  const changes = new Map<string, ReadonlyMap<string, RowChange>>();
  for (const [name, value] of Object.entries(json)) {
    const table = db.schema.tables.get(name);
    if (!table) {
      if (META.has(name)) continue;
      throw new OvsdbError('unknown table', `No table named ${name}.`);
    }
    const rows = readTable(db, table, value, isDiff, newUuid);
    if (rows.size) changes.set(name, rows);
  }
  return changes;
}
