/**
 * The working state of one transaction over a committed Database: which rows
 * it inserted, modified or deleted, seen through one read API that merges
 * them with the untouched committed rows (as OVS's ovsdb_txn_row list does).
 *
 * Copy-on-write: a committed row is copied (a shallow Map copy; datums are
 * shared, being immutable) only when an operation modifies it, so a
 * transaction costs in proportion to what it touches, not to table size.
 * Invariant: for each touched row, `old` is the committed row (null when
 * inserted here) and `new` the working row (null when deleted).
 */
import type { Datum, Row, TableSchema } from './ovsdb-types.ts';
import type { Database } from './database.ts';
import { defaultRowColumns } from './table-info.ts';
import { RowColumns } from './row-columns.ts';
import { ZERO_UUID } from './uuid.ts';
import { rowMatches, uuidEqualsTarget, type Condition } from './condition.ts';

export interface WorkRow {
  readonly uuid: string;
  /** Committed version until the commit gives a new one. */
  version: string;
  readonly columns: RowColumns;
}

export interface TxnRow {
  readonly table: TableSchema;
  readonly uuid: string;
  readonly old: Row | null;
  new: WorkRow | null;
  /** Strong references to this row after the transaction (filled in at commit). */
  nRefs: number;
  /** Columns whose value differs from `old` (filled in at commit; may be shared: copy before adding). */
  changed: ReadonlySet<string> | null;
  /** Last forEachTxnRow pass that visited this row. */
  pass: number;
}

/** What queries read: a committed Row or a working row. */
export type RowView = Row | WorkRow;

/** A writable RowColumns from any committed row (rows a file loader built hold plain Maps). */
function copyColumns(table: TableSchema, from: ReadonlyMap<string, Datum>): RowColumns {
  const cols = defaultRowColumns(table);
  for (const [k, v] of from) cols.set(k, v);
  return cols;
}

export function rowField(row: RowView, column: string): Datum {
  if (column === '_uuid') return { keys: [row.uuid] };
  if (column === '_version') return { keys: [row.version || ZERO_UUID] };
  return row.columns.get(column) ?? EMPTY;
}

const EMPTY: Datum = { keys: [] };

export class TxnState {
  readonly db: Database;
  /** table name → uuid → touched row, in first-touch order. */
  readonly tables = new Map<string, Map<string, TxnRow>>();
  readonly comments: string[] = [];
  durable = false;
  /** Rows touched so far, and forEachTxnRow passes so far. */
  touches = 0;
  passes = 0;

  constructor(db: Database) {
    this.db = db;
  }

  txnRow(table: string, uuid: string): TxnRow | undefined {
    return this.tables.get(table)?.get(uuid);
  }

  private touched(table: string): Map<string, TxnRow> {
    this.touches++;
    let m = this.tables.get(table);
    if (!m) {
      m = new Map();
      this.tables.set(table, m);
    }
    return m;
  }

  /** The row as this transaction sees it, or undefined (absent or deleted). */
  get(table: string, uuid: string): RowView | undefined {
    const tr = this.tables.get(table)?.get(uuid);
    if (tr) return tr.new ?? undefined;
    return this.db.row(table, uuid);
  }

  /** Every row of the table as this transaction sees it: committed ones first, then inserted ones. */
  *scan(table: string): Generator<RowView> {
    const touched = this.tables.get(table);
    for (const [uuid, row] of this.db.rows(table)) {
      const tr = touched?.get(uuid);
      if (!tr) yield row;
      else if (tr.new) yield tr.new;
    }
    if (touched) {
      for (const tr of touched.values()) if (!tr.old && tr.new) yield tr.new;
    }
  }

  /** True when a row with this uuid exists now or was touched by this transaction. */
  uuidTaken(table: string, uuid: string): boolean {
    return this.db.row(table, uuid) !== undefined || this.tables.get(table)?.has(uuid) === true;
  }

  insert(table: TableSchema, uuid: string, columns: RowColumns, version: string): WorkRow {
    const row: WorkRow = { uuid, version, columns };
    this.touched(table.name).set(uuid, { table, uuid, old: null, new: row, nRefs: 0, changed: null, pass: 0 });
    return row;
  }

  /** The writable copy of an existing row (copied on first write), or undefined if the row is gone. */
  modify(table: TableSchema, uuid: string): WorkRow | undefined {
    const m = this.touched(table.name);
    const tr = m.get(uuid);
    if (tr) return tr.new ?? undefined;
    const old = this.db.row(table.name, uuid);
    if (!old) return undefined;
    const columns = old.columns instanceof RowColumns ? old.columns.clone() : copyColumns(table, old.columns);
    const row: WorkRow = { uuid, version: old.version, columns };
    m.set(uuid, { table, uuid, old, new: row, nRefs: this.db.refCount(table.name, uuid), changed: null, pass: 0 });
    return row;
  }

  /** Deletes a row; a row inserted by this transaction vanishes without trace. */
  delete(table: TableSchema, uuid: string): void {
    const m = this.touched(table.name);
    const tr = m.get(uuid);
    if (tr) {
      if (!tr.old) m.delete(uuid);
      else tr.new = null;
      return;
    }
    const old = this.db.row(table.name, uuid);
    if (old) m.set(uuid, { table, uuid, old, new: null, nRefs: this.db.refCount(table.name, uuid), changed: null, pass: 0 });
  }

  /** A fresh row holding every column's default. */
  static defaultColumns(table: TableSchema): RowColumns {
    return defaultRowColumns(table);
  }
}

/** Calls `each` for the rows matching `cond` (a `_uuid ==` clause is a direct lookup); `each` returning false stops. */
export function query(x: TxnState, table: TableSchema, cond: Condition, each: (row: RowView) => boolean | void): void {
  const target = uuidEqualsTarget(cond);
  if (target !== undefined) {
    const row = x.get(table.name, target);
    if (row && rowMatches(cond, row)) each(row);
    return;
  }
  for (const row of x.scan(table.name)) {
    if (rowMatches(cond, row) && each(row) === false) return;
  }
}


/** Every touched row, including rows pulled in while iterating (like OVS's for_each_txn_row). */
/**
 * Calls `fn` once for every touched row, including rows touched while it
 * runs (a further pass catches those added to tables already walked), in
 * table first-touch order (like OVS's for_each_txn_row).
 */
export function forEachTxnRow(state: TxnState, fn: (tr: TxnRow) => void): void {
  const pass = ++state.passes;
  for (;;) {
    const before = state.touches;
    for (const rows of state.tables.values()) {
      for (const tr of rows.values()) {
        if (tr.pass === pass) continue;
        tr.pass = pass;
        fn(tr);
      }
    }
    if (state.touches === before) return;
  }
}

/** The txn row of an existing row, pulling a committed row into the transaction if needed. */
export function findOrMake(state: TxnState, table: string, uuid: string): TxnRow | undefined {
  const tr = state.txnRow(table, uuid);
  if (tr) return tr;
  const schema = state.db.schema.tables.get(table);
  if (!schema || !state.modify(schema, uuid)) return undefined;
  return state.txnRow(table, uuid);
}

