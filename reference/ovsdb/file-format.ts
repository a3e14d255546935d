/**
 * Transaction records of a standalone database file (ovsdb(5), ovsdb/file.c):
 * the JSON object after the schema record, one per committed transaction.
 *
 *   {"<table>": {"<row uuid>": <row> | null, …}, …,
 *    "_comment": "…", "_is_diff": true, "_date": <ms>}
 *
 * Writing, as ovsdb-server 3.1 does: a deleted row is `null`; an inserted
 * row lists its persistent columns that differ from the column default; a
 * modified row lists only the persistent columns whose value changed, and
 * with `_is_diff` (the default) a column of a composite type (max > 1) holds
 * ovsdb_datum_diff(old, new) instead of the new value. Ephemeral columns,
 * `_uuid` and `_version` are never written; a transaction that leaves no row
 * to write yields no record. A snapshot (what compaction writes after the
 * schema) is one such record inserting every row.
 *
 * Reading accepts diff and plain records alike. As ovsdb-server replays:
 * a diff is applied only when the row's current value is not the column's
 * default, otherwise the value replaces it; unknown tables and columns are
 * syntax errors; `_date`, `_comment`, `_is_diff` are metadata.
 *
 * Left out on purpose: member order (OVS orders object members by its
 * string hash; readers do not care), schema conversion (`converting`).
 */
import type { ColumnSchema, ColumnType, DatabaseSchema, Datum, Row, RowChange, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { applyDatumDiff, datumDiff, datumEquals, datumFromJson, datumToJson, defaultDatum } from './datum.ts';
import { OvsdbError, syntaxError } from './errors.ts';
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
  /** Write set/map columns of modified rows as diffs (`_is_diff`); default true, as ovsdb-server 3.1. */
  readonly isDiff?: boolean;
}

function isStored(c: ColumnSchema): boolean {
  return !c.ephemeral && c.name !== '_uuid' && c.name !== '_version';
}

function rowObject(table: TableSchema, change: RowChange, isDiff: boolean): Record<string, unknown> | null | undefined {
  const { old, new: next } = change;
  if (!next) return null;
  let out: Record<string, unknown> | undefined = old ? undefined : {};
  for (const col of table.columns.values()) {
    if (!isStored(col)) continue;
    const value = next.columns.get(col.name) ?? defaultDatum(col.type);
    let written: Datum;
    if (old) {
      const before = old.columns.get(col.name) ?? defaultDatum(col.type);
      if (datumEquals(before, value)) continue;
      // From the default the reader replaces rather than applies, so write the value itself.
      written = isDiff && !datumEquals(before, defaultDatum(col.type)) ? datumDiff(col.type, before, value) : value;
    } else {
      if (datumEquals(value, defaultDatum(col.type))) continue;
      written = value;
    }
    out ??= {};
    out[col.name] = datumToJson(col.type, written);
  }
  return out;
}

function annotate(record: Record<string, unknown>, meta: RecordMeta): Record<string, unknown> {
  if (meta.comment !== undefined) record['_comment'] = meta.comment;
  if (meta.isDiff ?? true) record['_is_diff'] = true;
  record['_date'] = meta.dateMs;
  return record;
}

/**
 * The record for one committed transaction, or null when it changes nothing
 * that is written to the file (ovsdb-server then writes no record).
 */
export function txnRecord(schema: DatabaseSchema, changes: TxnChanges, meta: RecordMeta): Record<string, unknown> | null {
  const record: Record<string, unknown> = {};
  let rows = 0;
  for (const [tableName, tableChanges] of changes) {
    const table = schema.tables.get(tableName);
    if (!table) throw new Error(`txnRecord: table ${JSON.stringify(tableName)} is not in schema ${schema.name}`);
    let tableJson: Record<string, unknown> | undefined;
    for (const [uuid, change] of tableChanges) {
      const row = rowObject(table, change, meta.isDiff ?? true);
      if (row === undefined) continue;
      tableJson ??= record[tableName] = {} as Record<string, unknown>;
      tableJson[uuid] = row;
      rows++;
    }
  }
  return rows === 0 ? null : annotate(record, meta);
}

/** The snapshot record compaction writes: every row as an insert. Empty database: only metadata. */
export function snapshotRecord(schema: DatabaseSchema, rows: (table: string) => Iterable<Row>, meta: RecordMeta): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const table of schema.tables.values()) {
    let tableJson: Record<string, unknown> | undefined;
    for (const row of rows(table.name)) {
      tableJson ??= record[table.name] = {} as Record<string, unknown>;
      tableJson[row.uuid] = rowObject(table, { old: null, new: row }, false);
    }
  }
  return annotate(record, meta);
}

const META = new Set(['_date', '_comment', '_is_diff']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A set/map diff may exceed the column's cardinality; only the result is checked. */
function diffType(type: ColumnType): ColumnType {
  return { ...type, min: 0, max: Infinity };
}

function readColumns(table: TableSchema, json: unknown, base: Map<string, Datum>, isDiff: boolean): Map<string, Datum> {
  if (!isObject(json)) throw syntaxError(json, 'row must be JSON object');
  for (const [name, value] of Object.entries(json)) {
    const col = table.columns.get(name);
    if (!col || name === '_uuid' || name === '_version') {
      throw new OvsdbError('unknown column', `No column ${name} in table ${table.name}.`);
    }
    const current = base.get(name) ?? defaultDatum(col.type);
    if (isDiff && col.type.max > 1 && !datumEquals(current, defaultDatum(col.type))) {
      base.set(name, applyDatumDiff(col.type, current, datumFromJson(diffType(col.type), value)));
    } else {
      base.set(name, datumFromJson(col.type, value));
    }
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
    const columns = fullColumns(table, readColumns(table, rowJson, base, isDiff));
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
