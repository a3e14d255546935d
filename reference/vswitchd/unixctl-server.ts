/**
 * The control socket: Open vSwitch's unixctl protocol (lib/unixctl.c over
 * lib/jsonrpc.c), so the real `ovs-appctl -t DIR/refswitch.ctl CMD ARGS…`
 * talks to us unchanged.
 *
 * Wire: a Unix stream socket carrying JSON-RPC 1.0 values back to back, no
 * framing. ovs-appctl sends `{"method":CMD,"params":[ARG…],"id":N}` and
 * waits for `{"result":TEXT,"error":null,"id":N}` (prints TEXT on stdout,
 * exits 0) or `{"error":TEXT,"result":null,"id":N}` (prints TEXT on stderr
 * plus "ovs-appctl: TARGET: server returned an error", exits 2). Reply text
 * that is not empty gets a final newline, as unixctl_command_reply__ adds.
 *
 * Invariants:
 *  - Requests on one connection are answered one at a time, in order; the
 *    socket is paused while a command runs (handlers may be async).
 *  - Bad input never throws out of the server: a message that is not JSON,
 *    not a JSON-RPC request (a notification, a reply, an unknown member,
 *    `params` not an array) or longer than `maxMessageBytes` closes that
 *    connection only, as OVS does; a handler that throws is answered with
 *    an error reply and logged.
 *  - Errors in the registry use OVS's words: `"X" is not a valid command
 *    (use "list-commands" to see a list of valid commands)`, `"X" command
 *    requires at least N arguments`, `"X" command takes at most N
 *    arguments`, `"X" command has non-string argument`.
 *
 * Left out on purpose: OVS's Windows named pipes and the "none" path.
 * Clients must name the socket by its absolute path (`-t /abs/DIR/x.ctl`):
 * ovs-appctl takes any other target as a pidfile name under OVS_RUNDIR and
 * wants that pidfile fcntl-locked by its daemon, which Node cannot do.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { CoverageCounters } from './coverage-format.ts';
import { JsonStreamSplitter } from '../ovsdb/index.ts';

/** What a command answers: text for stdout (`ok`) or for stderr with exit code 2. */
export interface UnixctlReply {
  readonly ok: boolean;
  readonly text: string;
  /** Runs once the reply has been written (e.g. `exit` shutting down). */
  readonly afterReply?: () => void;
}

/** `args` are the parameters after the command name. */
export type UnixctlHandler = (args: readonly string[]) => UnixctlReply | Promise<UnixctlReply>;

export interface UnixctlCommand {
  /** Shown by `list-commands`; `undefined` hides the command. */
  readonly usage: string | undefined;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly handler: UnixctlHandler;
}

export interface UnixctlServerOptions {
  /** The `version` command's answer. */
  readonly version: string;
  /** Longest message accepted (default 1 MiB); longer closes the connection. */
  readonly maxMessageBytes?: number;
  /** Diagnostics (bad clients, handler failures). */
  readonly log?: (level: 'info' | 'warn' | 'err', message: string) => void;
  /** Where `unixctl_received`/`unixctl_replied` are counted. */
  readonly coverage?: CoverageCounters;
}

export const UNIXCTL_MAX_MESSAGE_BYTES = 1 << 20;

export const ok = (text: string, afterReply?: () => void): UnixctlReply => (afterReply ? { ok: true, text, afterReply } : { ok: true, text });
export const fail = (text: string): UnixctlReply => ({ ok: false, text });

type Request = { readonly method: string; readonly params: readonly unknown[]; readonly id: unknown };

export class UnixctlServer {
  private readonly commands = new Map<string, UnixctlCommand>();
  private readonly servers: { server: Server; path: string }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly maxBytes: number;
  private closed = false;

  constructor(private readonly opts: UnixctlServerOptions) {
    this.maxBytes = opts.maxMessageBytes ?? UNIXCTL_MAX_MESSAGE_BYTES;
    opts.coverage?.define('unixctl_received');
    opts.coverage?.define('unixctl_replied');
    this.register('list-commands', { usage: '', minArgs: 0, maxArgs: 0, handler: () => ok(this.listCommands()) });
    this.register('version', { usage: '', minArgs: 0, maxArgs: 0, handler: () => ok(opts.version) });
  }

  /** Adds a command; registering a name twice is a bug. */
  register(name: string, command: UnixctlCommand): void {
    if (this.commands.has(name)) throw new Error(`unixctl command ${JSON.stringify(name)} registered twice`);
    this.commands.set(name, command);
  }

  /** `list-commands` text: sorted names, `%-23s` padded, hidden commands left out. */
  listCommands(): string {
    const lines = ['The available commands are:'];
    for (const name of [...this.commands.keys()].sort()) {
      const c = this.commands.get(name);
      if (c?.usage !== undefined) lines.push(`  ${name.padEnd(23)} ${c.usage}`);
    }
    return lines.join('\n') + '\n';
  }

  /**
   * Runs one command as a request would (registry checks included) and
   * returns the reply with OVS's final newline. Never throws.
   */
  async dispatch(method: string, params: readonly unknown[]): Promise<UnixctlReply> {
    this.opts.coverage?.inc('unixctl_received');
    const r = await this.dispatch__(method, params);
    this.opts.coverage?.inc('unixctl_replied');
    const text = r.text !== '' && !r.text.endsWith('\n') ? r.text + '\n' : r.text;
    return r.afterReply ? { ok: r.ok, text, afterReply: r.afterReply } : { ok: r.ok, text };
  }

  private async dispatch__(method: string, params: readonly unknown[]): Promise<UnixctlReply> {
    const c = this.commands.get(method);
    if (!c) return fail(`"${method}" is not a valid command (use "list-commands" to see a list of valid commands)`);
    if (params.length < c.minArgs) return fail(`"${method}" command requires at least ${c.minArgs} arguments`);
    if (params.length > c.maxArgs) return fail(`"${method}" command takes at most ${c.maxArgs} arguments`);
    if (!params.every((p): p is string => typeof p === 'string')) return fail(`"${method}" command has non-string argument`);
    try {
      return await c.handler(params);
    } catch (err) {
      const why = err instanceof Error ? err.stack ?? err.message : String(err);
      this.opts.log?.('err', `command ${JSON.stringify(method)} failed: ${why}`);
      return fail(`internal error in "${method}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Listens on `path` (may be called for several paths). A stale socket
   * file nobody answers on is replaced; a live one is an error (EADDRINUSE).
   */
  async listen(path: string): Promise<void> {
    if (existsSync(path)) {
      if (await isAnswering(path)) throw Object.assign(new Error(`${path}: another process is listening there`), { code: 'EADDRINUSE' });
      unlinkSync(path);
    }
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.log?.('warn', `${path}: ${err.message}`));
    this.servers.push({ server, path });
  }

  /** Stops listening, drops every connection and removes the socket files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const { path } of this.servers) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone (Node removes the file when the server closes): fine.
      }
    }
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const splitter = new JsonStreamSplitter(this.maxBytes);
    const queue: string[] = [];
    let busy = false;
    const drop = (why: string): void => {
      this.opts.log?.('warn', `unixctl connection closed: ${why}`);
      socket.destroy();
    };
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      socket.pause();
      while (queue.length > 0 && !socket.destroyed) {
        const req = parseRequest(queue.shift() ?? '');
        if (typeof req === 'string') return drop(req);
        const reply = await this.dispatch(req.method, req.params);
        const wire = reply.ok ? { result: reply.text, error: null, id: req.id } : { error: reply.text, result: null, id: req.id };
        if (!socket.destroyed) socket.write(JSON.stringify(wire), () => reply.afterReply?.());
        else reply.afterReply?.();
      }
      busy = false;
      if (!socket.destroyed) socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      const r = splitter.push(chunk);
      if (!r.ok) return drop(r.reason);
      queue.push(...r.values);
      void pump();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}

/** A JSON-RPC request as lib/jsonrpc.c accepts it, or why the connection must close. */
export function parseRequest(text: string): Request | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return `bad JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'message is not a JSON object';
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['method', 'params', 'result', 'error', 'id'].includes(k)) return `message has unexpected member "${k}"`;
  }
  const present = (k: string): boolean => o[k] !== undefined && o[k] !== null;
  if (present('result') || present('error')) return 'received unexpected reply message';
  if (!present('id')) return 'received unexpected notification message';
  if (typeof o['method'] !== 'string') return 'request must have "method" (a JSON string)';
  if (!Array.isArray(o['params'])) return 'request must have "params" (a JSON array)';
  return { method: o['method'], params: o['params'] as unknown[], id: o['id'] };
}

/** True when something accepts connections on the Unix socket `path`. */
function isAnswering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
