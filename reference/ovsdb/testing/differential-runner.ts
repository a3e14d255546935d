/**
 * Runs one generated transaction sequence against several OVSDB servers in
 * lockstep and compares their replies after UUID normalisation.
 *
 * The first target is the oracle: its normalised reply is what the
 * generator learns from, so every target receives the same (normalised)
 * transaction. Each transaction goes to all targets at once; a reply is
 * `{result}` or `{error}` (a JSON-RPC error such as "unknown database"),
 * or `{closed}` when the connection dropped. Before the sequence every
 * connection takes the lock DIFF_OWNED_LOCK (for `assert`); after it, a
 * dump of every table is compared the same way.
 *
 * Left out: monitors and a second client per server (the sequence is one
 * session's view).
 */
import { JsonRpcConnection, JsonRpcError } from '../jsonrpc.ts';
import { firstDifference, UuidNormaliser } from './normalise.ts';
import { DIFF_DB, DIFF_OWNED_LOCK, DIFF_TABLES, type GeneratedTxn, TxnGenerator } from './txn-generator.ts';

/** One session with a server: a request's reply is `{result}`, `{error}` (JSON-RPC error) or `{closed: reason}`. */
export interface DiffChannel {
  request(method: string, params: readonly unknown[]): Promise<unknown>;
  close(): void;
}

export interface DiffTarget {
  readonly name: string;
  open(): Promise<DiffChannel>;
}

/** A server reached over JSON-RPC at `unix:PATH` or `tcp:HOST:PORT`. */
export function rpcTarget(name: string, address: string): DiffTarget {
  return {
    name,
    async open() {
      const rpc = await JsonRpcConnection.connect(address, { timeoutMs: 5000 });
      return { request: (method, params) => call(rpc, method, params), close: () => rpc.close() };
    },
  };
}

export interface TxnMismatch {
  readonly txn: GeneratedTxn;
  /** Normalised replies, one per target, in target order. */
  readonly replies: readonly unknown[];
  readonly path: string;
}

export interface DifferentialReport {
  readonly transactions: number;
  readonly mismatches: readonly TxnMismatch[];
  /** The final dumps' first difference, if any (with both dumps). */
  readonly dumpMismatch?: { readonly path: string; readonly dumps: readonly unknown[] };
  /** Error tags in the oracle's replies → count (how well the errors were covered). */
  readonly oracleErrors: ReadonlyMap<string, number>;
  /** Union of the transactions' `covers`. */
  readonly covered: ReadonlySet<string>;
  /** Each target's UUID ↔ token map, for comparing what its files hold after a restart (dumpTables). */
  readonly normalisers: readonly UuidNormaliser[];
}

interface Session {
  readonly target: DiffTarget;
  readonly channel: DiffChannel;
  readonly norm: UuidNormaliser;
}

/** Runs `count` transactions from `seed` against every target; never throws on a server's misbehaviour. */
export async function runDifferential(targets: readonly DiffTarget[], seed: number, count: number): Promise<DifferentialReport> {
  if (targets.length === 0) throw new Error('runDifferential: no targets');
  const sessions: Session[] = [];
  try {
    for (const target of targets) {
      const channel = await target.open();
      sessions.push({ target, channel, norm: new UuidNormaliser() });
      await channel.request('lock', [DIFF_OWNED_LOCK]);
    }
    const gen = new TxnGenerator({ seed, count });
    const mismatches: TxnMismatch[] = [];
    const oracleErrors = new Map<string, number>();
    const covered = new Set<string>();
    let transactions = 0;
    for (let txn = gen.next(); txn !== undefined; txn = gen.next()) {
      transactions += 1;
      txn.covers.forEach((c) => covered.add(c));
      const current = txn;
      const replies = await Promise.all(sessions.map((s) => transactOne(s, current.db, current.ops)));
      const oracle = replies[0];
      countErrors(oracle, oracleErrors);
      const path = replies.map((r) => firstDifference(oracle, r)).find((p) => p !== undefined);
      if (path !== undefined) mismatches.push({ txn, replies, path });
      gen.observe(txn, isObject(oracle) ? oracle['result'] : undefined);
    }
    const dumps = await Promise.all(sessions.map((s) => transactOne(s, DIFF_DB, dumpOps())));
    const dumpPath = dumps.map((d) => firstDifference(dumps[0], d)).find((p) => p !== undefined);
    const base = { transactions, mismatches, oracleErrors, covered, normalisers: sessions.map((s) => s.norm) };
    return dumpPath === undefined ? base : { ...base, dumpMismatch: { path: dumpPath, dumps } };
  } finally {
    for (const s of sessions) s.channel.close();
  }
}

/**
 * Every row of every table with only `columns[table]` (e.g. those a
 * database file keeps: persistedColumns), from a server (re)started on a
 * file, normalised with the normaliser of the server that wrote the rows.
 */
export async function dumpTables(target: DiffTarget, norm: UuidNormaliser, columns: Readonly<Record<string, readonly string[]>>): Promise<unknown> {
  const channel = await target.open();
  try {
    const ops = Object.entries(columns).map(([table, cols]) => ({ op: 'select', table, where: [], columns: cols }));
    return norm.normalise(await channel.request('transact', [DIFF_DB, ...ops]));
  } finally {
    channel.close();
  }
}

/** Per table of a schema (JSON text of an .ovsschema): `_uuid` and every column that is not ephemeral. */
export function persistedColumns(schemaText: string): Record<string, string[]> {
  const schema = JSON.parse(schemaText) as { tables: Record<string, { columns: Record<string, { ephemeral?: boolean }> }> };
  return Object.fromEntries(
    Object.entries(schema.tables).map(([table, t]) => [table, ['_uuid', ...Object.keys(t.columns).filter((c) => t.columns[c]?.ephemeral !== true)]]),
  );
}

function dumpOps(): unknown[] {
  return DIFF_TABLES.map((table) => ({ op: 'select', table, where: [] }));
}

async function transactOne(s: Session, db: string, ops: readonly unknown[]): Promise<unknown> {
  s.norm.keepLiterals(ops);
  const params = [db, ...(s.norm.denormalise(ops) as unknown[])];
  return s.norm.normalise(await s.channel.request('transact', params));
}

/** `{result}`, `{error}` or `{closed: message}`. */
async function call(rpc: JsonRpcConnection, method: string, params: readonly unknown[]): Promise<unknown> {
  try {
    return { result: await rpc.request(method, params) };
  } catch (e) {
    if (e instanceof JsonRpcError) return { error: e.error };
    return { closed: e instanceof Error ? e.message : String(e) };
  }
}

function countErrors(reply: unknown, into: Map<string, number>): void {
  const add = (tag: unknown): void => {
    if (typeof tag === 'string') into.set(tag, (into.get(tag) ?? 0) + 1);
  };
  if (!isObject(reply)) return;
  if (isObject(reply['error'])) add(reply['error']['error']);
  else if (typeof reply['error'] === 'string') add(reply['error']);
  const result = reply['result'];
  if (Array.isArray(result)) for (const r of result) if (isObject(r)) add(r['error']);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A readable account of one mismatch: the transaction, each reply, the first differing path. */
export function describeMismatch(m: TxnMismatch, targets: readonly DiffTarget[]): string {
  const lines = [`txn #${m.txn.index} (${m.txn.label}) differs at ${m.path}`, `  ops: ${JSON.stringify([m.txn.db, ...m.txn.ops])}`];
  m.replies.forEach((r, i) => lines.push(`  ${targets[i]?.name ?? i}: ${JSON.stringify(r)}`));
  return lines.join('\n');
}

/** The rows of a dumpTables result, keyed by table index and `_uuid` text, as JSON text. */
function dumpRows(dump: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const result = isObject(dump) ? dump['result'] : undefined;
  if (!Array.isArray(result)) return out;
  result.forEach((table, i) => {
    const rows = isObject(table) ? table['rows'] : undefined;
    if (Array.isArray(rows)) for (const row of rows) out.set(`${i} ${JSON.stringify(isObject(row) ? row['_uuid'] : row)}`, JSON.stringify(row));
  });
  return out;
}

/** How many rows of two dumpTables results differ (present in one only, or with other values). */
export function countRowDifferences(a: unknown, b: unknown): number {
  const ra = dumpRows(a);
  const rb = dumpRows(b);
  let n = 0;
  for (const [k, v] of ra) if (rb.get(k) !== v) n++;
  for (const k of rb.keys()) if (!ra.has(k)) n++;
  return n;
}
