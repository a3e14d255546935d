/**
 * A seeded generator of OVSDB transactions for differential testing
 * (RFC 7047 §5.2, with Open vSwitch 3.1's extensions), against the test
 * schema diff.ovsschema beside this file.
 *
 * What: `TxnGenerator.next()` hands out transactions one at a time; the
 * runner sends each to every server, normalises the replies' UUIDs to
 * tokens `<n>` (normalise.ts) and gives the oracle's normalised reply back
 * through `observe()`. Later transactions refer to earlier rows by those
 * tokens (`["uuid","<3>"]`), which the runner turns back into each
 * server's own UUIDs before sending; rows created in the same transaction
 * are referred to by `named-uuid`. So one sequence, fixed by the seed and
 * the oracle's answers, runs against every server.
 *
 * Coverage: the first round calls every builder of txn-builders.ts once
 * (a builder with fixed variants once per variant)
 * (every operation, condition function, mutator and error class); after
 * that builders are drawn at random, weighted towards valid work so the
 * database keeps rows to work on. Each transaction lists what it means to
 * exercise in `covers` (`op:insert`, `cond:<`, `mut:%=`, `err:aborted`).
 *
 * Invariant: given the same seed and the same observed replies the
 * sequence is identical (no clock, no Math.random).
 *
 * Left out on purpose: transactions whose outcome depends on another
 * client (a `wait` released by someone else's commit), and integers
 * beyond ±2^53.
 */
import { resolve } from 'node:path';
import { BUILDERS, type Builder } from './txn-builders.ts';

export const DIFF_SCHEMA_PATH = resolve(import.meta.dirname, 'diff.ovsschema');
export const DIFF_DB = 'Diff';
/** A lock the runner takes on every connection before the sequence, for `assert`. */
export const DIFF_OWNED_LOCK = 'owned';
export const DIFF_TABLES = ['Root', 'Child', 'Leaf', 'Pin'] as const;
export type DiffTable = (typeof DIFF_TABLES)[number];

export interface GeneratedTxn {
  readonly index: number;
  /** The builder's name, e.g. "insert Root" or "error: duplicate uuid-name". */
  readonly label: string;
  readonly db: string;
  readonly ops: readonly unknown[];
  readonly covers: readonly string[];
  /** Per op: what observe() learns from its result when the transaction commits. */
  readonly learn: readonly Learn[];
}

/** What a result teaches the model: a new row, a removed row, or a table's full row list. */
export type Learn =
  | { readonly type: 'none' }
  | { readonly type: 'insert'; readonly table: DiffTable; readonly name?: string }
  | { readonly type: 'delete'; readonly table: DiffTable; readonly token: string }
  | { readonly type: 'refresh'; readonly table: DiffTable };

/** xorshift-multiply PRNG (mulberry32): small, fast, reproducible. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let x = this.state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }
  /** Up to `n` distinct items, in a random order. */
  some<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(this.float() * pool.length), 1)[0] as T);
    return out;
  }
}

/** The generator's idea of the database: row tokens per table (may be stale; stale refs are test cases too). */
export class DiffModel {
  readonly rows: Record<DiffTable, string[]> = { Root: [], Child: [], Leaf: [], Pin: [] };
  /** Root row token → its name, for index collisions on purpose. */
  readonly rootNames = new Map<string, string>();
  private serial = 0;
  /** A fresh name for this run ("n7"), fits Root.name's maxLength. */
  freshName(prefix = 'n'): string {
    this.serial += 1;
    return `${prefix}${this.serial}`;
  }
  /** A number no other call returns in this run (for index values that must not collide by chance). */
  freshNumber(): number {
    this.serial += 1;
    return 10_000 + this.serial;
  }
  /** A fresh uuid-name (symbol) for `named-uuid`. */
  freshSymbol(): string {
    this.serial += 1;
    return `sym${this.serial}`;
  }
}

export interface TxnGeneratorOptions {
  readonly seed: number;
  /** How many transactions next() hands out. */
  readonly count: number;
}

export class TxnGenerator {
  readonly model = new DiffModel();
  private readonly rng: Rng;
  private produced = 0;
  private readonly weighted: Builder[];
  /** Every builder, once per fixed variant, in order: each error class is drawn whatever the seed. */
  private readonly firstRound: { readonly builder: Builder; readonly variant: number }[];

  constructor(readonly opts: TxnGeneratorOptions) {
    this.rng = new Rng(opts.seed);
    this.weighted = BUILDERS.flatMap((b) => Array<Builder>(b.weight).fill(b));
    this.firstRound = BUILDERS.flatMap((b) => Array.from({ length: b.variants ?? 1 }, (_, v) => ({ builder: b, variant: v })));
  }

  /** The next transaction, or undefined after `count`. */
  next(): GeneratedTxn | undefined {
    if (this.produced >= this.opts.count) return undefined;
    const index = this.produced;
    this.produced += 1;
    const first = this.firstRound[index];
    const builder = first !== undefined ? first.builder : this.rng.pick(this.weighted);
    const built = first !== undefined && builder.variants !== undefined ? builder.build(this.rng, this.model, first.variant) : builder.build(this.rng, this.model);
    return { index, label: builder.name, db: built.db ?? DIFF_DB, ops: built.ops, covers: builder.covers, learn: built.learn ?? [] };
  }

  /**
   * Learns from the oracle's reply to `txn`, already UUID-normalised: a
   * result array, or a JSON-RPC error (anything else). Only a committed
   * transaction (no error object in the array) changes the model.
   */
  observe(txn: GeneratedTxn, reply: unknown): void {
    if (!Array.isArray(reply)) return;
    const committed = reply.length === txn.ops.length && reply.every((r) => !isErrorObject(r));
    if (!committed) return;
    txn.learn.forEach((learn, i) => this.learnOne(learn, reply[i]));
  }

  private learnOne(learn: Learn, result: unknown): void {
    const m = this.model;
    if (learn.type === 'insert') {
      const token = uuidOf(isObject(result) ? result['uuid'] : undefined);
      if (token === undefined) return;
      m.rows[learn.table].push(token);
      if (learn.name !== undefined) m.rootNames.set(token, learn.name);
    } else if (learn.type === 'delete') {
      const list = m.rows[learn.table];
      const at = list.indexOf(learn.token);
      if (at >= 0 && isObject(result) && result['count'] === 1) list.splice(at, 1);
    } else if (learn.type === 'refresh') {
      const rows = isObject(result) ? result['rows'] : undefined;
      if (!Array.isArray(rows)) return;
      const tokens = rows.map((r: unknown) => uuidOf(isObject(r) ? r['_uuid'] : undefined));
      m.rows[learn.table] = tokens.filter((t): t is string => t !== undefined);
    }
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** True for an RFC 7047 error object (`{"error": ...}`); a transaction's reply holds one when it failed. */
export function isErrorObject(x: unknown): boolean {
  return isObject(x) && typeof x['error'] === 'string';
}

function uuidOf(json: unknown): string | undefined {
  return Array.isArray(json) && json[0] === 'uuid' && typeof json[1] === 'string' ? json[1] : undefined;
}
