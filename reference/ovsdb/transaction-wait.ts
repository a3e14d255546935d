/**
 * The "wait" operation (RFC 7047 §5.2.6) as ovsdb/execution.c runs it: the
 * rows the "where" clause selects, projected on "columns", must (until
 * "==") or must not (until "!=") equal the given "rows" as sets. When the
 * test fails: with "timeout" elapsed → "timed out"; otherwise the
 * transaction is blocked (thrown as the internal "not supported" error that
 * the caller turns into a `blocked` outcome).
 */
import type { Datum, TableSchema } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { parseDatum } from './datum.ts';
import { parseCondition } from './condition.ts';
import { parseColumnNames } from './schema.ts';
import { isJsonObject } from './parser.ts';
import { indexKey, tableInfo } from './table-info.ts';
import { query, rowField } from './txn-state.ts';
import type { Executor } from './transaction-ops.ts';

export const BLOCKED_TAG = 'not supported';

function parseExpectedRow(t: TableSchema, json: unknown, x: Parameters<Executor>[0]): Map<string, Datum> {
  if (!isJsonObject(json)) throw syntaxError(json, 'row must be JSON object');
  const row = new Map(tableInfo(t).defaults);
  row.set('_uuid', { keys: ['00000000-0000-0000-0000-000000000000'] });
  row.set('_version', { keys: ['00000000-0000-0000-0000-000000000000'] });
  for (const [name, v] of Object.entries(json)) {
    const column = t.columns.get(name);
    if (!column) throw syntaxError(json, `No column ${name} in table ${t.name}.`, 'unknown column');
    row.set(name, parseDatum(column.type, v, x.resolve));
  }
  return row;
}

export const waitOp: Executor = (x, p) => {
  const timeout = p.member('timeout', ['integer'], true) as number | undefined;
  const where = p.member('where', ['array']) as unknown[];
  const columnsJson = p.member('columns', ['array'], true);
  const until = p.member('until', ['string']) as string;
  const rowsJson = p.member('rows', ['array']) as unknown[];
  const name = p.member('table', ['id']) as string | undefined;
  const table = name === undefined ? undefined : x.state.db.schema.tables.get(name);
  if (name !== undefined && !table) p.raise(`No table named ${name}.`);
  if (p.error) throw p.error;
  const t = table as TableSchema;
  const cond = parseCondition(t, where, x.resolve);
  const columns = columnsJson === undefined ? [...t.columns.keys()] : parseColumnNames(columnsJson, t.columns);
  const timeoutMs = timeout ?? Infinity;
  if (timeout !== undefined) {
    if (timeout < 0) throw syntaxError(timeout, 'timeout must be nonnegative');
    if (timeout < x.timeoutMs) x.timeoutMs = timeout;
  }
  if (until !== '==' && until !== '!=') throw syntaxError(until, '"until" must be "==" or "!="');
  const expected = new Set<string>();
  for (const rj of rowsJson) {
    const row = parseExpectedRow(t, rj, x);
    expected.add(indexKey(columns, (c) => row.get(c) as Datum));
  }
  let equal = true;
  const actual = new Set<string>();
  query(x.state, t, cond, (r) => {
    const key = indexKey(columns, (c) => rowField(r, c));
    if (!expected.has(key)) {
      equal = false;
      return false;
    }
    actual.add(key);
    return true;
  });
  if (equal) equal = actual.size === expected.size;
  if ((until === '==') !== equal) {
    if (timeout !== undefined && x.elapsedMs >= timeoutMs) {
      throw new OvsdbError(
        'timed out',
        x.elapsedMs ? `"wait" timed out after ${x.elapsedMs} ms` : '"where" clause test failed',
      );
    }
    // OVS wakes at the smallest timeout of the waits seen so far and, still blocked, re-runs
    // until this wait's own timeout; the reply is the same, so block until this one's.
    x.timeoutMs = timeoutMs;
    throw new OvsdbError(BLOCKED_TAG, 'triggers not supported');
  }
  return {};
};
