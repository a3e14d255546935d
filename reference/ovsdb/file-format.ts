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
 * Writing lives in file-record-text.ts (re-exported here).
 *
 * Left out on purpose: OVS's member order, schema conversion (`converting`).
 */
import type { ColumnSchema, ColumnType, DatabaseSchema, Datum, Row, RowChange, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { applyDatumDiff, datumFromJson, defaultDatum } from './datum.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { isUuid, randomUuid } from './uuid.ts';

export { datumText, type RecordMeta, snapshotRecord, snapshotRecordText, txnRecord, txnRecordText } from './file-record-text.ts';

/** What a record reader needs of the database it replays into. */
export interface RowLookup {
  readonly schema: DatabaseSchema;
  row(table: string, uuid: string): Row | undefined;
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
