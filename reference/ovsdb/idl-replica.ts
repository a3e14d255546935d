/**
 * The client's in-memory copy of the monitored part of a database, kept up
 * to date from monitor replies and `update`/`update2` notifications
 * (RFC 7047 §4.1.6 and Open vSwitch's monitor_cond extension, as
 * lib/ovsdb-idl.c applies them).
 *
 * What: `Replica` holds, per monitored table, the rows with exactly the
 * monitored columns. `applyUpdate2` reads a <table-updates2> object
 * (`initial`/`insert` carry the row's non-default columns, `modify` carries
 * for sets and maps the difference to apply with `applyDatumDiff` and for
 * other columns the new value, `delete` removes the row); `applyUpdate`
 * reads RFC 7047 <table-updates> (`old`/`new`, `new` holding whole column
 * values). Both return the changes as `TxnChanges`.
 *
 * Invariant: an update is parsed and checked completely before anything is
 * applied, so a malformed or inconsistent update (a row inserted twice,
 * modified or deleted while absent, a bad value) throws and leaves the
 * replica as it was. Every row holds every monitored column (absent ones
 * take the column type's default).
 *
 * Left out on purpose: `_version` (rows carry the all-zero UUID as their
 * version), monitor_cond_since's `update3`, conditions on rows.
 */
import { applyDatumDiff, datumFromJson, defaultDatum } from './datum.ts';
import { OvsdbError } from './errors.ts';
import type { ColumnType, Datum, DatabaseSchema, Row, RowChange, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { isUuid, ZERO_UUID } from './uuid.ts';

type RowUpdateKind = 'initial' | 'insert' | 'modify' | 'delete';

export class Replica {
  readonly schema: DatabaseSchema;
  /** table name → monitored column names (without `_uuid`/`_version`). */
  readonly columns: ReadonlyMap<string, readonly string[]>;
  private readonly tables = new Map<string, Map<string, Row>>();

  /** `columns` names tables of `schema` and some of their columns; unknown names throw. */
  constructor(schema: DatabaseSchema, columns: ReadonlyMap<string, readonly string[]>) {
    this.schema = schema;
    for (const [table, cols] of columns) {
      const ts = this.tableSchema(table);
      for (const c of cols) {
        if (!ts.columns.has(c) || c === '_uuid' || c === '_version') {
          throw new Error(`replica: table "${table}" has no column "${c}" to monitor`);
        }
      }
      this.tables.set(table, new Map());
    }
    this.columns = columns;
  }

  /** Rows of a monitored table (empty for a table of the schema that is not monitored). */
  rows(table: string): ReadonlyMap<string, Row> {
    const rows = this.tables.get(table);
    if (rows) return rows;
    this.tableSchema(table);
    return EMPTY;
  }

  row(table: string, uuid: string): Row | undefined {
    return this.tables.get(table)?.get(uuid);
  }

  isMonitored(table: string, column?: string): boolean {
    const cols = this.columns.get(table);
    return cols !== undefined && (column === undefined || cols.includes(column));
  }

  /** Applies a <table-updates2> object (monitor_cond reply or `update2` params[1]). Throws OvsdbError when malformed. */
  applyUpdate2(json: unknown): TxnChanges {
    return this.applyAll(json, (table, uuid, body) => this.parseRowUpdate2(table, uuid, body));
  }

  /** Applies an RFC 7047 <table-updates> object (monitor reply or `update` params[1]). Throws OvsdbError when malformed. */
  applyUpdate(json: unknown): TxnChanges {
    return this.applyAll(json, (table, uuid, body) => this.parseRowUpdate1(table, uuid, body));
  }

  /** Empties every table (before a fresh initial snapshot). */
  clear(): void {
    for (const rows of this.tables.values()) rows.clear();
  }

  private tableSchema(table: string): TableSchema {
    const ts = this.schema.tables.get(table);
    if (!ts) throw new Error(`replica: database "${this.schema.name}" has no table "${table}"`);
    return ts;
  }

  private applyAll(
    json: unknown,
    parse: (table: string, uuid: string, body: unknown) => RowChange | null,
  ): TxnChanges {
    const updates = expectObject(json, 'table updates');
    const changes = new Map<string, Map<string, RowChange>>();
    for (const [table, tableJson] of Object.entries(updates)) {
      if (!this.tables.has(table)) throw syntax(`update for table "${table}" that is not monitored`);
      const perRow = new Map<string, RowChange>();
      for (const [text, body] of Object.entries(expectObject(tableJson, `updates of table "${table}"`))) {
        if (!isUuid(text)) throw syntax(`"${text}" is not a UUID (table "${table}")`);
        const uuid = text.toLowerCase();
        const change = parse(table, uuid, body);
        if (change) perRow.set(uuid, change);
      }
      if (perRow.size > 0) changes.set(table, perRow);
    }
    for (const [table, perRow] of changes) {
      const rows = this.tables.get(table);
      if (!rows) continue;
      for (const [uuid, change] of perRow) {
        if (change.new) rows.set(uuid, change.new);
        else rows.delete(uuid);
      }
    }
    return changes;
  }

  private parseRowUpdate2(table: string, uuid: string, body: unknown): RowChange | null {
    const obj = expectObject(body, `row update of ${table} ${uuid}`);
    const kinds = Object.keys(obj);
    const kind = kinds[0];
    if (kinds.length !== 1 || !isRowUpdateKind(kind)) {
      throw syntax(`row update of ${table} ${uuid} must have exactly one of initial, insert, modify, delete`);
    }
    const old = this.row(table, uuid) ?? null;
    switch (kind) {
      case 'initial':
      case 'insert':
        if (old) throw inconsistent(`cannot insert ${table} row ${uuid}: it already exists`);
        return { old: null, new: this.buildRow(table, uuid, null, obj[kind], false) };
      case 'modify':
        if (!old) throw inconsistent(`cannot modify missing ${table} row ${uuid}`);
        return { old, new: this.buildRow(table, uuid, old, obj[kind], true) };
      case 'delete':
        if (!old) throw inconsistent(`cannot delete missing ${table} row ${uuid}`);
        return { old, new: null };
    }
  }

  private parseRowUpdate1(table: string, uuid: string, body: unknown): RowChange | null {
    const obj = expectObject(body, `row update of ${table} ${uuid}`);
    const old = this.row(table, uuid) ?? null;
    if (obj['new'] === undefined || obj['new'] === null) {
      if (!old) throw inconsistent(`cannot delete missing ${table} row ${uuid}`);
      return { old, new: null };
    }
    if (!old && obj['old'] !== undefined && obj['old'] !== null) {
      throw inconsistent(`cannot modify missing ${table} row ${uuid}`);
    }
    return { old, new: this.buildRow(table, uuid, old, obj['new'], false) };
  }

  /**
   * A new row: `base`'s columns (or every monitored column's default), with
   * the columns of `json` replacing them, or applied as diffs when `isDiff`.
   */
  private buildRow(table: string, uuid: string, base: Row | null, json: unknown, isDiff: boolean): Row {
    const ts = this.tableSchema(table);
    const monitored = this.columns.get(table) ?? [];
    const columns = new Map<string, Datum>();
    for (const c of monitored) {
      columns.set(c, base?.columns.get(c) ?? defaultDatum(columnType(ts, c)));
    }
    for (const [name, value] of Object.entries(expectObject(json, `row ${table} ${uuid}`))) {
      if (!monitored.includes(name)) continue; // _uuid, _version, or a column we did not ask for
      const type = columnType(ts, name);
      const previous = columns.get(name) ?? defaultDatum(type);
      if (isDiff) {
        const diff = datumFromJson({ ...type, min: 0, max: Infinity }, value);
        columns.set(name, applyDatumDiff(type, previous, diff));
      } else {
        columns.set(name, datumFromJson(type, value));
      }
    }
    return { uuid, version: ZERO_UUID, columns };
  }
}

const EMPTY: ReadonlyMap<string, Row> = new Map();

function columnType(ts: TableSchema, column: string): ColumnType {
  const c = ts.columns.get(column);
  if (!c) throw new Error(`replica: table "${ts.name}" has no column "${column}"`);
  return c.type;
}

function isRowUpdateKind(k: string | undefined): k is RowUpdateKind {
  return k === 'initial' || k === 'insert' || k === 'modify' || k === 'delete';
}

function expectObject(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw syntax(`${what} is not a JSON object`);
  }
  return json as Record<string, unknown>;
}

function syntax(details: string): OvsdbError {
  return new OvsdbError('syntax error', details);
}

function inconsistent(details: string): OvsdbError {
  return new OvsdbError('inconsistent data', details);
}
