/**
 * A monitor-backed replica of chosen tables and columns of one database,
 * with optimistic transactions: the IDL of Open vSwitch's lib/ovsdb-idl.c
 * and lib/ovsdb-cs.c, reduced to what vswitchd and the harness need.
 *
 * What: `Idl.open` fetches the schema (`get_schema`), then asks for
 * `monitor_cond` with a `columns` list per table and falls back to RFC 7047
 * `monitor` when the server refuses it. The initial contents come in the
 * reply; later `update2` (or `update`) notifications are applied as they
 * arrive, each bumping `seqno` and calling the `onChange` handlers with
 * what changed. `transact(build)` runs `build` against the replica, sends
 * the operations IdlTxnBuilder makes from it, and when a verified column
 * had changed (a "timed out" wait: OVS's TXN_TRY_AGAIN) waits for the
 * replica to move on and runs `build` again, up to `maxAttempts` times.
 * Nothing is sent when the transaction changes nothing ('unchanged').
 *
 * Invariants: ovsdb-server sends the monitor update for a transaction
 * before the transaction's reply, so when `transact` resolves the replica
 * already shows its effect. Transactions of one Idl run one at a time, in
 * call order. Notifications that arrive before the initial contents are
 * applied are held and applied after them. Once the connection closes or
 * an update cannot be applied, pending and later `transact`/`waitFor`
 * calls reject with the reason.
 *
 * Left out on purpose: reconnection (and so `monitor_cond_since` and the
 * `_Server` database), conditional monitoring (every row is replicated),
 * locks, and row-level change tracking beyond the `TxnChanges` passed to
 * `onChange`.
 */
import type { OvsdbClient } from './client.ts';
import { Replica } from './idl-replica.ts';
import { IdlTxnBuilder, type IdlTxn, type IdlTxnResult, type TxnPlan } from './idl-txn.ts';
import { interpretTxnReply } from './idl-txn-reply.ts';
import { JsonRpcError } from './jsonrpc.ts';
import { parseDatabaseSchema } from './schema.ts';
import type { DatabaseSchema, Row, TxnChanges } from './ovsdb-types.ts';
import { randomUuid } from './uuid.ts';

/** A transaction the server refused for a reason retrying cannot fix (or that kept conflicting). */
export class IdlTxnError extends Error {
  /** The failing operation's error object, the JSON-RPC error, or null when retries ran out. */
  constructor(message: string, readonly error: unknown) {
    super(message);
    this.name = 'IdlTxnError';
  }
}

export interface IdlTransactOptions {
  /** Builds tried before giving up on a conflicting transaction (default 10). */
  readonly maxAttempts?: number;
  /** How long to wait for the replica to change after a conflict before building again (default 1000 ms). */
  readonly retryWaitMs?: number;
}

type Waiter = { check: () => void; fail: (e: Error) => void };

let monitorCounter = 0;

export class Idl {
  readonly schema: DatabaseSchema;
  private readonly replica: Replica;
  private readonly changeHandlers = new Set<(changes: TxnChanges) => void>();
  private readonly waiters = new Set<Waiter>();
  private readonly unsubscribe: (() => void)[] = [];
  private held: { method: string; params: unknown }[] | null = [];
  private failure: Error | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private seqnoValue = 0;
  private isV2 = true;

  private constructor(
    private readonly client: OvsdbClient,
    private readonly db: string,
    schema: DatabaseSchema,
    columns: ReadonlyMap<string, readonly string[]>,
    private readonly monitorId: string,
  ) {
    this.schema = schema;
    this.replica = new Replica(schema, columns);
  }

  /**
   * Replicates `tables` (table → column names, or 'all') of database `db`.
   * Resolves once the initial contents are in; rejects when the database,
   * a table or a column does not exist or the server refuses to monitor.
   */
  static async open(
    client: OvsdbClient,
    db: string,
    tables: Readonly<Record<string, readonly string[] | 'all'>>,
  ): Promise<Idl> {
    const schema = parseDatabaseSchema(await client.getSchemaJson(db));
    const columns = new Map<string, readonly string[]>();
    for (const [table, cols] of Object.entries(tables)) {
      const ts = schema.tables.get(table);
      if (!ts) throw new Error(`Idl.open: database "${db}" has no table "${table}"`);
      columns.set(table, cols === 'all' ? [...ts.columns.keys()].filter((c) => c !== '_uuid' && c !== '_version') : cols);
    }
    const idl = new Idl(client, db, schema, columns, `idl-${process.pid}-${++monitorCounter}`);
    await idl.start();
    return idl;
  }

  /** Bumps each time an update is applied (the initial contents included). */
  get seqno(): number {
    return this.seqnoValue;
  }

  /** Whether the server took `monitor_cond` (true) or only `monitor`. */
  get usesMonitorCond(): boolean {
    return this.isV2;
  }

  rows(table: string): ReadonlyMap<string, Row> {
    return this.replica.rows(table);
  }

  row(table: string, uuid: string): Row | undefined {
    return this.replica.row(table, uuid);
  }

  /** Calls `h` after each applied update with what it changed; returns the unsubscribe function. */
  onChange(h: (changes: TxnChanges) => void): () => void {
    this.changeHandlers.add(h);
    return () => {
      this.changeHandlers.delete(h);
    };
  }

  /** Resolves once `pred()` holds (checked now and after each update); rejects after `timeoutMs` or on close. */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          if (pred()) done(null);
        },
        fail: (e) => done(e),
      };
      const timer = setTimeout(() => done(new Error(`Idl.waitFor: condition still false after ${timeoutMs} ms`)), timeoutMs);
      const done = (e: Error | null): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (e) reject(e);
        else resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * Runs `build` against the replica and commits what it did (see IdlTxn).
   * Resolves 'success' (with the real UUIDs of inserted rows and the
   * incremented value) or 'unchanged' (nothing sent). Rejects with
   * IdlTxnError when the server refuses it or conflicts outlast
   * `maxAttempts`; with the build's own error if `build` throws.
   */
  transact<R>(build: (txn: IdlTxn) => R, opts: IdlTransactOptions = {}): Promise<IdlTxnResult<R>> {
    const run = this.chain.then(() => this.commit(build, opts));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Stops replicating (monitor_cancel) and rejects pending waits; the client stays open. */
  close(): void {
    if (this.failure) return;
    if (!this.client.isClosed) this.client.rpc.request('monitor_cancel', [this.monitorId]).catch(() => undefined);
    this.fail(new Error('Idl closed'));
  }

  private async start(): Promise<void> {
    for (const method of ['update', 'update2']) {
      this.unsubscribe.push(this.client.onNotification(method, (params) => this.onUpdate(method, params)));
    }
    this.client.onClose((reason) => this.fail(new Error(`connection closed${reason ? ` (${reason})` : ''}`)));
    const requests = Object.fromEntries([...this.replica.columns].map(([t, cols]) => [t, [{ columns: cols }]]));
    let initial: unknown;
    try {
      initial = await this.client.rpc.request('monitor_cond', [this.db, this.monitorId, requests]);
    } catch (e) {
      if (!(e instanceof JsonRpcError)) throw e;
      this.isV2 = false;
      initial = await this.client.rpc.request('monitor', [this.db, this.monitorId, requests]);
    }
    this.apply(this.isV2 ? 'update2' : 'update', initial);
    const held = this.held ?? [];
    this.held = null;
    for (const h of held) this.onUpdate(h.method, h.params);
    if (this.failure) throw this.failure;
  }

  private onUpdate(method: string, params: unknown): void {
    if (this.failure || !Array.isArray(params) || params[0] !== this.monitorId) return;
    if (this.held) {
      this.held.push({ method, params });
      return;
    }
    this.apply(method, params[1]);
  }

  private apply(method: string, updates: unknown): void {
    let changes: TxnChanges;
    try {
      changes = method === 'update2' ? this.replica.applyUpdate2(updates) : this.replica.applyUpdate(updates);
    } catch (e) {
      this.fail(new Error(`Idl: cannot apply ${method} from the server: ${(e as Error).message}`));
      return;
    }
    this.seqnoValue++;
    for (const h of [...this.changeHandlers]) {
      try {
        h(changes);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    for (const w of [...this.waiters]) w.check();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const u of this.unsubscribe) u();
    for (const w of [...this.waiters]) w.fail(e);
  }

  private async commit<R>(build: (txn: IdlTxn) => R, opts: IdlTransactOptions): Promise<IdlTxnResult<R>> {
    const maxAttempts = opts.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      if (this.failure) throw this.failure;
      const seqnoAtBuild = this.seqnoValue;
      const txn = new IdlTxnBuilder(this.replica, randomUuid);
      const value = build(txn);
      const plan = txn.build();
      if (!plan.anyUpdates) return { value, status: 'unchanged', insertedUuids: new Map() };
      const status = await this.send(plan);
      switch (status.type) {
        case 'success': {
          const base = { value, status: 'success' as const, insertedUuids: status.insertedUuids };
          return status.incremented === undefined ? base : { ...base, incremented: status.incremented };
        }
        case 'error':
          throw new IdlTxnError(`transaction failed: ${JSON.stringify(status.error)}`, status.error);
        case 'not-locked':
          throw new IdlTxnError('transaction failed: lock not held', { error: 'not owner' });
        case 'try-again':
          if (attempt >= maxAttempts) {
            throw new IdlTxnError(`transaction still conflicting after ${attempt} attempts`, null);
          }
          await this.waitForChange(seqnoAtBuild, opts.retryWaitMs ?? 1000);
      }
    }
  }

  private async send(plan: TxnPlan): Promise<ReturnType<typeof interpretTxnReply>> {
    try {
      return interpretTxnReply(plan, await this.client.transact(this.db, plan.ops));
    } catch (e) {
      if (e instanceof JsonRpcError) {
        return e.error === 'canceled' ? { type: 'try-again' } : { type: 'error', error: e.error };
      }
      throw e;
    }
  }

  /** Resolves when seqno differs from `seqno` or after `ms`; rejects if the Idl fails meanwhile. */
  private waitForChange(seqno: number, ms: number): Promise<void> {
    return this.waitFor(() => this.seqnoValue !== seqno, ms).catch((e: unknown) => {
      if (this.failure) throw this.failure;
      if (!(e instanceof Error) || !e.message.startsWith('Idl.waitFor')) throw e;
    });
  }
}
