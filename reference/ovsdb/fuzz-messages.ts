/**
 * Seeded generator of hostile JSON-RPC input for the OVSDB server's fuzz
 * test: well-formed requests with random methods, ids and params; transact
 * requests with random (often nearly right) operations; notifications;
 * large strings and deep (but legal) nesting — all of which the server
 * must answer and survive — and "closers" that end the connection:
 * malformed JSON, wrong JSON-RPC shapes, nesting over 1000, binary
 * garbage, and messages over the size limit.
 *
 * Invariant: the same seed gives the same sequence. A message's `kind`
 * says what the server owes it: `answered` requests (id given) get exactly
 * one reply, `silent` notifications none, `closer` messages end the
 * connection (oversized ones after an error reply).
 */

export type FuzzKind = 'answered' | 'silent' | 'closer' | 'oversized';

export interface FuzzMessage {
  readonly kind: FuzzKind;
  readonly text: string | Uint8Array;
}

/** mulberry32: small, fast, good enough to spread test input. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = [
  'transact', 'monitor', 'monitor_cond', 'monitor_cond_since', 'monitor_cond_change', 'monitor_cancel', 'get_schema', 'list_dbs',
  'lock', 'steal', 'unlock', 'set_db_change_aware', 'get_server_id', 'echo', 'cancel', 'convert', 'nope', '',
];
const WORDS = [
  'op', 'table', 'row', 'rows', 'where', 'columns', 'mutations', 'uuid-name', 'timeout', 'until', 'durable', 'comment', 'lock',
  'select', 'initial', 'insert', 'delete', 'modify', 'name', 'n', 's', 'm', 'r', 'T', 'F', '_Server', 'Database', '_uuid', '_version',
  'update', 'mutate', 'wait', 'commit', 'abort', 'assert', '==', '!=', '<', 'includes', 'excludes', '+=', '-=', '*=', '/=', '%=',
  'set', 'map', 'uuid', 'named-uuid', 'x', '',
];
const OPS = ['insert', 'select', 'update', 'mutate', 'delete', 'wait', 'commit', 'abort', 'comment', 'assert', 'frob'];

export class FuzzMessages {
  private readonly r: () => number;
  private nextId = 1;

  constructor(
    seed: number,
    /** The server's message size limit: oversized messages exceed it. */
    private readonly maxBytes: number,
    /** Database the transact requests mostly name. */
    private readonly db: string,
  ) {
    this.r = seededRandom(seed);
  }

  private int(n: number): number {
    return Math.floor(this.r() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  private string(maxLen = 12): string {
    const len = this.int(maxLen + 1);
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = this.r();
      s += c < 0.7 ? String.fromCharCode(97 + this.int(26)) : c < 0.8 ? this.pick(['"', '\\', '\n', '\u0000', '/']) : c < 0.95 ? this.pick(['é', '€', '😀', '\u2028']) : '\uD800';
    }
    return s;
  }

  private atom(): unknown {
    switch (this.int(9)) {
      case 0:
        return this.int(2000) - 1000;
      case 1:
        return this.pick([0.5, -1e308, 1e308, 2 ** 53 + 2, -0, 9007199254740991]);
      case 2:
        return this.r() < 0.5;
      case 3:
        return null;
      case 4:
        return this.pick(WORDS);
      case 5:
        return ['uuid', this.pick(['00000000-0000-0000-0000-000000000000', 'not-a-uuid', this.string(36)])];
      case 6:
        return ['named-uuid', this.pick(['a', 'b', '1x', ''])];
      case 7:
        return [this.pick(['set', 'map']), [this.atom(), [this.pick(WORDS), this.int(5)]]];
      default:
        return this.string();
    }
  }

  /** A random JSON value; objects use the OVSDB vocabulary as keys most of the time. */
  json(depth = 0): unknown {
    if (depth > 3 || this.r() < 0.45) return this.atom();
    const n = this.int(5);
    if (this.r() < 0.5) return Array.from({ length: n }, () => this.json(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) o[this.r() < 0.85 ? this.pick(WORDS) : this.string(6)] = this.json(depth + 1);
    return o;
  }

  private op(): unknown {
    const o: Record<string, unknown> = { op: this.pick(OPS), table: this.r() < 0.8 ? 'T' : this.pick(WORDS) };
    const members = ['row', 'where', 'columns', 'mutations', 'uuid-name', 'timeout', 'until', 'rows', 'durable', 'comment', 'lock'];
    for (const m of members) {
      if (this.r() > 0.3) continue;
      if (m === 'row') o[m] = { name: this.atom(), n: this.atom(), s: this.atom() };
      else if (m === 'where') o[m] = [[this.pick(['name', 'n', 's', '_uuid']), this.pick(WORDS), this.atom()]];
      else if (m === 'timeout') o[m] = this.pick([0, 1, 5, -1, 1.5, 'x']);
      else if (m === 'mutations') o[m] = [[this.pick(['n', 's', 'm']), this.pick(WORDS), this.atom()]];
      else o[m] = this.json(2);
    }
    return o;
  }

  private id(): unknown {
    const r = this.r();
    return r < 0.7 ? `f${this.nextId++}` : r < 0.85 ? this.nextId++ : [this.nextId++, this.string(3)];
  }

  private request(method: string, params: unknown[]): FuzzMessage {
    return { kind: 'answered', text: JSON.stringify({ method, params, id: this.id() }) };
  }

  /** The next message. */
  next(): FuzzMessage {
    const c = this.r();
    if (c < 0.35) {
      const first = this.r() < 0.6 ? this.pick([this.db, '_Server', 'nope']) : this.atom();
      return this.request(this.pick(METHODS), [first, ...Array.from({ length: this.int(3) }, () => this.json(1))]);
    }
    if (c < 0.6) return this.request('transact', [this.r() < 0.9 ? this.db : '_Server', ...Array.from({ length: 1 + this.int(4) }, () => this.op())]);
    if (c < 0.65) return { kind: 'silent', text: JSON.stringify({ method: this.pick(['cancel', 'update', 'x']), params: [this.json(1)], id: null }) };
    if (c < 0.7) return this.request('echo', [this.string(200).repeat(1 + this.int(Math.floor(this.maxBytes / 4000)))]);
    if (c < 0.73) return this.request('echo', [JSON.parse('['.repeat(900) + ']'.repeat(900)) as unknown]);
    if (c < 0.83) return { kind: 'closer', text: this.malformed() };
    if (c < 0.9) return { kind: 'closer', text: this.badShape() };
    if (c < 0.93) return { kind: 'closer', text: '['.repeat(1001 + this.int(5000)) + ']'.repeat(1001) };
    if (c < 0.96) return { kind: 'closer', text: Uint8Array.from({ length: 1 + this.int(64) }, (_, i) => (i === 0 ? this.pick([0x00, 0x22, 0x41, 0x7d, 0xff]) : this.int(256))) };
    return { kind: 'oversized', text: JSON.stringify({ method: 'echo', params: ['y'.repeat(this.maxBytes + this.int(this.maxBytes))], id: 1 }) };
  }

  /** Valid-looking JSON made invalid: a bad token put between tokens (never inside a string) of a complete value. */
  private malformed(): string {
    const good = JSON.stringify({ method: 'echo', params: [this.json(1)], id: 1 });
    const bad = this.pick([',,', ':', 'tru', 'nul', '01', '-x', '"\\x"', '\u0001', "'", 'NaN', '}{']);
    const at = this.pick(structuralPositions(good));
    return this.pick([`${good.slice(0, at)}${bad}${good.slice(at)}`, `${good.slice(0, at)}${bad}${good.slice(at)}`, `{"id":1,"method":"echo","params":[${bad}]}`, `{"a":1]`, `[}`]);
  }

  /** JSON that is not a JSON-RPC message (jsonrpc_msg_from_json refuses it). */
  private badShape(): string {
    return JSON.stringify(
      this.pick<unknown>([
        [1, 2],
        { method: 5, params: [], id: 1 },
        { method: 'echo', params: {}, id: 1 },
        { method: 'echo', id: 1 },
        { params: [], id: 1 },
        { method: 'echo', params: [], id: 1, extra: true },
        { result: 1, id: 'never-asked' },
        { error: 'x', id: 99 },
        {},
      ]),
    );
  }
}

/** Offsets just after `,` `:` `[` `{` outside strings, where any bad token breaks the value. */
function structuralPositions(text: string): number[] {
  const out: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === ',' || ch === ':' || ch === '[' || ch === '{') out.push(i + 1);
  }
  return out;
}
