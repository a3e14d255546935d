/**
 * One JSON-RPC 1.0 connection, as Open vSwitch's lib/jsonrpc.c speaks it
 * (RFC 7047 §4): JSON values back to back on a byte stream; a request is
 * `{"method","params":[…],"id"}`, a notification the same with `"id":null`,
 * a reply `{"id","result","error":null}` and an error reply
 * `{"id","error"}` (ovsdb-server leaves `result` out; RFC 7047 has it
 * null — both are accepted). Both ends may send requests.
 *
 * What: `JsonRpcConnection` wraps a socket for either end. It allocates
 * numeric ids for its own requests and settles their promises from the
 * replies, answers `echo` requests itself (result = params, as
 * jsonrpc_session does) and hands other requests and notifications to the
 * handlers. `connect()` opens `unix:PATH` or `tcp:HOST:PORT`. While its
 * OutputGate (shared by a server's connections) is closed, what a
 * connection sends is kept back in order and the gate remembers the
 * connection; opening the gate sends each one's output in one write (the
 * server holds replies until their records are flushed).
 *
 * Invariants: bad input never throws out of this class. As in OVS, a value
 * that is not JSON, nests deeper than 1000, or is not a valid JSON-RPC
 * message (jsonrpc_msg_from_json's rules: members, `params` an array, the
 * members each type must and must not have; JSON null counts as absent)
 * closes the connection, as does a reply nobody asked for. A message longer
 * than `maxMessageBytes` (a bound of ours; OVS has none) first gets an
 * error reply with a null id, then the connection closes. Once closed,
 * pending requests reject with Error('connection closed') and the close
 * handlers run exactly once. Output beyond `maxBacklogBytes` unread by the
 * peer also closes the connection, so a peer that never reads cannot grow
 * our memory.
 *
 * Left out on purpose: inactivity probes (we never send `echo`; unix
 * sockets are not probed by OVS either; TCP connections use keepalive
 * instead), reconnection, SSL.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { JsonStreamSplitter } from './json-stream.ts';
import { formatReal } from './json-text.ts';

/** Default bound on one received message: generous, since a dump of a large database is one reply. */
export const JSONRPC_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** OVS's JSON parser refuses deeper nesting ("input exceeds maximum nesting depth"). */
export const JSONRPC_MAX_DEPTH = 1000;

/** A reply whose `error` member was not null; `error` is that member. */
export class JsonRpcError extends Error {
  constructor(readonly error: unknown) {
    super(`JSON-RPC error: ${JSON.stringify(error)}`);
    this.name = 'JsonRpcError';
  }
}

export interface JsonRpcOptions {
  readonly maxMessageBytes?: number;
  /** Bytes written but not yet taken by the peer before we give up on it (default 4 × maxMessageBytes). */
  readonly maxBacklogBytes?: number;
}

/** A received message, classified as jsonrpc_msg_from_json does. */
export type JsonRpcMessage =
  | { readonly type: 'request'; readonly method: string; readonly params: readonly unknown[]; readonly id: unknown }
  | { readonly type: 'notify'; readonly method: string; readonly params: readonly unknown[] }
  | { readonly type: 'reply'; readonly result: unknown; readonly id: unknown }
  | { readonly type: 'error'; readonly error: unknown; readonly id: unknown };

const MEMBERS = new Set(['method', 'params', 'result', 'error', 'id']);
const MEMBER_ORDER = ['method', 'params', 'result', 'error', 'id'] as const;
/** Which of MEMBER_ORDER each message type must have (jsonrpc_msg_is_valid); the others it must not. */
const MUST_HAVE: Readonly<Record<JsonRpcMessage['type'], readonly boolean[]>> = {
  request: [true, true, false, false, true],
  notify: [true, true, false, false, false],
  reply: [false, false, true, false, true],
  error: [false, false, false, true, true],
};

/** JSON null counts as absent. (A module function: a closure per message costs, named by tsx's keepNames.) */
function present(o: Record<string, unknown>, k: string): boolean {
  const v = o[k];
  return v !== undefined && v !== null;
}

/** Parses one JSON value as a JSON-RPC message; a string is the reason it is not one. */
export function parseJsonRpcMessage(json: unknown): JsonRpcMessage | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'message is not a JSON object';
  const o = json as Record<string, unknown>;
  const method = o['method'];
  if (method !== undefined && typeof method !== 'string') return 'method is not a JSON string';
  for (const k of Object.keys(o)) if (!MEMBERS.has(k)) return `message has unexpected member "${k}"`;
  const params = o['params'];
  if (present(o, 'params') && !Array.isArray(params)) return '"params" must be JSON array';
  const type: JsonRpcMessage['type'] = present(o, 'result') ? 'reply' : present(o, 'error') ? 'error' : present(o, 'id') ? 'request' : 'notify';
  const must = MUST_HAVE[type];
  for (let i = 0; i < MEMBER_ORDER.length; i++) {
    const name = MEMBER_ORDER[i] as (typeof MEMBER_ORDER)[number];
    const has = name === 'method' ? method !== undefined : present(o, name);
    if (has !== must[i]) return `${type} must${must[i] ? '' : ' not'} have "${name}"`;
  }
  switch (type) {
    case 'request':
      return { type, method: method ?? '', params: params as unknown[], id: o['id'] };
    case 'notify':
      return { type, method: method ?? '', params: params as unknown[] };
    case 'reply':
      return { type, result: o['result'], id: o['id'] };
    case 'error':
      return { type, error: o['error'], id: o['id'] };
  }
}

/** A JSON string token, a number token with a fraction or exponent, or one with 16+ digits (beyond 2^53: only reals get there). */
const STRING_OR_REAL = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?[eE][+-]?\d+|-?\d+\.\d+|-?\d{16,}/g;

/**
 * JSON text as OVS writes it on the wire, for the values it can tell
 * apart: like JSON.stringify, but reals printed as %.15g (0.1+0.2 → 0.3),
 * as ovsdb-server sends them. Member order is JavaScript's (any order is
 * valid JSON-RPC).
 */
export function jsonRpcText(v: unknown): string {
  const text = JSON.stringify(v);
  // Numbers follow ':', ',' or '['; most messages have no real, and uuids ("…-4e3b…") must not send them down the slow path.
  if (!/[:,[]-?\d+[.eE]|[:,[]-?\d{16}/.test(text)) return text;
  return text.replace(STRING_OR_REAL, (tok) => {
    if (tok.charCodeAt(0) === 0x22) return tok;
    const n = Number(tok);
    return Number.isSafeInteger(n) ? tok : formatReal(n);
  });
}

/**
 * Holds back the output of the connections attached to it while closed
 * (a server closes it while transactions it would acknowledge are not yet
 * in the database file). Only connections that sent something are kept.
 */
export class OutputGate {
  private closed = false;
  private readonly kept = new Set<JsonRpcConnection>();

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
  }

  /** Called by a connection that kept output back. */
  keep(conn: JsonRpcConnection): void {
    this.kept.add(conn);
  }

  /** Opens the gate: each kept connection sends its output in one write. */
  open(): void {
    this.closed = false;
    for (const c of this.kept) c.release();
    this.kept.clear();
  }

  /** Opens the gate dropping what was kept; returns the connections whose output was dropped. */
  openDropping(): JsonRpcConnection[] {
    this.closed = false;
    const dropped = [...this.kept];
    for (const c of dropped) c.discardHeld();
    this.kept.clear();
    return dropped;
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class JsonRpcConnection {
  private readonly splitter: JsonStreamSplitter;
  private readonly maxBacklogBytes: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private requestHandler: ((method: string, params: unknown, id: unknown) => void) | undefined;
  private notificationHandler: ((method: string, params: unknown) => void) | undefined;
  private readonly closeHandlers: ((reason?: string) => void)[] = [];
  private closed = false;
  /** Output of the chunk being handled (onData), written once at its end; undefined outside onData. */
  private batch: string[] | undefined;
  /** Output kept back while the gate was closed, in order, until release(). */
  private held: string[] | undefined;
  private gate: OutputGate | undefined;
  private closeReason: string | undefined;

  /**
   * Opens `unix:PATH` or `tcp:HOST:PORT` (IPv6 as `tcp:[::1]:PORT`); rejects
   * when the connection fails or takes longer than `timeoutMs` (default 10 s).
   */
  static connect(target: string, opts: { maxMessageBytes?: number; timeoutMs?: number } = {}): Promise<JsonRpcConnection> {
    const m = /^tcp:(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(target);
    if (!target.startsWith('unix:') && m === null) return Promise.reject(new Error(`${target}: not a unix:PATH or tcp:HOST:PORT target`));
    const socket = m === null ? netConnect({ path: target.slice(5) }) : netConnect({ host: m[1] ?? m[2] ?? '', port: Number(m[3]) });
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${target}: connection timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${target}: ${e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new JsonRpcConnection(socket, opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: opts.maxMessageBytes }));
      });
    });
  }

  constructor(
    private readonly socket: Socket,
    opts: JsonRpcOptions = {},
  ) {
    const maxBytes = opts.maxMessageBytes ?? JSONRPC_MAX_MESSAGE_BYTES;
    this.splitter = new JsonStreamSplitter(maxBytes, JSONRPC_MAX_DEPTH);
    this.maxBacklogBytes = opts.maxBacklogBytes ?? 4 * maxBytes;
    if (socket.remoteAddress !== undefined) {
      // TCP: no Nagle delay, and a peer that vanished without a FIN is found (OVS probes with echo instead).
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 5000);
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.shutdown(e.message));
    socket.on('end', () => this.shutdown('connection closed by peer'));
    socket.on('close', () => this.shutdown('connection closed'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request; resolves with its result, rejects with JsonRpcError or Error('connection closed'). */
  request(method: string, params: readonly unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ method, params, id });
    });
  }

  notify(method: string, params: readonly unknown[]): void {
    this.send({ method, params, id: null });
  }

  /** Server side: the handler must answer each request with reply() or replyError(). */
  onRequest(h: (method: string, params: unknown, id: unknown) => void): void {
    this.requestHandler = h;
  }

  onNotification(h: (method: string, params: unknown) => void): void {
    this.notificationHandler = h;
  }

  reply(id: unknown, result: unknown): void {
    this.send({ id, result, error: null });
  }

  /** Written `{"id","error"}` without a `result` member, as ovsdb-server 3.1 does (jsonrpc_create_error). */
  replyError(id: unknown, error: unknown): void {
    this.send({ id, error });
  }

  /** From now on, what this connection sends waits while `gate` is closed. */
  setOutputGate(gate: OutputGate): void {
    this.gate = gate;
  }

  /** Sends what the gate kept back, in one write (OutputGate.open calls it). */
  release(): void {
    const held = this.held;
    this.held = undefined;
    if (held === undefined || held.length === 0 || this.closed) return;
    if (this.batch !== undefined) this.batch.push(...held);
    else this.write(held.length === 1 ? (held[0] as string) : held.join(''));
  }

  /** Forgets what the gate kept back (never sent). */
  discardHeld(): void {
    this.held = undefined;
  }

  /** Runs `h` once when the connection closes (at once if it already has). */
  onClose(h: (reason?: string) => void): void {
    if (this.closed) h(this.closeReason);
    else this.closeHandlers.push(h);
  }

  /** Flushes what was sent, then closes; idempotent. */
  close(): void {
    if (this.closed) return;
    this.writeBatch();
    this.socket.destroySoon();
    this.shutdown('closed locally');
  }

  private send(msg: Record<string, unknown>): void {
    if (this.closed) return;
    const text = jsonRpcText(msg);
    if (this.held !== undefined) this.held.push(text);
    else if (this.gate?.isClosed) {
      this.held = [text];
      this.gate.keep(this);
    } else if (this.batch !== undefined) this.batch.push(text);
    else this.write(text);
  }

  private write(text: string): void {
    this.socket.write(text);
    if (this.socket.writableLength > this.maxBacklogBytes) {
      this.socket.destroy();
      this.shutdown(`peer left more than ${this.maxBacklogBytes} bytes unread`);
    }
  }

  /** Replies to the requests of one chunk leave in one write (pipelined clients send many per chunk), without a cork and a tick. */
  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.batch = [];
    try {
      this.handleChunk(chunk);
    } finally {
      this.writeBatch();
      this.batch = undefined;
    }
  }

  /** Writes what the current chunk's handling sent so far. */
  private writeBatch(): void {
    const batch = this.batch;
    if (batch === undefined || batch.length === 0 || this.closed) return;
    const text = batch.length === 1 ? (batch[0] as string) : batch.join('');
    batch.length = 0;
    this.write(text);
  }

  private handleChunk(chunk: Buffer): void {
    const r = this.splitter.push(chunk);
    for (const text of r.values) {
      if (this.closed) return;
      this.receive(text);
    }
    if (r.ok || this.closed) return;
    if (r.isOversized) {
      this.replyError(null, { error: 'resources exhausted', details: r.reason });
    }
    this.drop(r.reason);
  }

  private receive(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      this.drop(`error parsing stream: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const msg = parseJsonRpcMessage(json);
    if (typeof msg === 'string') {
      this.drop(`received bad JSON-RPC message: ${msg}`);
      return;
    }
    this.dispatch(msg);
  }

  private dispatch(msg: JsonRpcMessage): void {
    switch (msg.type) {
      case 'request':
        if (msg.method === 'echo') this.reply(msg.id, msg.params);
        else if (this.requestHandler) this.requestHandler(msg.method, msg.params, msg.id);
        else this.replyError(msg.id, { error: 'unknown method', details: msg.method });
        return;
      case 'notify':
        this.notificationHandler?.(msg.method, msg.params);
        return;
      case 'reply':
      case 'error': {
        const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
        if (p === undefined) {
          if (msg.id === 'echo') return; // a reply to an inactivity probe (we send none, but peers may echo back)
          this.drop(`received unexpected ${msg.type} message`);
          return;
        }
        this.pending.delete(msg.id as number);
        if (msg.type === 'reply') p.resolve(msg.result);
        else p.reject(new JsonRpcError(msg.error));
        return;
      }
    }
  }

  /** A protocol error: what was already sent still goes out, then the socket closes. */
  private drop(reason: string): void {
    this.writeBatch();
    this.socket.destroySoon();
    this.shutdown(reason);
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.held = undefined;
    for (const p of this.pending.values()) p.reject(new Error('connection closed'));
    this.pending.clear();
    for (const h of this.closeHandlers.splice(0)) h(reason);
  }
}
