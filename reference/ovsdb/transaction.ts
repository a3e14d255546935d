/**
 * executeTransaction: one RFC 7047 "transact" request run against a
 * Database, replying exactly as ovsdb-server 3.1 does (ovsdb/execution.c,
 * ovsdb/transaction.c): one result per operation; at the first failing
 * operation its error object, then null for every operation not run; when
 * every operation succeeded but a commit-time check fails, that error is
 * appended as an extra element. A "wait" that is not yet satisfied blocks
 * the transaction until `startedMs + timeout`.
 *
 * Pure: the Database is never touched; a committed outcome carries the
 * TxnChanges for the caller to write and apply.
 * Left out: RBAC, relay forwarding, read-only server mode.
 */
import type { Row, TableSchema, TxnContext, TxnOutcome } from './ovsdb-types.ts';
import type { SymbolResolver } from './datum.ts';
import type { Database } from './database.ts';
import { OvsdbError } from './errors.ts';
import { ObjectParser } from './parser.ts';
import { TxnState } from './txn-state.ts';
import { OPERATIONS, rowViewToJson, type Execution, type NamedUuid } from './transaction-ops.ts';
import { BLOCKED_TAG } from './transaction-wait.ts';
import { precommit } from './transaction-commit.ts';

/** A row in select's format: every column (or the listed ones) including _uuid and _version. */
export function rowToJson(table: TableSchema, row: Row, columns?: readonly string[]): Record<string, unknown> {
  return rowViewToJson(table, row, columns);
}

/** The named-uuid resolver (returned, not assigned to a property: tsx's keepNames would name it on every transaction). */
function resolver(symbols: Map<string, NamedUuid>, ctx: TxnContext): SymbolResolver {
  return (name) => {
    let sym = symbols.get(name);
    if (!sym) symbols.set(name, (sym = { uuid: ctx.newUuid(), created: false }));
    return sym.uuid;
  };
}

function newExecution(db: Database, ctx: TxnContext): Execution {
  const symbols = new Map<string, NamedUuid>();
  return {
    state: new TxnState(db),
    ctx,
    symbols,
    resolve: resolver(symbols, ctx),
    elapsedMs: Math.max(0, ctx.nowMs() - ctx.startedMs),
    timeoutMs: Infinity,
  };
}

/** Runs one operation; returns its result object or the error that ends the transaction. */
function runOperation(x: Execution, op: unknown, i: number, n: number): Record<string, unknown> | OvsdbError {
  const p = new ObjectParser(op, `ovsdb operation ${i + 1} of ${n}`);
  const name = p.member('op', ['id']) as string | undefined;
  let result: Record<string, unknown> = {};
  let error: OvsdbError | null = null;
  let readOnly = false;
  if (name !== undefined) {
    const entry = OPERATIONS.get(name);
    if (entry) {
      readOnly = entry[1];
      try {
        result = entry[0](x, p);
      } catch (e) {
        if (!(e instanceof OvsdbError)) throw e;
        error = e;
      }
    } else {
      p.raise(`No operation "${name}"`);
    }
  }
  const parseError = p.finish();
  if (parseError) error = parseError;
  const dbName = x.state.db.schema.name;
  if (!error && !readOnly && dbName.startsWith('_')) {
    error = new OvsdbError('not allowed', `${name ?? ''} operation not allowed on table in reserved database ${dbName}`);
  }
  return error ?? result;
}

/**
 * Executes `ops` (the transact params after the database name) against `db`.
 * Never mutates `db`; never throws for bad input (only for engine bugs).
 */
export function executeTransaction(db: Database, ops: readonly unknown[], ctx: TxnContext): TxnOutcome {
  const x = newExecution(db, ctx);
  const result: unknown[] = [];
  const n = ops.length;
  let failed = false;
  for (let i = 0; i < n; i++) {
    const r = runOperation(x, ops[i], i, n);
    if (r instanceof OvsdbError) {
      if (r.tag === BLOCKED_TAG) return { type: 'blocked', untilMs: ctx.startedMs + x.timeoutMs };
      result.push(r.toJson());
      failed = true;
      break;
    }
    result.push(r);
  }
  if (failed) {
    while (result.length < n) result.push(null);
    return { type: 'failed', result };
  }
  let changes;
  try {
    changes = precommit(x.state, ctx);
  } catch (e) {
    if (!(e instanceof OvsdbError)) throw e;
    result.push(e.toJson());
    return { type: 'failed', result };
  }
  const outcome = { type: 'committed' as const, result, changes, durable: x.state.durable };
  return x.state.comments.length ? { ...outcome, comment: x.state.comments.join('\n') } : outcome;
}
