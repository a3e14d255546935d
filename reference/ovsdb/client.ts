/**
 * An OVSDB client connection (RFC 7047 §4.1): the JSON-RPC methods a
 * client calls, with results checked for shape.
 *
 * What: `OvsdbClient.connect(target)` opens `unix:PATH` or `tcp:HOST:PORT`;
 * `listDbs`, `getSchema`, `transact` (raw result array) wrap the methods.
 * Notifications (`update`, `update2`, `locked`, …) fan out to every
 * handler registered for their method, so several replicas can share one
 * connection.
 *
 * Invariant: once the connection closes, every pending and later call
 * rejects with Error('connection closed') (from JsonRpcConnection), and the
 * close handlers run once.
 *
 * Left out on purpose: reconnection, inactivity probes, locks.
 */
import { JsonRpcConnection } from './jsonrpc.ts';
import { parseDatabaseSchema } from './schema.ts';
import type { DatabaseSchema } from './ovsdb-types.ts';

export class OvsdbClient {
  private readonly handlers = new Map<string, Set<(params: unknown) => void>>();

  constructor(readonly rpc: JsonRpcConnection) {
    rpc.onNotification((method, params) => {
      for (const h of [...(this.handlers.get(method) ?? [])]) h(params);
    });
  }

  /** Connects to `unix:PATH` or `tcp:HOST:PORT`; rejects when that fails or exceeds `timeoutMs`. */
  static async connect(target: string, opts: { timeoutMs?: number; maxMessageBytes?: number } = {}): Promise<OvsdbClient> {
    return new OvsdbClient(await JsonRpcConnection.connect(target, opts));
  }

  get isClosed(): boolean {
    return this.rpc.isClosed;
  }

  async listDbs(): Promise<string[]> {
    const result = await this.rpc.request('list_dbs', []);
    if (!Array.isArray(result) || !result.every((n): n is string => typeof n === 'string')) {
      throw new Error(`list_dbs: reply is not an array of names: ${JSON.stringify(result)}`);
    }
    return result;
  }

  /** The schema as the server reports it; throws JsonRpcError for an unknown database. */
  async getSchema(db: string): Promise<DatabaseSchema> {
    return parseDatabaseSchema(await this.getSchemaJson(db));
  }

  async getSchemaJson(db: string): Promise<unknown> {
    return this.rpc.request('get_schema', [db]);
  }

  /** Sends `transact` [db, ...ops]; resolves with the raw result array (errors inside it are not thrown). */
  async transact(db: string, ops: readonly unknown[]): Promise<unknown[]> {
    const result = await this.rpc.request('transact', [db, ...ops]);
    if (!Array.isArray(result)) throw new Error(`transact: reply is not an array: ${JSON.stringify(result)}`);
    return result;
  }

  /** Calls `h` with the params of each notification named `method`; returns the unsubscribe function. */
  onNotification(method: string, h: (params: unknown) => void): () => void {
    let set = this.handlers.get(method);
    if (!set) this.handlers.set(method, (set = new Set()));
    set.add(h);
    return () => {
      set.delete(h);
    };
  }

  onClose(h: (reason?: string) => void): void {
    this.rpc.onClose(h);
  }

  close(): void {
    this.rpc.close();
  }
}
