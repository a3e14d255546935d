/**
 * One client monitor (RFC 7047 §4.1.5 `monitor`; Open vSwitch's
 * `monitor_cond` and `monitor_cond_since`, ovsdb-server(7)): which tables,
 * columns, kinds of change and (v2/v3) rows a client watches, and the JSON
 * it is sent — the initial contents in the reply, then one table-updates
 * object per committed transaction.
 *
 * Formats, as ovsdb/monitor.c composes them:
 *  - v1 (`update`): `{"new": all monitored columns}` for initial/insert,
 *    `{"old": all}` for delete, and for modify `new` with every monitored
 *    column plus `old` with only the changed ones.
 *  - v2/v3 (`update2`/`update3`): `initial`/`insert` with the columns that
 *    differ from their defaults, `modify` with per-column diffs (sets:
 *    symmetric difference, maps: changed pairs; scalars: the new value),
 *    `delete: null`. A row entering the condition is an insert, one leaving
 *    it a delete.
 * A modify that changes no monitored column sends nothing; a table with no
 * row updates is left out; no row updates at all → null (no notification).
 *
 * Conditions: a clause list matches a row when it is empty or ANY clause
 * holds (ovsdb_condition_empty_or_match_any — unlike transact's AND).
 * Without `columns`, every column but `_uuid` is monitored (`_version`
 * included). Errors are OvsdbErrors with ovsdb-server's texts.
 *
 * Left out on purpose: sharing of identical monitors between sessions and
 * the change-set history behind monitor_cond_since (a standalone server
 * always answers found=false with the all-zero last-txn-id).
 */
import type { ColumnSchema, Datum, Row, RowChange, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { field, type Database } from './database.ts';
import { evaluateCondition, parseCondition, type Condition } from './condition.ts';
import { datumDiff, datumEquals, datumToJson, defaultDatum } from './datum.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { ObjectParser } from './parser.ts';

export type MonitorVersion = 1 | 2 | 3;

const SELECT = { initial: 1, insert: 2, delete: 4, modify: 8 } as const;
type Kind = keyof typeof SELECT;
const ALL = SELECT.initial | SELECT.insert | SELECT.delete | SELECT.modify;

interface MonitoredColumn {
  readonly schema: ColumnSchema;
  readonly select: number;
}

interface MonitoredTable {
  readonly schema: TableSchema;
  readonly columns: MonitoredColumn[];
  select: number;
  /** Empty: every row. */
  where: Condition;
}

type JsonObject = Record<string, unknown>;

const noSymbols = (): undefined => undefined;

/** A column reader for `row` (returned, not assigned: tsx's keepNames would name each one, which costs per row). */
function rowGetter(row: Row): (c: string) => Datum {
  return (c) => field(row, c);
}

/** True when the row satisfies the monitor condition (empty, or any clause). */
function matches(where: Condition, row: Row): boolean {
  if (where.length === 0) return true;
  const get = rowGetter(row);
  return where.some((clause) => evaluateCondition([clause], get));
}

function parseWhere(table: TableSchema, json: unknown): Condition {
  if (json === undefined) return [];
  return parseCondition(table, json as readonly unknown[], noSymbols);
}

export class Monitor {
  private constructor(
    public id: unknown,
    readonly version: MonitorVersion,
    readonly db: Database,
    private readonly tables: ReadonlyMap<string, MonitoredTable>,
  ) {}

  /** Parses `<monitor-requests>` for `db`; throws OvsdbError as ovsdb_jsonrpc_monitor_create. */
  static create(db: Database, id: unknown, version: MonitorVersion, requests: unknown): Monitor {
    if (typeof requests !== 'object' || requests === null || Array.isArray(requests)) {
      throw syntaxError(requests, 'monitor-requests must be object');
    }
    const tables = new Map<string, MonitoredTable>();
    for (const [name, value] of Object.entries(requests as JsonObject)) {
      const schema = db.schema.tables.get(name);
      if (!schema) throw new OvsdbError('syntax error', `no table named ${name}`);
      const mt: MonitoredTable = { schema, columns: [], select: 0, where: [] };
      tables.set(name, mt);
      for (const req of Array.isArray(value) ? value : [value]) addRequest(mt, req, version !== 1);
    }
    return new Monitor(id, version, db, tables);
  }

  /** The reply's table-updates: every current row as `initial` (v2/v3) or `new` (v1). */
  initial(): JsonObject {
    const out: JsonObject = {};
    for (const [name, mt] of this.tables) {
      const rows: JsonObject = {};
      for (const row of this.db.rows(name).values()) {
        const u = this.rowUpdate(mt, 'initial', null, row);
        if (u !== undefined) rows[row.uuid] = u;
      }
      if (Object.keys(rows).length > 0) out[name] = rows;
    }
    return out;
  }

  /** The table-updates for one committed transaction, or null when nothing watched changed. */
  update(changes: TxnChanges): JsonObject | null {
    let out: JsonObject | null = null;
    for (const [name, rowChanges] of changes) {
      const mt = this.tables.get(name);
      if (!mt) continue;
      let rows: JsonObject | undefined;
      for (const [uuid, ch] of rowChanges) {
        const u = this.changeUpdate(mt, ch);
        if (u === undefined) continue;
        rows ??= {};
        rows[uuid] = u;
      }
      if (rows) (out ??= {})[name] = rows;
    }
    return out;
  }

  /**
   * monitor_cond_change: new conditions per table (`columns` refused).
   * Returns the update taking the client from the old to the new rows,
   * or null. Throws OvsdbError and then changes nothing. A v1 monitor
   * has no conditions: accepted, nothing changes.
   */
  changeConditions(requests: unknown): JsonObject | null {
    if (typeof requests !== 'object' || requests === null || Array.isArray(requests)) {
      throw new OvsdbError('syntax error', 'monitor-cond-change-requests must be object');
    }
    const next = new Map<MonitoredTable, Condition>();
    for (const [name, value] of Object.entries(requests as JsonObject)) {
      const schema = this.db.schema.tables.get(name);
      if (!schema) throw new OvsdbError('syntax error', `no table named ${name}`);
      const mt = this.tables.get(name);
      if (!mt) throw new OvsdbError('syntax error', `no table named ${name} in monitor session`);
      if (!Array.isArray(value)) throw new OvsdbError('syntax error', `table ${name} no monitor-cond-change JSON array`);
      for (const req of value) {
        const p = new ObjectParser(req, `table ${name}`);
        const columns = p.member('columns', ['array'], true);
        const where = p.member('where', ['array'], true);
        p.finishOrThrow();
        if (columns !== undefined) throw syntaxError(req, 'changing columns is unsupported');
        next.set(mt, parseWhere(schema, where));
      }
    }
    if (this.version === 1) return null;
    let out: JsonObject | null = null;
    for (const [mt, where] of next) {
      const rows: JsonObject = {};
      for (const row of this.db.rows(mt.schema.name).values()) {
        const was = matches(mt.where, row);
        const is = matches(where, row);
        if (was === is) continue;
        const kind: Kind = is ? 'insert' : 'delete';
        if (!(mt.select & SELECT[kind])) continue;
        rows[row.uuid] = is ? { insert: this.nonDefaults(mt, row, kind) } : { delete: null };
      }
      mt.where = where;
      if (Object.keys(rows).length > 0) (out ??= {})[mt.schema.name] = rows;
    }
    return out;
  }

  private changeUpdate(mt: MonitoredTable, ch: RowChange): unknown {
    const kind: Kind = ch.old === null ? 'insert' : ch.new === null ? 'delete' : 'modify';
    return this.rowUpdate(mt, kind, ch.old, ch.new);
  }

  private rowUpdate(mt: MonitoredTable, kind0: Kind, old: Row | null, now: Row | null): unknown {
    let kind = kind0;
    if (this.version !== 1) {
      const was = old !== null && matches(mt.where, old);
      const is = now !== null && matches(mt.where, now);
      if (!was && !is) return undefined;
      if (kind === 'modify') kind = !was ? 'insert' : !is ? 'delete' : 'modify';
      else if ((kind === 'insert' || kind === 'initial') && !is) return undefined;
    }
    if (!(mt.select & SELECT[kind])) return undefined;
    const changed = kind === 'modify' ? mt.columns.filter((c) => !datumEquals(field(old as Row, c.schema.name), field(now as Row, c.schema.name))) : [];
    if (kind === 'modify' && changed.length === 0) return undefined;
    return this.version === 1 ? this.rowUpdate1(mt, kind, old, now, changed) : this.rowUpdate2(mt, kind, old, now, changed);
  }

  private rowUpdate1(mt: MonitoredTable, kind: Kind, old: Row | null, now: Row | null, changed: readonly MonitoredColumn[]): JsonObject {
    const out: JsonObject = {};
    const bit = SELECT[kind];
    if (kind === 'delete' || kind === 'modify') {
      const o: JsonObject = {};
      for (const c of kind === 'delete' ? mt.columns : changed) if (c.select & bit) o[c.schema.name] = datumToJson(c.schema.type, field(old as Row, c.schema.name));
      out['old'] = o;
    }
    if (kind !== 'delete') {
      const n: JsonObject = {};
      for (const c of mt.columns) if (c.select & bit) n[c.schema.name] = datumToJson(c.schema.type, field(now as Row, c.schema.name));
      out['new'] = n;
    }
    return out;
  }

  private rowUpdate2(mt: MonitoredTable, kind: Kind, old: Row | null, now: Row | null, changed: readonly MonitoredColumn[]): JsonObject {
    if (kind === 'delete') return { delete: null };
    if (kind !== 'modify') return { [kind]: this.nonDefaults(mt, now as Row, kind) };
    const diff: JsonObject = {};
    for (const c of changed) {
      if (!(c.select & SELECT.modify)) continue;
      const t = c.schema.type;
      diff[c.schema.name] = datumToJson(t, datumDiff(t, field(old as Row, c.schema.name), field(now as Row, c.schema.name)));
    }
    return { modify: diff };
  }

  private nonDefaults(mt: MonitoredTable, row: Row, kind: Kind): JsonObject {
    const out: JsonObject = {};
    for (const c of mt.columns) {
      if (!(c.select & SELECT[kind])) continue;
      const d = field(row, c.schema.name);
      if (!datumEquals(d, defaultDatum(c.schema.type))) out[c.schema.name] = datumToJson(c.schema.type, d);
    }
    return out;
  }
}

/** One <monitor-request> for `mt` (ovsdb_jsonrpc_parse_monitor_request). */
function addRequest(mt: MonitoredTable, req: unknown, hasWhere: boolean): void {
  const name = mt.schema.name;
  const p = new ObjectParser(req, `table ${name}`);
  const where = hasWhere ? p.member('where', ['array'], true) : undefined;
  const columns = p.member('columns', ['array'], true);
  const selectJson = p.member('select', ['object'], true);
  p.finishOrThrow();
  let select = ALL;
  if (selectJson !== undefined) {
    select = 0;
    const sp = new ObjectParser(selectJson, `table ${name} select`);
    for (const kind of ['initial', 'insert', 'delete', 'modify'] as const) {
      const v = sp.member(kind, ['boolean'], true);
      if (v !== false) select |= SELECT[kind];
    }
    sp.finishOrThrow();
  }
  mt.select |= select;
  const names = columns === undefined ? [...mt.schema.columns.keys()].filter((c) => c !== '_uuid') : (columns as unknown[]);
  for (const c of names) {
    if (typeof c !== 'string') throw syntaxError(columns, 'array of column names expected');
    const schema = mt.schema.columns.get(c);
    if (!schema) throw syntaxError(columns, `${c} is not a valid column name`);
    if (mt.columns.some((m) => m.schema.name === c)) throw syntaxError(columns, `column ${c} mentioned more than once`);
    mt.columns.push({ schema, select });
  }
  if (hasWhere) mt.where = parseWhere(mt.schema, where);
}
