/**
 * A raw JSON-RPC 1.0 client for OVSDB scenarios: it sends exactly the
 * messages the scenario wrote (their ids included) and hands back every
 * message the server sent, in arrival order, so a transcript can be
 * compared with a golden.
 *
 * Invariants:
 *  - Nothing is hidden but the client's own bookkeeping: `echo` requests
 *    from the server (inactivity probes) are answered and not reported, and
 *    so are the replies to `sync()`'s echo (id `refswitch-sync-N`).
 *  - `sync()` makes cross-connection order deterministic without sleeping:
 *    the server answers an echo after whatever it queued on this connection
 *    before reading it, so once another client's request has been answered,
 *    the notifications it caused here come before the sync reply.
 *  - Waiting never hangs: every wait has a deadline and a closed connection
 *    ends it; both are HarnessErrors (the server did not answer at all).
 * Left out: TLS and TCP (scenarios use the switch's unix socket), reconnecting.
 */
import { connect, type Socket } from 'node:net';
import { JsonStreamSplitter } from '../../reference/ovsdb/index.ts';
import { HarnessError } from './errors.ts';
import type { Json } from './ovsdb-transcript.ts';

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const SYNC_PREFIX = 'refswitch-sync-';

export class OvsdbTestClient {
  private readonly inbox: Json[] = [];
  private waiter: (() => void) | undefined;
  private closedReason: string | undefined;
  private syncCount = 0;

  private constructor(
    private readonly socket: Socket,
    readonly endpoint: string,
  ) {
    const splitter = new JsonStreamSplitter(MAX_MESSAGE_BYTES);
    socket.on('data', (chunk: Buffer) => {
      const r = splitter.push(chunk);
      for (const text of r.values) this.receive(text);
      if (!r.ok) this.end(`unreadable stream from the server: ${r.reason}`);
      this.wake();
    });
    socket.on('close', () => this.end('connection closed by the server'));
    socket.on('error', (e) => this.end(`connection error: ${e.message}`));
  }

  /** Connects to `unix:PATH`; HarnessError when the server does not accept in `timeoutMs`. */
  static connect(endpoint: string, timeoutMs: number): Promise<OvsdbTestClient> {
    const m = /^unix:(.+)$/.exec(endpoint);
    if (m?.[1] === undefined) return Promise.reject(new HarnessError(`OVSDB endpoint ${JSON.stringify(endpoint)} is not unix:PATH`));
    const path = m[1];
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new HarnessError(`connect to the OVSDB server at ${endpoint}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new HarnessError(`connect to the OVSDB server at ${endpoint}: ${e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new OvsdbTestClient(socket, endpoint));
      });
    });
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Why the connection is closed, or undefined while it is open. */
  get closeReason(): string | undefined {
    return this.closedReason;
  }

  send(message: Json): void {
    if (this.closedReason !== undefined) throw new Error(`cannot send to ${this.endpoint}: ${this.closedReason}`);
    this.socket.write(JSON.stringify(message));
  }

  /**
   * Messages received up to and including the reply whose id equals `id`;
   * when the server closes the connection first, what it sent before and
   * `closed: true` (closing is an answer too: ovsdb-server does it on a
   * malformed message).
   */
  async untilReply(id: Json, timeoutMs: number): Promise<{ messages: Json[]; closed: boolean }> {
    const want = JSON.stringify(id);
    try {
      return { messages: await this.waitFor((m) => isReply(m) && JSON.stringify(m.id) === want, timeoutMs, `the reply to request id ${want}`), closed: false };
    } catch (e) {
      if (this.closedReason === undefined) throw e;
      return { messages: this.takeAll(), closed: true };
    }
  }

  /** Messages received up to and including the next notification (a message with a method and a null id). */
  untilNotification(timeoutMs: number): Promise<Json[]> {
    return this.waitFor((m) => isObject(m) && typeof m['method'] === 'string' && (m['id'] === null || m['id'] === undefined), timeoutMs, 'a notification');
  }

  /** Messages received before the reply to an echo sent now (the echo reply itself is dropped). */
  async sync(timeoutMs: number): Promise<Json[]> {
    if (this.closedReason !== undefined) return this.takeAll();
    const id = `${SYNC_PREFIX}${this.syncCount++}`;
    this.send({ method: 'echo', params: [], id });
    try {
      const got = await this.waitFor((m) => isReply(m) && m.id === id, timeoutMs, 'the reply to an echo');
      got.pop();
      return got;
    } catch (e) {
      if (this.closedReason === undefined) throw e;
      return this.takeAll();
    }
  }

  /** Every message received so far, removed from the inbox. */
  takeAll(): Json[] {
    return this.inbox.splice(0);
  }

  close(): void {
    this.socket.destroy();
    this.end('closed by the client');
  }

  private receive(text: string): void {
    let m: Json;
    try {
      m = JSON.parse(text) as Json;
    } catch {
      this.end(`the server sent text that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (isObject(m) && m['method'] === 'echo' && m['id'] !== null && m['id'] !== undefined) {
      this.socket.write(JSON.stringify({ id: m['id'], result: m['params'] ?? [], error: null }));
      return;
    }
    this.inbox.push(m);
  }

  private end(reason: string): void {
    this.closedReason ??= reason;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Resolves with the inbox up to and including the first message `match` accepts. */
  private async waitFor(match: (m: Json) => boolean, timeoutMs: number, what: string): Promise<Json[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(0, i + 1);
      if (this.closedReason !== undefined) throw new HarnessError(`waiting for ${what} from ${this.endpoint}: ${this.closedReason}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new HarnessError(`waiting for ${what} from ${this.endpoint}: nothing after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

function isObject(m: Json): m is { [key: string]: Json } {
  return m !== null && typeof m === 'object' && !Array.isArray(m);
}

function isReply(m: Json): m is { [key: string]: Json } {
  return isObject(m) && !('method' in m) && 'id' in m;
}
