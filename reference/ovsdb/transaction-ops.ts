/**
 * The ten RFC 7047 §5.2 operations (insert, select, update, mutate, delete,
 * wait, commit, abort, comment, assert) executed against a TxnState the way
 * ovsdb/execution.c does: members read in OVS's order (so the first error
 * reported is OVS's), the same error tags and details, and the same result
 * objects ({"uuid"}, {"rows"}, {"count"}, {}).
 *
 * Invariant: an executor either returns its result object or throws an
 * OvsdbError; the caller aborts the transaction on the first error.
 */
import type { ColumnSchema, Datum, TableSchema, TxnContext } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { checkDatumConstraints, datumEquals, datumToJson, parseDatum, type SymbolResolver } from './datum.ts';
import { compareDatums } from './datum-ops.ts';
import { parseCondition } from './condition.ts';
import { applyMutation, parseMutations } from './mutation.ts';
import { parseColumnNames } from './schema.ts';
import { isJsonObject, type ObjectParser } from './parser.ts';
import { isUuid } from './uuid.ts';
import { indexKey } from './table-info.ts';
import { ovsHashOrder } from './ovs-hash-order.ts';
import { query, rowField, TxnState, type RowView } from './txn-state.ts';
import { waitOp } from './transaction-wait.ts';

export interface NamedUuid {
  uuid: string;
  created: boolean;
}

/** What every executor sees: the transaction, its named-uuid table and its clock. */
export interface Execution {
  readonly state: TxnState;
  readonly ctx: TxnContext;
  readonly symbols: Map<string, NamedUuid>;
  readonly resolve: SymbolResolver;
  readonly elapsedMs: number;
  /** Smallest "timeout" of the waits seen so far; when a wait blocks, that wait's own (Infinity: none). */
  timeoutMs: number;
}

export type Executor = (x: Execution, p: ObjectParser) => Record<string, unknown>;

function parseTable(x: Execution, p: ObjectParser): TableSchema | undefined {
  const name = p.member('table', ['id']) as string | undefined;
  if (name === undefined) return undefined;
  const t = x.state.db.schema.tables.get(name);
  if (!t) p.raise(`No table named ${name}.`);
  return t;
}

function check(p: ObjectParser): void {
  if (p.error) throw p.error;
}

function parseColumns(table: TableSchema, json: Record<string, unknown>, names: readonly string[], resolve: SymbolResolver): [ColumnSchema, Datum][] {
  return names.map((name) => {
    const column = table.columns.get(name);
    if (!column) throw syntaxError(json, `No column ${name} in table ${table.name}.`, 'unknown column');
    return [column, parseDatum(column.type, json[name], resolve)];
  });
}

/**
 * ovsdb_row_from_json: sets the given columns' values into `into`. OVS walks
 * the members in its hash order, which decides the error reported when
 * several are bad; the common error-free case skips computing that order.
 */
function parseRow(table: TableSchema, json: unknown, resolve: SymbolResolver, into: { set(k: string, v: Datum): unknown }): ColumnSchema[] {
  if (!isJsonObject(json)) throw syntaxError(json, 'row must be JSON object');
  const names = Object.keys(json);
  let parsed: [ColumnSchema, Datum][];
  try {
    parsed = parseColumns(table, json, names, resolve);
  } catch (e) {
    if (names.length > 1) parseColumns(table, json, ovsHashOrder(names), resolve);
    throw e;
  }
  for (const [c, d] of parsed) into.set(c.name, d);
  return parsed.map(([c]) => c);
}

const insert: Executor = (x, p) => {
  const table = parseTable(x, p);
  const uuidJson = p.member('uuid', ['string'], true) as string | undefined;
  const uuidName = p.member('uuid-name', ['id'], true) as string | undefined;
  const rowJson = p.member('row', ['object']);
  check(p);
  const t = table as TableSchema;
  let uuid: string | undefined;
  if (uuidJson !== undefined) {
    if (!isUuid(uuidJson)) throw syntaxError(uuidJson, 'bad uuid');
    uuid = uuidJson.toLowerCase();
    if (x.state.uuidTaken(t.name, uuid)) {
      throw syntaxError(
        uuidJson,
        'This UUID would duplicate a UUID already present within the table or deleted within the same transaction.',
        'duplicate uuid',
      );
    }
  }
  if (uuidName !== undefined) {
    let sym = x.symbols.get(uuidName);
    if (!sym) {
      sym = { uuid: x.ctx.newUuid(), created: false };
      x.symbols.set(uuidName, sym);
    }
    if (sym.created) {
      throw syntaxError(uuidName, 'This "uuid-name" appeared on an earlier "insert" operation.', 'duplicate uuid-name');
    }
    if (uuid !== undefined) sym.uuid = uuid;
    else uuid = sym.uuid;
    sym.created = true;
  } else if (uuid === undefined) {
    uuid = x.ctx.newUuid();
  }
  const columns = TxnState.defaultColumns(t);
  parseRow(t, rowJson, x.resolve, columns);
  for (const c of t.columns.values()) {
    const d = columns.get(c.name);
    if (d && d.keys.length === 1) checkDatumConstraints(c.type, d);
  }
  x.state.insert(t, uuid, columns, x.ctx.newUuid());
  return { uuid: ['uuid', uuid] };
};

/** ovsdb_row_to_json over the given columns (all of them, _uuid and _version first, by default). */
export function rowViewToJson(table: TableSchema, row: RowView, columns?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = columns ?? [...table.columns.keys()];
  for (const name of names) {
    const c = table.columns.get(name);
    if (c) out[name] = datumToJson(c.type, rowField(row, name));
  }
  return out;
}

function compareOn(a: RowView, b: RowView, columns: readonly string[]): number {
  for (const c of columns) {
    const r = compareDatums(rowField(a, c), rowField(b, c));
    if (r) return r;
  }
  return 0;
}

const select: Executor = (x, p) => {
  const table = parseTable(x, p);
  const where = p.member('where', ['array']) as unknown[];
  const columnsJson = p.member('columns', ['array'], true);
  const sortJson = p.member('sort', ['array'], true);
  check(p);
  const t = table as TableSchema;
  const cond = parseCondition(t, where, x.resolve);
  const columns = columnsJson === undefined ? undefined : parseColumnNames(columnsJson, t.columns);
  const sort = sortJson === undefined ? [] : parseColumnNames(sortJson, t.columns);
  let rows: RowView[] = [];
  query(x.state, t, cond, (r) => {
    rows.push(r);
  });
  if (columns && !columns.includes('_uuid')) {
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const key = indexKey(columns, (c) => rowField(r, c));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (sort.length) rows.sort((a, b) => compareOn(a, b, sort));
  return { rows: rows.map((r) => rowViewToJson(t, r, columns)) };
};

const update: Executor = (x, p) => {
  const table = parseTable(x, p);
  const where = p.member('where', ['array']) as unknown[];
  const rowJson = p.member('row', ['object']);
  check(p);
  const t = table as TableSchema;
  const values = new Map<string, Datum>();
  const columns = parseRow(t, rowJson, x.resolve, values);
  for (const c of columns) {
    if (!c.mutable) {
      throw syntaxError(p.json, `Cannot update immutable column ${c.name} in table ${t.name}.`, 'constraint violation');
    }
  }
  const cond = parseCondition(t, where, x.resolve);
  let count = 0;
  const matched: string[] = [];
  query(x.state, t, cond, (r) => {
    count++;
    if (columns.some((c) => !datumEquals(rowField(r, c.name), values.get(c.name) as Datum))) matched.push(r.uuid);
  });
  for (const uuid of matched) {
    const w = x.state.modify(t, uuid);
    if (w) for (const c of columns) w.columns.set(c.name, values.get(c.name) as Datum);
  }
  return { count };
};

const mutate: Executor = (x, p) => {
  const table = parseTable(x, p);
  const where = p.member('where', ['array']) as unknown[];
  const mutationsJson = p.member('mutations', ['array']) as unknown[];
  check(p);
  const t = table as TableSchema;
  const mutations = parseMutations(t, mutationsJson, x.resolve);
  const cond = parseCondition(t, where, x.resolve);
  const matched: string[] = [];
  query(x.state, t, cond, (r) => {
    matched.push(r.uuid);
  });
  for (const uuid of matched) {
    const w = x.state.modify(t, uuid);
    if (!w) continue;
    for (const m of mutations) w.columns.set(m.column.name, applyMutation(m, rowField(w, m.column.name)));
  }
  return { count: matched.length };
};

const del: Executor = (x, p) => {
  const where = p.member('where', ['array']) as unknown[];
  const table = parseTable(x, p);
  check(p);
  const t = table as TableSchema;
  const cond = parseCondition(t, where, x.resolve);
  const matched: string[] = [];
  query(x.state, t, cond, (r) => {
    matched.push(r.uuid);
  });
  for (const uuid of matched) x.state.delete(t, uuid);
  return { count: matched.length };
};

const commit: Executor = (x, p) => {
  const durable = p.member('durable', ['boolean']);
  if (durable === true) x.state.durable = true;
  return {};
};

const abort: Executor = () => {
  throw new OvsdbError('aborted', 'aborted by request');
};

const comment: Executor = (x, p) => {
  const text = p.member('comment', ['string']) as string | undefined;
  if (text !== undefined) x.state.comments.push(text);
  return {};
};

const assert: Executor = (x, p) => {
  const lock = p.member('lock', ['id']) as string | undefined;
  if (lock === undefined || x.ctx.hasLock(lock)) return {};
  throw new OvsdbError('not owner', `Asserted lock ${lock} not held.`);
};

/** Operation name → [executor, read-only]. */
export const OPERATIONS: ReadonlyMap<string, readonly [Executor, boolean]> = new Map([
  ['insert', [insert, false]],
  ['select', [select, true]],
  ['update', [update, false]],
  ['mutate', [mutate, false]],
  ['delete', [del, false]],
  ['wait', [waitOp, true]],
  ['commit', [commit, false]],
  ['abort', [abort, true]],
  ['comment', [comment, true]],
  ['assert', [assert, true]],
] as const);

