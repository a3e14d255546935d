/**
 * The OVSDB server (RFC 7047 §4 over JSON-RPC 1.0; Open vSwitch's
 * ovsdb-server for standalone databases): listens on its remotes, keeps
 * one ServerSession per connection, and owns what sessions share — the
 * databases (with `_Server`), their files, the locks and the blocked
 * transactions ("triggers").
 *
 * Remotes: `punix:PATH` (a stale socket file is replaced) and
 * `ptcp:PORT[:IP]` (PORT 0 picks one; `addresses` tells which). IP
 * defaults to 127.0.0.1 — on purpose unlike ovsdb-server's 0.0.0.0, so a
 * test server is never reachable from outside the host unless asked.
 *
 * A transaction runs against the committed state (executeTransaction never
 * mutates it). On commit with changes: the record goes to the file, then
 * the changes are applied, then every monitor of every session hears of
 * them — all before the committing client's reply goes out, as
 * ovsdb-server sends a client's own update first. Records are queued
 * (DatabaseFile.writeDeferred); those of one tick (every request read in
 * one poll round) are flushed together in a setImmediate, and until then
 * every connection's output is held (an OutputGate), so no reply
 * or update leaves before its record is written (fsync'ed when
 * `durable`); compaction waits for the flush too. A `wait` that is not
 * yet satisfied leaves the transaction blocked: it runs again after each
 * later commit to that database and at its timeout. A record that cannot
 * be built refuses the transaction with an "I/O error" appended to its
 * results; a flush that fails drops the held output (those connections
 * close, nothing of the batch acknowledged) and later commits get the same
 * error until a compaction, tried at each, rewrites the file.
 *
 * Invariants: nothing a client sends can throw out of here (a bug in the
 * engine is answered with an error reply and reported to `log`); closing a
 * connection drops its monitors, triggers and locks (locks pass on).
 *
 * Left out on purpose: SSL remotes, active (outgoing) remotes, inactivity
 * probes, RBAC, `convert`, clustered databases, read-only remotes.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { TxnChanges, TxnContext, TxnOutcome } from './ovsdb-types.ts';
import type { Database } from './database.ts';
import type { DatabaseFile } from './database-file.ts';
import { JsonRpcConnection, OutputGate } from './jsonrpc.ts';
import { LockTable } from './lock.ts';
import { createServerDatabase } from './server-db.ts';
import { ServerSession } from './server-session.ts';
import { executeTransaction } from './transaction.ts';
import { randomUuid } from './uuid.ts';

export interface OvsdbServerOptions {
  readonly databases: readonly { readonly db: Database; readonly file?: DatabaseFile }[];
  readonly remotes: readonly string[];
  readonly maxMessageBytes?: number;
  /** Diagnostics: bad clients, engine failures, I/O errors. */
  readonly log?: (level: 'info' | 'warn' | 'err', message: string) => void;
}

/** A served database, its file (none for `_Server`) and its blocked transactions. */
export interface ServedDatabase {
  readonly db: Database;
  readonly file: DatabaseFile | undefined;
  readonly triggers: Trigger[];
  rerunScheduled: boolean;
  /** Set once a deferred write failed to flush: the reason further commits are refused. */
  writeFailed?: string | undefined;
}

/** One transact request until it is answered. */
export interface Trigger {
  readonly session: ServerSession;
  readonly served: ServedDatabase;
  readonly id: unknown;
  /** `id` as a map key (json_equal), worked out once. */
  readonly key: string;
  readonly ops: readonly unknown[];
  readonly startedMs: number;
  timer: NodeJS.Timeout | undefined;
}

const nowMs = (): number => Date.now();

const MAX_TIMER_MS = 2 ** 31 - 1;

interface Listener {
  readonly server: Server;
  readonly path: string | undefined;
}

export class OvsdbServer {
  readonly serverId = randomUuid();
  readonly locks = new LockTable<ServerSession>();
  readonly databases = new Map<string, ServedDatabase>();
  private readonly sessions = new Set<ServerSession>();
  private readonly listeners: Listener[] = [];
  private readonly bound: string[] = [];
  private closed = false;
  /** Databases with records deferred this tick; while any, the gate holds every connection's output. */
  private readonly unflushed = new Set<ServedDatabase>();
  private readonly gate = new OutputGate();

  private constructor(private readonly opts: OvsdbServerOptions) {
    const dbs = opts.databases.map((d) => d.db);
    for (const d of [...opts.databases, { db: createServerDatabase(dbs) }]) {
      const name = d.db.schema.name;
      if (this.databases.has(name)) throw new Error(`database ${name} given twice`);
      this.databases.set(name, { db: d.db, file: 'file' in d ? d.file : undefined, triggers: [], rerunScheduled: false });
    }
  }

  /** Starts serving; rejects (after closing what was opened) when a remote cannot be bound. */
  static async start(opts: OvsdbServerOptions): Promise<OvsdbServer> {
    const s = new OvsdbServer(opts);
    try {
      for (const r of opts.remotes) await s.listen(r);
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** Bound remotes, e.g. 'punix:/x/db.sock', 'ptcp:41234:127.0.0.1'. */
  get addresses(): readonly string[] {
    return this.bound;
  }

  log(level: 'info' | 'warn' | 'err', message: string): void {
    this.opts.log?.(level, message);
  }

  private async listen(remote: string): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    if (remote.startsWith('punix:')) {
      const path = remote.slice(6);
      if (existsSync(path)) unlinkSync(path);
      await listenOn(server, { path });
      this.listeners.push({ server, path });
      this.bound.push(`punix:${path}`);
      return;
    }
    const m = /^ptcp:(\d+)(?::(?:\[([^\]]+)\]|([^:]+|.*:.*)))?$/.exec(remote);
    if (!m) throw new Error(`${remote}: unsupported remote (use punix:PATH or ptcp:PORT[:IP])`);
    const host = m[2] ?? m[3] ?? '127.0.0.1';
    await listenOn(server, { port: Number(m[1]), host });
    this.listeners.push({ server, path: undefined });
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : Number(m[1]);
    this.bound.push(`ptcp:${port}:${host.includes(':') ? `[${host}]` : host}`);
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const conn = new JsonRpcConnection(socket, this.opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: this.opts.maxMessageBytes });
    const session = new ServerSession(this, conn);
    this.sessions.add(session);
    conn.setOutputGate(this.gate);
    conn.onClose((reason) => {
      this.sessions.delete(session);
      session.closed(reason);
    });
  }

  /** Stops listening, closes every connection and the database files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushWrites();
    this.closed = true;
    for (const s of [...this.sessions]) s.conn.close();
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.server.close(() => r()))));
    for (const l of this.listeners) if (l.path !== undefined && existsSync(l.path)) unlinkSync(l.path);
    for (const d of this.databases.values()) {
      for (const t of d.triggers) clearTimeout(t.timer);
      d.triggers.length = 0;
      d.file?.close();
    }
  }

  /** Runs a trigger; answers it unless it stays blocked (then it is queued with a timer). */
  runTrigger(t: Trigger): void {
    clearTimeout(t.timer);
    t.timer = undefined;
    const outcome = this.execute(t);
    const queued = t.served.triggers.indexOf(t);
    if (outcome.type === 'blocked') {
      if (queued < 0) t.served.triggers.push(t);
      // No timeout: only a commit wakes it. Node timers stop at 2^31-1 ms; a longer wait re-arms when that fires.
      if (Number.isFinite(outcome.untilMs)) t.timer = setTimeout(() => this.runTrigger(t), Math.min(MAX_TIMER_MS, Math.max(0, outcome.untilMs - Date.now())));
      return;
    }
    if (queued >= 0) t.served.triggers.splice(queued, 1);
    t.session.forgetTrigger(t);
    if (outcome.type === 'failed') {
      t.session.conn.reply(t.id, outcome.result);
      return;
    }
    const result = outcome.changes ? this.commit(t.served, outcome) : outcome.result;
    t.session.conn.reply(t.id, result);
  }

  /** Drops a blocked trigger without answering it (the caller answers, if at all). */
  dropTrigger(t: Trigger): void {
    clearTimeout(t.timer);
    const i = t.served.triggers.indexOf(t);
    if (i >= 0) t.served.triggers.splice(i, 1);
  }

  private execute(t: Trigger): TxnOutcome {
    const ctx: TxnContext = { hasLock: t.session.hasLock, newUuid: randomUuid, nowMs, startedMs: t.startedMs };
    try {
      return executeTransaction(t.served.db, t.ops, ctx);
    } catch (e) {
      this.log('err', `transaction engine failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { type: 'failed', result: [{ error: 'internal error', details: e instanceof Error ? e.message : String(e) }] };
    }
  }

  /** Queues the record of, applies and announces a committed transaction; returns the reply's result array. */
  private commit(served: ServedDatabase, outcome: Extract<TxnOutcome, { type: 'committed' }>): unknown[] {
    const changes = outcome.changes as TxnChanges;
    const file = served.file;
    if (file) {
      if (served.writeFailed !== undefined && !this.recover(served)) return [...outcome.result, { error: 'I/O error', details: served.writeFailed }];
      try {
        const opts = outcome.comment === undefined ? { durable: outcome.durable, dateMs: Date.now() } : { durable: outcome.durable, comment: outcome.comment, dateMs: Date.now() };
        if (file.writeDeferred(changes, opts)) this.holdOutput(served);
      } catch (e) {
        const details = e instanceof Error ? e.message : String(e);
        this.log('err', `${file.path}: write failed: ${details}`);
        return [...outcome.result, { error: 'I/O error', details }];
      }
    }
    served.db.apply(changes);
    for (const s of this.sessions) s.announce(served.db, changes);
    this.scheduleRerun(served);
    return outcome.result;
  }

  /** After a failed flush: rewriting the file from the database (compaction) brings it back in step. */
  private recover(served: ServedDatabase): boolean {
    try {
      served.file?.compact(served.db);
      this.log('info', `${served.file?.path}: rewritten after a failed write`);
      served.writeFailed = undefined;
      return true;
    } catch (e) {
      served.writeFailed = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  /** Holds every connection's output until the records queued this tick are flushed (once per tick): no reply or update before its record is written. */
  private holdOutput(served: ServedDatabase): void {
    this.unflushed.add(served);
    if (this.gate.isClosed) return;
    this.gate.close();
    setImmediate(() => this.flushWrites());
  }

  /**
   * Writes the records deferred this tick (one write per file), then sends
   * the held replies and updates. A failed flush must not acknowledge: the
   * held output is dropped and those connections close; the file now
   * lacks changes the database holds, so later commits are refused with
   * "I/O error" until a compaction (tried at each) rewrites it.
   */
  private flushWrites(): void {
    if (!this.gate.isClosed) return;
    const dbs = [...this.unflushed];
    this.unflushed.clear();
    let failed = false;
    for (const served of dbs) {
      try {
        served.file?.flush();
      } catch (e) {
        const details = e instanceof Error ? e.message : String(e);
        this.log('err', `${served.file?.path}: write failed: ${details}`);
        served.writeFailed = details;
        failed = true;
      }
    }
    if (!failed) this.gate.open();
    else for (const conn of this.gate.openDropping()) conn.close();
    for (const served of dbs) if (served.writeFailed === undefined) this.compactIfDue(served);
  }

  private compactIfDue(served: ServedDatabase): void {
    try {
      if (served.file?.shouldCompact()) served.file.compact(served.db);
    } catch (e) {
      this.log('warn', `${served.file?.path}: compaction failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** After a commit, blocked transactions on that database get another try (once the current one is answered). */
  private scheduleRerun(served: ServedDatabase): void {
    if (served.rerunScheduled || served.triggers.length === 0) return;
    served.rerunScheduled = true;
    setImmediate(() => {
      served.rerunScheduled = false;
      for (const t of [...served.triggers]) if (served.triggers.includes(t)) this.runTrigger(t);
    });
  }
}

function listenOn(server: Server, where: { path: string } | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
