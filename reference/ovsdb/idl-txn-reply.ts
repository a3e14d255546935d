/**
 * Reading the reply to an IDL transaction, as lib/ovsdb-idl.c's
 * ovsdb_idl_txn_process_reply classifies it: a failed verify ("timed
 * out") or an "unknown database" means try again, "not owner" a lock
 * failure, "aborted" and the nulls after a failed operation are not errors
 * themselves, any other error object fails the transaction. On success the
 * real UUIDs of inserted rows and the incremented value are read from the
 * results at the indexes the plan recorded.
 *
 * Left out: the JSON-RPC error reply "canceled" (the caller sees it as a
 * JsonRpcError and retries).
 */
import type { TxnPlan } from './idl-txn.ts';

/** How a transaction ended, as ovsdb_idl_txn_process_reply classifies the reply. */
export type TxnReplyStatus =
  | { readonly type: 'success'; readonly insertedUuids: ReadonlyMap<string, string>; readonly incremented?: number }
  | { readonly type: 'try-again' }
  | { readonly type: 'not-locked' }
  | { readonly type: 'error'; readonly error: unknown };

/**
 * Reads a `transact` result array: "timed out" (a failed verify) and
 * "unknown database" make it try again, "not owner" is a lock failure,
 * "aborted" and the nulls after a failed operation are not errors in
 * themselves, anything else is an error. On success, the real UUIDs of
 * inserted rows and the incremented value are taken from the results.
 */
export function interpretTxnReply(plan: TxnPlan, result: unknown): TxnReplyStatus {
  if (!Array.isArray(result)) return { type: 'error', error: { error: 'reply to "transact" is not a JSON array', details: JSON.stringify(result) } };
  let soft = 0;
  let lock = 0;
  let hard: unknown;
  for (const op of result) {
    if (op === null) {
      soft++;
      continue;
    }
    if (typeof op !== 'object' || Array.isArray(op)) {
      hard ??= op;
      continue;
    }
    const error = (op as Record<string, unknown>)['error'];
    if (error === undefined) continue;
    if (error === 'timed out' || error === 'unknown database') soft++;
    else if (error === 'not owner') lock++;
    else if (error !== 'aborted') hard ??= op;
  }
  if (hard !== undefined) return { type: 'error', error: hard };
  if (lock > 0) return { type: 'not-locked' };
  if (soft > 0) return { type: 'try-again' };
  return successFrom(plan, result);
}

function successFrom(plan: TxnPlan, result: readonly unknown[]): TxnReplyStatus {
  const insertedUuids = new Map<string, string>();
  for (const [placeholder, index] of plan.inserts) {
    const uuid = field(result[index], 'uuid');
    if (!Array.isArray(uuid) || uuid[0] !== 'uuid' || typeof uuid[1] !== 'string') {
      return { type: 'error', error: { error: '"insert" reply "uuid" is not a JSON UUID', details: JSON.stringify(result[index]) } };
    }
    insertedUuids.set(placeholder, uuid[1]);
  }
  if (!plan.increment) return { type: 'success', insertedUuids };
  const { index, column } = plan.increment;
  const count = field(result[index], 'count');
  const rows = field(result[index + 1], 'rows');
  const value = Array.isArray(rows) && rows.length === 1 ? field(rows[0], column) : undefined;
  if (count !== 1 || typeof value !== 'number') {
    return { type: 'error', error: { error: 'bad reply for increment', details: JSON.stringify(result.slice(index, index + 2)) } };
  }
  return { type: 'success', insertedUuids, incremented: value };
}

function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)[name] : undefined;
}
