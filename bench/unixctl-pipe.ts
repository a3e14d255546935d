/**
 * bench/unixctl-pipe: many unixctl commands over ONE connection, pipelined —
 * how bench/datapath installs 100,000 datapath flows in seconds where one
 * `ovs-appctl` per flow would take minutes.
 *
 * Wire (Open vSwitch's lib/unixctl.c over lib/jsonrpc.c): JSON-RPC 1.0
 * values back to back on a Unix stream socket, no framing; a request is
 * `{"method":CMD,"params":[ARG…],"id":N}`, its reply
 * `{"result":TEXT,"error":null,"id":N}` or `{"error":TEXT,"result":null,"id":N}`.
 * Both Open vSwitch and the reference switch answer one connection's
 * requests in order, so replies are matched by id and at most `window`
 * requests are in flight (the server's input buffer stays small).
 *
 * Invariant: every request gets exactly one outcome — its reply, or the
 * connection's error when the socket fails or closes first.
 * Left out on purpose: notifications, server-initiated requests, reconnects.
 */
import { connect, type Socket } from 'node:net';

export interface UnixctlAnswer {
  readonly ok: boolean;
  readonly text: string;
}

/** Splits a byte stream into top-level JSON object texts (no framing on the wire). */
export class JsonObjectSplitter {
  private text = '';
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Appends `chunk` and returns the object texts it completed. */
  push(chunk: string): string[] {
    this.text += chunk;
    const out: string[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.text.length; i++) {
      const c = this.text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if ((c === '}' || c === ']') && --this.depth === 0) {
        out.push(this.text.slice(start, i + 1).trim());
        start = i + 1;
      }
    }
    this.text = this.text.slice(start);
    this.scanned = this.text.length;
    return out;
  }
}

interface Pending {
  resolve(a: UnixctlAnswer): void;
  reject(e: Error): void;
}

export class UnixctlPipe {
  private readonly pending = new Map<number, Pending>();
  private readonly splitter = new JsonObjectSplitter();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly path: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new Error(`unixctl ${path}: ${e.message}`)));
    socket.on('close', () => this.fail(new Error(`unixctl ${path}: connection closed`)));
  }

  /** Connects to the control socket at `path`; rejects when nobody listens there. */
  static connect(path: string): Promise<UnixctlPipe> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new UnixctlPipe(s, path));
      });
    });
  }

  /** Sends one request; resolves with its reply (an error reply is `ok: false`, not a rejection). */
  request(method: string, params: readonly string[]): Promise<UnixctlAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(JSON.stringify({ method, params, id }));
    });
  }

  /**
   * Runs every request with at most `window` in flight; resolves with how
   * many answered with an error and the first such error's text.
   */
  async runAll(requests: Iterable<readonly [string, readonly string[]]>, window = 512): Promise<{ failed: number; firstError?: string }> {
    const inFlight = new Set<Promise<void>>();
    let failed = 0;
    let firstError: string | undefined;
    for (const [method, params] of requests) {
      const p: Promise<void> = this.request(method, params).then((a) => {
        if (!a.ok) {
          failed++;
          firstError ??= a.text.trim();
        }
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return firstError === undefined ? { failed } : { failed, firstError };
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    for (const text of this.splitter.push(chunk)) {
      let reply: { id?: unknown; result?: unknown; error?: unknown };
      try {
        reply = JSON.parse(text) as typeof reply;
      } catch {
        return this.fail(new Error(`unixctl ${this.path}: reply is not JSON: ${JSON.stringify(text.slice(0, 200))}`));
      }
      const p = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
      if (p === undefined) return this.fail(new Error(`unixctl ${this.path}: reply to an unknown id: ${JSON.stringify(text.slice(0, 200))}`));
      this.pending.delete(reply.id as number);
      const isError = reply.error !== null && reply.error !== undefined;
      p.resolve({ ok: !isError, text: String(isError ? reply.error : reply.result ?? '') });
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.socket.destroy();
  }
}
