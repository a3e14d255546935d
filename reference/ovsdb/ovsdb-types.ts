/**
 * The contract between the parts of reference/ovsdb: how a database, its
 * rows and values, a transaction's outcome and its changes look in memory.
 * The engine (schema, datum, transaction), the storage (file format), the
 * server (methods, monitors, triggers) and the client (replica) all code
 * against these types; nothing here has behaviour.
 *
 * Values follow RFC 7047 §5.1 and Open vSwitch's `struct ovsdb_datum`:
 *  - an atom is a JS number (`integer`, `real`), boolean, or string
 *    (`string`; `uuid` as 36-character lowercase text);
 *  - every column value is a `Datum`: a set of keys, sorted ascending and
 *    without duplicates, plus for maps the values parallel to the keys. A
 *    scalar column (min = max = 1) is a one-key datum. Order: numbers
 *    numerically, false < true, strings by UTF-8 bytes (strcmp), uuids as
 *    text (which equals OVS's uuid_compare_3way).
 *  - Rows are immutable snapshots: a transaction never edits a committed
 *    row, it builds a new one. So `RowChange.old` stays valid after commit.
 *
 * Left out on purpose: integers beyond ±2^53 (JSON.parse loses them; the
 * engine refuses them with a "syntax error"), clustered databases.
 */

export const ATOMIC_TYPES = ['integer', 'real', 'boolean', 'string', 'uuid'] as const;
export type AtomicType = (typeof ATOMIC_TYPES)[number];

/** integer/real: number; boolean: boolean; string: string; uuid: lowercase UUID text. */
export type Atom = number | boolean | string;

/** A column value: sorted unique keys, and for maps the values parallel to them. */
export interface Datum {
  readonly keys: readonly Atom[];
  /** Present exactly when the column type is a map. */
  readonly values?: readonly Atom[];
}

export type RefType = 'strong' | 'weak';

/** RFC 7047 <base-type> with its constraints, as ovsdb_base_type. */
export interface BaseType {
  readonly type: AtomicType;
  /** Allowed values (a set datum of this atomic type), when `enum` is given. */
  readonly enum?: Datum;
  readonly minInteger?: number;
  readonly maxInteger?: number;
  readonly minReal?: number;
  readonly maxReal?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly refTable?: string;
  /** Only with refTable; default strong. */
  readonly refType?: RefType;
}

/** RFC 7047 <type>: key, optional value (map), cardinality min 0|1 and max ≥ 1 or Infinity ("unlimited"). */
export interface ColumnType {
  readonly key: BaseType;
  readonly value?: BaseType;
  readonly min: number;
  readonly max: number;
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  /** `ephemeral: true`: not written to the database file. */
  readonly ephemeral: boolean;
  /** `mutable: false`: update/mutate refuse it after insert. */
  readonly mutable: boolean;
}

export interface TableSchema {
  readonly name: string;
  /** User columns plus the implicit `_uuid` and `_version` (type uuid, immutable). */
  readonly columns: ReadonlyMap<string, ColumnSchema>;
  /** Infinity when not limited. */
  readonly maxRows: number;
  /** Rows of a non-root table with no strong reference to them are deleted at commit. */
  readonly isRoot: boolean;
  /** Each index is a list of column names whose combined value is unique. */
  readonly indexes: readonly (readonly string[])[];
}

export interface DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly cksum?: string;
  readonly tables: ReadonlyMap<string, TableSchema>;
}

/** One committed row. `columns` holds every column of the table except `_uuid` and `_version`. */
export interface Row {
  readonly uuid: string;
  /** A new random UUID each time a transaction modifies the row. */
  readonly version: string;
  readonly columns: ReadonlyMap<string, Datum>;
}

/** What one transaction did to one row: old null = inserted, new null = deleted. */
export interface RowChange {
  readonly old: Row | null;
  readonly new: Row | null;
}

/** table name → row uuid → change. Rows inserted and deleted in the same transaction are absent. */
export type TxnChanges = ReadonlyMap<string, ReadonlyMap<string, RowChange>>;

/** RFC 7047 error object, with Open vSwitch's error strings ("constraint violation", ...). */
export interface OvsdbErrorJson {
  readonly error: string;
  readonly details?: string;
  readonly syntax?: string;
}

/** What the transaction engine needs from its caller (the server, per session). */
export interface TxnContext {
  /** True when this session owns `lock` (for the `assert` operation). */
  hasLock(lock: string): boolean;
  /** Random (v4) UUIDs for inserted rows and row versions. */
  newUuid(): string;
  /** Milliseconds, for `wait` timeouts and `_date`. */
  nowMs(): number;
  /** When the transaction first arrived (a re-run after a `wait` keeps its start). */
  readonly startedMs: number;
}

/**
 * Result of running a transaction against the current database:
 *  - `committed`: every operation succeeded; `changes` must be written and applied
 *    (null when nothing changed), then `result` is the reply.
 *  - `failed`: `result` is the reply (ends with the error); nothing changes.
 *  - `blocked`: a `wait` with a timeout is not yet satisfied; the server re-runs the
 *    same transaction after the next commit, or replies "timed out" at `untilMs`.
 */
export type TxnOutcome =
  | {
      readonly type: 'committed';
      readonly result: unknown[];
      readonly changes: TxnChanges | null;
      /** A `commit` operation asked for `durable: true`. */
      readonly durable: boolean;
      /** `comment` operations joined with "\n", as ovsdb-server writes `_comment`. */
      readonly comment?: string;
    }
  | { readonly type: 'failed'; readonly result: unknown[] }
  | { readonly type: 'blocked'; readonly untilMs: number };
