/**
 * Durability: `refswitch ovsdb-server` is SIGKILLed at random points while
 * transactions stream in, restarted on the same file, and must hold every
 * acknowledged transaction and no partial one; at the end the file must pass
 * the real `ovsdb-tool show-log` and `ovsdb-tool query` must see our rows.
 *
 * How: one connection sends transactions with up to WINDOW in flight. Each
 * transaction sets the singleton counter row C.n to its sequence number and
 * makes a few changes to table R (insert, update, mutate, delete; some with
 * `commit durable`). A server applies one connection's transactions in order,
 * so after a restart C.n = P - 1 says exactly which prefix was committed:
 * P must cover every acknowledged transaction, and R must equal a model that
 * replays the first P transactions — a half-applied transaction cannot.
 *
 * DURABILITY_TXNS (default 1500) and DURABILITY_KILLS (default 3) scale it;
 * DURABILITY_SERVER=ovs runs the same test against Open vSwitch's
 * ovsdb-server (a check of the test itself).
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseFile } from './database-file.ts';
import { JsonRpcConnection } from './jsonrpc.ts';

const TXNS = Number(process.env['DURABILITY_TXNS'] ?? 1500);
const KILLS = Number(process.env['DURABILITY_KILLS'] ?? 3);
const USE_OVS = process.env['DURABILITY_SERVER'] === 'ovs';
const WINDOW = 16;
const bin = resolve(import.meta.dirname, '../../bin/refswitch.js');
const hasOvsTool = spawnSync('ovsdb-tool', ['--version']).status === 0;

const SCHEMA = {
  name: 'Dur',
  version: '1.0.0',
  tables: {
    C: { columns: { n: { type: 'integer' } }, maxRows: 1, isRoot: true },
    R: {
      columns: {
        k: { type: 'integer' },
        v: { type: 'string' },
        tags: { type: { key: 'string', min: 0, max: 'unlimited' } },
      },
      indexes: [['k']],
      isRoot: true,
    },
  },
};

function serverMissing(): string | false {
  if (USE_OVS) return spawnSync('ovsdb-server', ['--version']).status === 0 ? false : 'DURABILITY_SERVER=ovs but ovsdb-server is not installed';
  const usage = spawnSync(process.execPath, [bin, 'help'], { encoding: 'utf8' }).stdout;
  return /refswitch ovsdb-server/.test(usage) ? false : 'refswitch has no ovsdb-server command yet';
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface RRow { v: string; tags: string[] }
type Model = Map<number, RRow>;
type Step = { op: 'insert'; k: number; v: string } | { op: 'update'; k: number; v: string } | { op: 'tag'; k: number; tag: string } | { op: 'delete'; k: number };
interface Txn { seq: number; steps: Step[]; durable: boolean }

function applyStep(m: Model, s: Step): void {
  const row = m.get(s.k);
  if (s.op === 'insert') m.set(s.k, { v: s.v, tags: [] });
  else if (s.op === 'delete') m.delete(s.k);
  else if (row && s.op === 'update') m.set(s.k, { ...row, v: s.v });
  else if (row && s.op === 'tag') m.set(s.k, { ...row, tags: [...new Set([...row.tags, s.tag])].sort() });
}

/** The next transaction for model state `m` (which it advances). */
function nextTxn(m: Model, seq: number, rand: () => number): Txn {
  const steps: Step[] = [];
  const keys = [...m.keys()];
  const pick = (): number => keys[Math.floor(rand() * keys.length)] ?? -1;
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    const r = rand();
    const s: Step =
      r < 0.45 || keys.length < 5 ? { op: 'insert', k: seq * 10 + i, v: `v${seq}.${i}` }
      : r < 0.7 ? { op: 'update', k: pick(), v: `u${seq}.${i}` }
      : r < 0.85 ? { op: 'tag', k: pick(), tag: `t${seq % 7}` }
      : { op: 'delete', k: pick() };
    applyStep(m, s);
    if (s.op === 'delete') keys.splice(keys.indexOf(s.k), 1);
    else if (s.op === 'insert') keys.push(s.k);
    steps.push(s);
  }
  return { seq, steps, durable: rand() < 0.1 };
}

function txnOps(txn: Txn): unknown[] {
  const ops: unknown[] = [{ op: 'update', table: 'C', where: [], row: { n: txn.seq } }];
  for (const s of txn.steps) {
    const where = [['k', '==', s.k]];
    if (s.op === 'insert') ops.push({ op: 'insert', table: 'R', row: { k: s.k, v: s.v } });
    else if (s.op === 'update') ops.push({ op: 'update', table: 'R', where, row: { v: s.v } });
    else if (s.op === 'tag') ops.push({ op: 'mutate', table: 'R', where, mutations: [['tags', 'insert', ['set', [s.tag]]]] });
    else ops.push({ op: 'delete', table: 'R', where });
  }
  if (txn.durable) ops.push({ op: 'commit', durable: true });
  return ['Dur', ...ops];
}

function startServer(db: string, sock: string): ChildProcess {
  const args = USE_OVS ? ['ovsdb-server', db, `--remote=punix:${sock}`, `--unixctl=${sock}.ctl`, '-vconsole:off', '--no-chdir'] : [process.execPath, bin, 'ovsdb-server', db, `--remote=punix:${sock}`];
  return spawn(args[0] as string, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function connect(sock: string, child: ChildProcess): Promise<JsonRpcConnection> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    if (existsSync(sock)) {
      try {
        return await JsonRpcConnection.connect(`unix:${sock}`, { timeoutMs: 2000 });
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${sock}: ${stderr}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** The committed prefix length and R's rows as the restarted server reports them. */
async function readBack(rpc: JsonRpcConnection): Promise<{ prefix: number; rows: Model }> {
  const reply = (await rpc.request('transact', ['Dur', { op: 'select', table: 'C', where: [] }, { op: 'select', table: 'R', where: [], columns: ['k', 'v', 'tags'] }])) as { rows: Record<string, unknown>[] }[];
  const n = reply[0]?.rows[0]?.['n'];
  const rows: Model = new Map();
  for (const r of reply[1]?.rows ?? []) {
    const tags = r['tags'];
    const list = Array.isArray(tags) && tags[0] === 'set' ? (tags[1] as string[]) : [tags as string];
    rows.set(r['k'] as number, { v: r['v'] as string, tags: [...list].sort() });
  }
  return { prefix: typeof n === 'number' ? n + 1 : 0, rows };
}

function sameModel(a: Model, b: Model): boolean {
  if (a.size !== b.size) return false;
  for (const [k, r] of a) {
    const o = b.get(k);
    if (!o || o.v !== r.v || o.tags.join(',') !== r.tags.join(',')) return false;
  }
  return true;
}

/**
 * Sends transactions from sequence number `base` with WINDOW in flight until
 * `target` are acknowledged (then returns at once, with requests still in
 * flight, for the kill). Returns how many were acknowledged (a prefix: replies
 * come in order) and sent.
 */
async function stream(rpc: JsonRpcConnection, model: Model, txns: Txn[], base: number, target: number, rand: () => number, last: boolean): Promise<{ acked: number; sent: number }> {
  let acked = base;
  let next = base;
  let inFlight = 0;
  let failure: unknown;
  await new Promise<void>((done) => {
    const pump = (): void => {
      while (inFlight < WINDOW && next < TXNS && failure === undefined) {
        const txn = nextTxn(model, next++, rand);
        txns.push(txn);
        inFlight++;
        rpc.request('transact', txnOps(txn)).then(
          (result) => {
            inFlight--;
            if ((result as unknown[]).some((r) => typeof r === 'object' && r !== null && 'error' in r)) failure ??= new Error(`txn ${txn.seq} failed: ${JSON.stringify(result)}`);
            acked = Math.max(acked, txn.seq + 1);
            if (acked >= target || failure !== undefined) done();
            else pump();
          },
          (err: unknown) => {
            inFlight--;
            if (last || acked < target) failure ??= err;
            done();
          },
        );
      }
    };
    pump();
  });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return { acked, sent: next };
}

const missing = serverMissing();

t.test(`${TXNS} transactions, ${KILLS} SIGKILLs, nothing acknowledged lost`, { skip: missing, timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-durability-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'dur.db');
  const sock = join(dir, 'db.sock');
  DatabaseFile.create(db, SCHEMA);
  const rand = rng(20261121);
  const txns: Txn[] = [];
  let committed: Model = new Map();
  let base = 0;
  let lost = 0;
  let partial = 0;
  const killAt = Array.from({ length: KILLS }, (_, i) => Math.floor(((i + 0.3 + rand() * 0.6) * TXNS) / (KILLS + 1))).filter((x) => x > 0 && x < TXNS);
  let child = startServer(db, sock);
  let rpc = await connect(sock, child);
  await rpc.request('transact', ['Dur', { op: 'insert', table: 'C', row: { n: -1 } }]);
  for (let phase = 0; phase <= killAt.length; phase++) {
    const target = phase < killAt.length ? (killAt[phase] as number) : TXNS;
    const model: Model = new Map([...committed].map(([k, r]) => [k, { ...r }]));
    txns.length = base;
    const sent = await stream(rpc, model, txns, base, target, rand, phase === killAt.length);
    await kill(child);
    rpc.close();
    child = startServer(db, sock);
    rpc = await connect(sock, child);
    const { prefix, rows } = await readBack(rpc);
    if (prefix < sent.acked) lost += sent.acked - prefix;
    const expected: Model = new Map([...committed].map(([k, r]) => [k, { ...r }]));
    for (const txn of txns.slice(base, prefix)) for (const s of txn.steps) applyStep(expected, s);
    if (!sameModel(rows, expected)) partial++;
    t.ok(prefix >= sent.acked && prefix <= sent.sent, `kill ${phase + 1}: restart holds ${prefix} txns; ${sent.acked} acknowledged, ${sent.sent} sent`);
    committed = expected;
    base = prefix;
  }
  rpc.close();
  await kill(child);
  t.equal(lost, 0, 'no acknowledged transaction lost');
  t.equal(partial, 0, 'rows equal the model of the committed prefix after every restart');
  t.equal(base, TXNS, `all ${TXNS} transactions committed in the end`);
  t.comment(`file ${statSync(db).size} bytes after ${TXNS} transactions and ${killAt.length} kills`);
  const reread = DatabaseFile.open(db, { readOnly: true });
  const fromFile: Model = new Map();
  for (const row of reread.db.rows('R').values()) {
    fromFile.set(row.columns.get('k')?.keys[0] as number, { v: row.columns.get('v')?.keys[0] as string, tags: [...(row.columns.get('tags')?.keys ?? [])] as string[] });
  }
  reread.file.close();
  t.ok(sameModel(fromFile, committed), 'DatabaseFile reads the same rows from the file');
  if (hasOvsTool) {
    const log = spawnSync('ovsdb-tool', ['show-log', db], { encoding: 'utf8' });
    t.equal(log.status, 0, `ovsdb-tool show-log reads the file: ${log.stderr}`);
  } else t.comment('ovsdb-tool not installed: show-log check skipped');
});
