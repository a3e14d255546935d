/**
 * Building one IDL transaction and reading its reply, as lib/ovsdb-idl.c's
 * ovsdb_idl_txn_commit and ovsdb_idl_txn_process_reply do.
 *
 * What: `IdlTxnBuilder` implements `IdlTxn` over a replica snapshot. It
 * records per row what was verified, written, mutated or deleted, and
 * `build()` turns that into the `transact` operations, in this order:
 *  1. `wait` (timeout 0, where `_uuid ==`, until `==`) with the replica's
 *     current values of each row's verified columns;
 *  2. a `wait` that a singleton table (maxRows 1) is still empty when this
 *     transaction gives it its first row;
 *  3. per row: `insert` with a `uuid-name` (only non-default columns) or
 *     `update` rewriting each written column whole; `delete` for rows of
 *     root tables (non-root rows are left to the server's garbage
 *     collection); then one `mutate` with the row's mutations;
 *  4. for `increment`: `mutate` `+= 1` then `select` of that column;
 *  5. `comment`.
 * UUIDs returned by `insert` are placeholders; wherever one appears in an
 * operation it is sent as `["named-uuid","row<uuid with _>"]`.
 *
 * Invariant: `anyUpdates` is false when the transaction would change
 * nothing (only verifies, rewrites of equal values, deletes of non-root
 * rows); the caller then sends nothing. Increment alone counts as a change
 * only when forced.
 *
 * Reading the reply: idl-txn-reply.ts.
 *
 * Left out on purpose: locks (`assert`), dry-run (`abort`), partial map and
 * set updates beyond the explicit `mutate` call.
 */
import { datumEquals, datumToJson, defaultDatum } from './datum.ts';
import type { ColumnType, Datum, DatabaseSchema, Row, TableSchema } from './ovsdb-types.ts';

export interface IdlTxn {
  /** Returns a placeholder UUID for the new row, usable in other datums and calls of this transaction. */
  insert(table: string, columns: Readonly<Record<string, Datum>>): string;
  /** Rewrites each given column whole (an existing row or one inserted in this transaction). */
  update(table: string, uuid: string, columns: Readonly<Record<string, Datum>>): void;
  delete(table: string, uuid: string): void;
  /** The transaction fails with "try again" unless the column still has the replica's value at commit. */
  verify(table: string, uuid: string, column: string): void;
  mutate(table: string, uuid: string, column: string, mutator: string, value: Datum): void;
  /** Adds 1 to an integer column at commit and reports the new value (`incremented`); see `anyUpdates`. */
  increment(table: string, uuid: string, column: string, opts?: { force?: boolean }): void;
  comment(text: string): void;
  /** The row as this transaction would leave it (undefined when deleted or unknown). */
  read(table: string, uuid: string): ReadonlyMap<string, Datum> | undefined;
}

export interface IdlTxnResult<R> {
  readonly value: R;
  readonly status: 'success' | 'unchanged';
  /** placeholder UUID → the real UUID the server gave the row. */
  readonly insertedUuids: ReadonlyMap<string, string>;
  readonly incremented?: number;
}

/** What the builder reads: the replica as it was when the transaction was built. */
export interface ReplicaView {
  readonly schema: DatabaseSchema;
  rows(table: string): ReadonlyMap<string, Row>;
  row(table: string, uuid: string): Row | undefined;
}

/** The operations to send, and where the reply's interesting results will be. */
export interface TxnPlan {
  readonly ops: unknown[];
  readonly anyUpdates: boolean;
  /** placeholder UUID → index of its `insert` in `ops`. */
  readonly inserts: ReadonlyMap<string, number>;
  /** Index of the increment's `mutate` (its `select` follows) and the column. */
  readonly increment?: { readonly index: number; readonly column: string };
}

interface PendingRow {
  readonly table: TableSchema;
  readonly uuid: string;
  readonly old: Row | null;
  /** null: deleted. */
  current: Map<string, Datum> | null;
  readonly written: Set<string>;
  readonly prereqs: Set<string>;
  readonly mutations: unknown[];
}

export class IdlTxnBuilder implements IdlTxn {
  private readonly pending = new Map<string, PendingRow>();
  private readonly placeholders = new Set<string>();
  private readonly comments: string[] = [];
  private inc: { table: string; uuid: string; column: string; force: boolean } | undefined;

  constructor(
    private readonly view: ReplicaView,
    private readonly newUuid: () => string,
  ) {}

  insert(table: string, columns: Readonly<Record<string, Datum>>): string {
    const ts = this.tableSchema(table);
    const uuid = this.newUuid();
    const current = new Map<string, Datum>();
    for (const [name, c] of ts.columns) {
      if (name !== '_uuid' && name !== '_version') current.set(name, defaultDatum(c.type));
    }
    const row: PendingRow = { table: ts, uuid, old: null, current, written: new Set(), prereqs: new Set(), mutations: [] };
    this.pending.set(key(table, uuid), row);
    this.placeholders.add(uuid);
    this.write(row, columns);
    return uuid;
  }

  update(table: string, uuid: string, columns: Readonly<Record<string, Datum>>): void {
    this.write(this.touch(table, uuid), columns);
  }

  delete(table: string, uuid: string): void {
    const row = this.touch(table, uuid);
    if (!row.old) {
      this.pending.delete(key(table, uuid));
      this.placeholders.delete(uuid);
      return;
    }
    row.current = null;
  }

  verify(table: string, uuid: string, column: string): void {
    const row = this.touch(table, uuid);
    columnType(row.table, column);
    if (!row.old || row.written.has(column)) return;
    if (!row.old.columns.has(column)) {
      throw new Error(`idl txn: cannot verify ${table}.${column}: the column is not monitored`);
    }
    row.prereqs.add(column);
  }

  mutate(table: string, uuid: string, column: string, mutator: string, value: Datum): void {
    const row = this.touch(table, uuid);
    const type = columnType(row.table, column);
    row.mutations.push([column, mutator, datumToJson(mutationType(type, mutator, value), value)]);
  }

  increment(table: string, uuid: string, column: string, opts?: { force?: boolean }): void {
    const ts = this.tableSchema(table);
    columnType(ts, column);
    this.inc = { table, uuid, column, force: opts?.force ?? false };
  }

  comment(text: string): void {
    this.comments.push(text);
  }

  read(table: string, uuid: string): ReadonlyMap<string, Datum> | undefined {
    const row = this.pending.get(key(table, uuid));
    if (row) return row.current ?? undefined;
    return this.view.row(table, uuid)?.columns;
  }

  /** The operations (after the database name) for `transact`. */
  build(): TxnPlan {
    const ops: unknown[] = [];
    for (const row of this.pending.values()) {
      if (row.prereqs.size > 0 && row.old) ops.push(verifyWait(row.table, row.old, row.prereqs));
    }
    ops.push(...this.singletonWaits());
    let anyUpdates = false;
    const inserts = new Map<string, number>();
    for (const row of this.pending.values()) {
      const r = this.rowOps(row);
      if (r.op) {
        if (!row.old) inserts.set(row.uuid, ops.length);
        ops.push(r.op);
      }
      if (row.mutations.length > 0) {
        ops.push({ op: 'mutate', table: row.table.name, where: this.whereUuid(row.uuid), mutations: row.mutations });
      }
      anyUpdates ||= r.changes || row.mutations.length > 0;
    }
    let increment: TxnPlan['increment'];
    if (this.inc && (anyUpdates || this.inc.force)) {
      anyUpdates = true;
      const { table, uuid, column } = this.inc;
      increment = { index: ops.length, column };
      ops.push({ op: 'mutate', table, where: this.whereUuid(uuid), mutations: [[column, '+=', 1]] });
      ops.push({ op: 'select', table, where: this.whereUuid(uuid), columns: [column] });
    }
    if (this.comments.length > 0) ops.push({ op: 'comment', comment: this.comments.join('\n') });
    const plan = { ops: ops.map((op) => this.substitute(op)), anyUpdates, inserts };
    return increment ? { ...plan, increment } : plan;
  }

  private rowOps(row: PendingRow): { op?: unknown; changes: boolean } {
    const name = row.table.name;
    if (!row.current) {
      if (!row.old || !row.table.isRoot) return { changes: false };
      return { op: { op: 'delete', table: name, where: this.whereUuid(row.uuid) }, changes: true };
    }
    const json: Record<string, unknown> = {};
    let changes = !row.old;
    for (const column of row.written) {
      const type = columnType(row.table, column);
      const value = row.current.get(column) ?? defaultDatum(type);
      if (!row.old && datumEquals(value, defaultDatum(type))) continue;
      json[column] = datumToJson(type, value);
      const before = row.old?.columns.get(column);
      if (row.old && (!before || !datumEquals(before, value))) changes = true;
    }
    if (!row.old) return { op: { op: 'insert', table: name, 'uuid-name': rowName(row.uuid), row: json }, changes };
    if (Object.keys(json).length === 0) return { changes };
    return { op: { op: 'update', table: name, where: this.whereUuid(row.uuid), row: json }, changes };
  }

  private singletonWaits(): unknown[] {
    const waits: unknown[] = [];
    for (const ts of this.view.schema.tables.values()) {
      if (ts.maxRows !== 1) continue;
      const initial = this.view.rows(ts.name).size;
      let final = initial;
      for (const row of this.pending.values()) {
        if (row.table !== ts) continue;
        if (!row.old && row.current) final++;
        if (row.old && !row.current) final--;
      }
      if (initial === 0 && final === 1) {
        waits.push({ op: 'wait', table: ts.name, where: [], timeout: 0, until: '==', rows: [] });
      }
    }
    return waits;
  }

  private write(row: PendingRow, columns: Readonly<Record<string, Datum>>): void {
    if (!row.current) throw new Error(`idl txn: ${row.table.name} row ${row.uuid} was deleted in this transaction`);
    for (const [column, value] of Object.entries(columns)) {
      columnType(row.table, column);
      if (column === '_uuid' || column === '_version') {
        throw new Error(`idl txn: column ${row.table.name}.${column} cannot be written`);
      }
      row.current.set(column, value);
      row.written.add(column);
    }
  }

  private touch(table: string, uuid: string): PendingRow {
    const k = key(table, uuid);
    const existing = this.pending.get(k);
    if (existing) {
      if (!existing.current) throw new Error(`idl txn: ${table} row ${uuid} was deleted in this transaction`);
      return existing;
    }
    const ts = this.tableSchema(table);
    const old = this.view.row(table, uuid);
    if (!old) throw new Error(`idl txn: no ${table} row ${uuid} in the replica`);
    const row: PendingRow = {
      table: ts, uuid, old, current: new Map(old.columns), written: new Set(), prereqs: new Set(), mutations: [],
    };
    this.pending.set(k, row);
    return row;
  }

  private tableSchema(table: string): TableSchema {
    const ts = this.view.schema.tables.get(table);
    if (!ts) throw new Error(`idl txn: database "${this.view.schema.name}" has no table "${table}"`);
    return ts;
  }

  private whereUuid(uuid: string): unknown[] {
    return [['_uuid', '==', ['uuid', uuid]]];
  }

  /** Replaces ["uuid", placeholder] with ["named-uuid", name] anywhere in `json`. */
  private substitute(json: unknown): unknown {
    if (Array.isArray(json)) {
      if (json.length === 2 && json[0] === 'uuid' && typeof json[1] === 'string' && this.placeholders.has(json[1])) {
        return ['named-uuid', rowName(json[1])];
      }
      return json.map((j) => this.substitute(j));
    }
    if (typeof json === 'object' && json !== null) {
      return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, this.substitute(v)]));
    }
    return json;
  }
}

/** The `uuid-name` for a placeholder, as ovsdb_data_row_name: "row" + the UUID with '-' as '_'. */
export function rowName(uuid: string): string {
  return `row${uuid.replaceAll('-', '_')}`;
}

function key(table: string, uuid: string): string {
  return `${table}\u0000${uuid}`;
}

function columnType(ts: TableSchema, column: string): ColumnType {
  const c = ts.columns.get(column);
  if (!c) throw new Error(`idl txn: table "${ts.name}" has no column "${column}"`);
  return c.type;
}

/** The type a mutation's argument is written in: a set or map of any size for insert/delete, else one atom. */
function mutationType(type: ColumnType, mutator: string, value: Datum): ColumnType {
  if (mutator === 'insert' || mutator === 'delete') {
    const base = { key: type.key, min: 0, max: Infinity };
    return value.values !== undefined && type.value ? { ...base, value: type.value } : base;
  }
  return { key: type.key, min: 1, max: 1 };
}

function verifyWait(ts: TableSchema, old: Row, columns: ReadonlySet<string>): unknown {
  const row: Record<string, unknown> = {};
  for (const c of columns) {
    const d = old.columns.get(c);
    if (d) row[c] = datumToJson(columnType(ts, c), d);
  }
  return {
    op: 'wait', table: ts.name, timeout: 0, where: [['_uuid', '==', ['uuid', old.uuid]]],
    until: '==', columns: [...columns], rows: [row],
  };
}

