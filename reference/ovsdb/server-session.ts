/**
 * One client connection of the OVSDB server: the methods of RFC 7047 §4.1
 * and Open vSwitch's extensions, answered as ovsdb/jsonrpc-server.c does —
 * same results, same error objects (e.g. `{"error":"unknown method"}`,
 * "unknown database" with the request params as `syntax`).
 *
 * Methods: list_dbs, get_schema, transact (+ the `cancel` notification),
 * monitor / monitor_cond / monitor_cond_since (update / update2 / update3),
 * monitor_cond_change, monitor_cancel, lock / steal / unlock (+ `locked` /
 * `stolen` notifications), get_server_id, set_db_change_aware; `echo` is
 * answered by JsonRpcConnection.
 *
 * Invariants: monitor ids and transact ids are compared as JSON values
 * (json_equal); a client's updates are announced in the order its monitors
 * were created. A cancelled blocked transaction is answered
 * `{"error":"canceled"}` only when the client said set_db_change_aware
 * true, otherwise it is silently dropped — as ovsdb-server does.
 */
import type { TxnChanges } from './ovsdb-types.ts';
import type { Database } from './database.ts';
import type { JsonRpcConnection } from './jsonrpc.ts';
import type { OvsdbServer, ServedDatabase, Trigger } from './server.ts';
import { isId } from './atom.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { Monitor, type MonitorVersion } from './monitor.ts';
import { databaseSchemaToJson } from './schema.ts';
import { isUuid, ZERO_UUID } from './uuid.ts';

const UPDATE_METHOD = { 1: 'update', 2: 'update2', 3: 'update3' } as const;
const MONITOR_VERSION: Readonly<Record<string, MonitorVersion>> = { monitor: 1, monitor_cond: 2, monitor_cond_since: 3 };

/** json_equal as a map key (object member order aside, which JSON-RPC ids never rely on). */
const key = (id: unknown): string => JSON.stringify(id) ?? 'undefined';

export class ServerSession {
  private readonly monitors = new Map<string, Monitor>();
  private readonly triggers = new Map<string, Trigger>();
  private dbChangeAware = false;
  /** For the transactions this client runs (made once per session, not per transaction). */
  readonly hasLock = (name: string): boolean => this.server.locks.isOwner(this, name);

  constructor(
    private readonly server: OvsdbServer,
    readonly conn: JsonRpcConnection,
  ) {
    conn.onRequest((method, params, id) => this.request(method, params as readonly unknown[], id));
    conn.onNotification((method, params) => this.notification(method, params as readonly unknown[]));
  }

  /** Tells this client's monitors on `db` about a commit. */
  announce(db: Database, changes: TxnChanges): void {
    for (const m of this.monitors.values()) {
      if (m.db !== db) continue;
      const update = m.update(changes);
      if (update) this.sendUpdate(m, update);
    }
  }

  /** The connection is gone: drop triggers and monitors, pass locks on. */
  closed(_reason?: string): void {
    for (const t of this.triggers.values()) this.server.dropTrigger(t);
    this.triggers.clear();
    this.monitors.clear();
    for (const [name, owner] of this.server.locks.unlockAll(this)) owner.conn.notify('locked', [name]);
  }

  forgetTrigger(t: Trigger): void {
    if (this.triggers.get(t.key) === t) this.triggers.delete(t.key);
  }

  private request(method: string, params: readonly unknown[], id: unknown): void {
    try {
      const result = this.dispatch(method, params, id);
      if (result !== NO_REPLY) this.conn.reply(id, result);
    } catch (e) {
      if (e instanceof OvsdbError) this.conn.replyError(id, e.toJson());
      else if (e instanceof PlainError) this.conn.replyError(id, e.message);
      else {
        this.server.log('err', `${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        this.conn.replyError(id, { error: 'internal error', details: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private dispatch(method: string, params: readonly unknown[], id: unknown): unknown {
    switch (method) {
      case 'transact':
        return this.transact(params, id);
      case 'monitor':
      case 'monitor_cond':
      case 'monitor_cond_since':
        return this.monitor(method, MONITOR_VERSION[method] ?? 1, params);
      case 'monitor_cond_change':
        return this.monitorCondChange(params);
      case 'monitor_cancel':
        return this.monitorCancel(params);
      case 'get_schema':
        return databaseSchemaToJson(this.lookupDb(method, params).db.schema);
      case 'list_dbs':
        return [...this.server.databases.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      case 'get_server_id':
        return this.server.serverId;
      case 'lock':
      case 'steal':
        return this.lock(method, params);
      case 'unlock':
        return this.unlock(params);
      case 'set_db_change_aware':
        if (params.length !== 1 || typeof params[0] !== 'boolean') throw syntaxError(params, 'set_db_change_aware: true or false parameter expected');
        this.dbChangeAware = params[0];
        return {};
      default:
        throw new PlainError('unknown method');
    }
  }

  private notification(method: string, params: readonly unknown[]): void {
    if (method !== 'cancel' || params.length !== 1) return;
    const t = this.triggers.get(key(params[0]));
    if (!t) return;
    this.triggers.delete(t.key);
    this.server.dropTrigger(t);
    if (this.dbChangeAware) this.conn.replyError(t.id, 'canceled');
  }

  private lookupDb(method: string, params: readonly unknown[]): ServedDatabase {
    const name = params[0];
    if (typeof name !== 'string') throw syntaxError(params, `${method} request params must begin with <db-name>`);
    const served = this.server.databases.get(name);
    if (!served) throw syntaxError(params, `${method} request specifies unknown database ${name}`, 'unknown database');
    return served;
  }

  private transact(params: readonly unknown[], id: unknown): unknown {
    const served = this.lookupDb('transact', params);
    const k = key(id);
    if (this.triggers.has(k)) throw syntaxError(params, 'transact: duplicate request ID');
    const t: Trigger = { session: this, served, id, key: k, ops: params.slice(1), startedMs: Date.now(), timer: undefined };
    this.triggers.set(k, t);
    this.server.runTrigger(t);
    return NO_REPLY;
  }

  private monitor(method: string, version: MonitorVersion, params: readonly unknown[]): unknown {
    const served = this.lookupDb(method, params);
    // OVS checks the count for monitor_cond(_since) only; plain monitor just needs its three.
    if ((version === 3 && params.length !== 4) || (version === 2 && params.length !== 3) || params.length < 3) throw syntaxError(params, 'invalid parameters');
    const [, id, requests, lastId] = params;
    if (typeof requests !== 'object' || requests === null || Array.isArray(requests)) throw syntaxError(requests, 'monitor-requests must be object');
    if (this.monitors.has(key(id))) throw syntaxError(id, 'duplicate monitor ID');
    const m = Monitor.create(served.db, id, version, requests);
    if (version === 3) {
      if (typeof lastId !== 'string') throw syntaxError(lastId, 'last-txn-id must be string');
      if (!isUuid(lastId.toLowerCase())) throw syntaxError(lastId, 'last-txn-id must be UUID format.');
    }
    this.monitors.set(key(id), m);
    const initial = m.initial();
    return version === 3 ? [false, ZERO_UUID, initial] : initial;
  }

  private monitorCondChange(params: readonly unknown[]): unknown {
    if (params.length !== 3) throw syntaxError(params, 'invalid parameters');
    const [oldId, newId, requests] = params;
    const m = this.monitors.get(key(oldId));
    if (!m) throw syntaxError(oldId, 'unknown monitor session');
    const renaming = key(oldId) !== key(newId);
    if (renaming && this.monitors.has(key(newId))) throw syntaxError(newId, 'duplicate monitor ID');
    const update = m.changeConditions(requests);
    if (renaming) {
      this.monitors.delete(key(oldId));
      m.id = newId;
      this.monitors.set(key(newId), m);
    }
    if (update) this.sendUpdate(m, update);
    return {};
  }

  private monitorCancel(params: readonly unknown[]): unknown {
    if (params.length !== 1) throw new PlainError('invalid parameters');
    if (!this.monitors.delete(key(params[0]))) throw new PlainError('unknown monitor');
    return {};
  }

  private sendUpdate(m: Monitor, update: unknown): void {
    this.conn.notify(UPDATE_METHOD[m.version], m.version === 3 ? [m.id, ZERO_UUID, update] : [m.id, update]);
  }

  private lockName(method: string, params: readonly unknown[]): string {
    const name = params[0];
    if (params.length !== 1 || typeof name !== 'string' || !isId(name)) throw syntaxError(params, `${method} request params must be <id>`);
    return name;
  }

  private lock(method: 'lock' | 'steal', params: readonly unknown[]): unknown {
    const name = this.lockName(method, params);
    if (this.server.locks.isWaiting(this, name)) throw syntaxError(params, `must issue "unlock" before new "${method}"`);
    const { owner, victim } = this.server.locks.lock(this, name, method === 'steal');
    if (victim !== undefined && victim !== this) victim.conn.notify('stolen', [name]);
    return { locked: owner };
  }

  private unlock(params: readonly unknown[]): unknown {
    const name = this.lockName('unlock', params);
    if (!this.server.locks.isWaiting(this, name)) throw syntaxError(params, 'unlock: "unlock" without "lock" or "steal"');
    const next = this.server.locks.unlock(this, name);
    next?.conn.notify('locked', [name]);
    return {};
  }
}

/** An error reply whose `error` is a bare string (OVS's "unknown method", "unknown monitor"). */
class PlainError extends Error {}

const NO_REPLY = Symbol('no reply');
