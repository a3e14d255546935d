/**
 * Fuzzing the OVSDB server over JSON-RPC: FuzzMessages (seeded) over a few
 * parallel raw connections — rounds of requests answered by the server,
 * each round ended by an echo marker, then now and then a message that
 * must end the connection (malformed JSON, wrong shapes, nesting over
 * 1000, garbage bytes, oversized), after which the client reconnects.
 *
 * Checked: the server never throws (it runs in this process; an uncaught
 * error fails the test) nor logs an internal error or process warning, every round's marker is answered, every closer
 * does close the connection, an oversized message first gets a
 * "resources exhausted" error reply, a well-behaved witness client (its
 * own monitor, transactions) keeps working throughout, and the heap after
 * the run (after GC) is within a bound of the heap before it.
 *
 * OVSDB_FUZZ_MESSAGES sets the message count (default 8,000 to keep the
 * suite fast; `npm run fuzz:ovsdb` runs 100,000) and OVSDB_FUZZ_SEED the seed.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Database } from './database.ts';
import { FuzzMessages, type FuzzMessage } from './fuzz-messages.ts';
import { JsonRpcConnection } from './jsonrpc.ts';
import { JsonStreamSplitter } from './json-stream.ts';
import { parseDatabaseSchema } from './schema.ts';
import { OvsdbServer } from './server.ts';

const TOTAL = Number(process.env['OVSDB_FUZZ_MESSAGES'] ?? 8000);
const SEED = Number(process.env['OVSDB_FUZZ_SEED'] ?? 5);
const MAX_BYTES = 64 * 1024;
const CONNECTIONS = 4;
const ROUND = 40;
const HEAP_SLACK_BYTES = 48 * 1024 * 1024;

const schema = parseDatabaseSchema({
  name: 'F',
  version: '1.0.0',
  tables: {
    T: {
      maxRows: 50,
      columns: {
        name: { type: 'string' },
        n: { type: 'integer' },
        s: { type: { key: 'string', min: 0, max: 'unlimited' } },
        m: { type: { key: 'string', value: 'integer', min: 0, max: 'unlimited' } },
        r: { type: { key: { type: 'uuid', refTable: 'T', refType: 'weak' }, min: 0, max: 'unlimited' } },
      },
    },
  },
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A raw client: sends bytes as they are, reads replies as JSON values. */
class RawClient {
  private readonly socket: Socket;
  private readonly splitter = new JsonStreamSplitter(1 << 26);
  private readonly waiting = new Map<string, (v: Record<string, unknown>) => void>();
  readonly closed: Promise<void>;
  sawResourcesExhausted = false;

  constructor(path: string) {
    this.socket = connect(path);
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((r) => this.socket.on('close', () => r()));
  }

  private onData(chunk: Buffer): void {
    const r = this.splitter.push(chunk);
    for (const text of r.values) {
      const msg = JSON.parse(text) as Record<string, unknown>;
      if (JSON.stringify(msg['error'] ?? null).includes('resources exhausted')) this.sawResourcesExhausted = true;
      const w = this.waiting.get(JSON.stringify(msg['id']));
      if (w) w(msg);
    }
  }

  send(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Waits for the reply with this id; rejects if the connection closes first. */
  reply(id: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.waiting.set(JSON.stringify(id), resolve);
      void this.closed.then(() => reject(new Error(`connection closed before the reply to ${JSON.stringify(id)}`)));
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface Tally {
  sent: number;
  closers: number;
  oversized: number;
  rounds: number;
}

async function fuzzConnection(path: string, gen: FuzzMessages, quota: number, tally: Tally, lane: number): Promise<void> {
  let sent = 0;
  let marker = 0;
  let c = new RawClient(path);
  while (sent < quota) {
    let m: FuzzMessage = gen.next();
    const batch: FuzzMessage[] = [];
    while (batch.length < ROUND && (m.kind === 'answered' || m.kind === 'silent') && sent + batch.length < quota) {
      batch.push(m);
      m = gen.next();
    }
    for (const b of batch) c.send(b.text);
    const id = `marker-${lane}-${marker++}`;
    c.send(JSON.stringify({ method: 'echo', params: [id], id }));
    const reply = await c.reply(id);
    if (JSON.stringify(reply['result']) !== JSON.stringify([id])) throw new Error(`bad marker reply ${JSON.stringify(reply)}`);
    sent += batch.length + 1;
    tally.rounds++;
    if (m.kind === 'closer' || m.kind === 'oversized') {
      c.send(m.text);
      sent++;
      const what = String(m.text).slice(0, 80);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([c.closed, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`server kept the connection after ${what}`)), 10_000)))]);
      clearTimeout(timer);
      if (m.kind === 'oversized') {
        tally.oversized++;
        if (!c.sawResourcesExhausted) throw new Error('oversized message closed the connection without the error reply');
      } else tally.closers++;
      c = new RawClient(path);
    }
  }
  tally.sent += sent;
  c.destroy();
}

t.test(`${TOTAL} fuzzed JSON-RPC messages over ${CONNECTIONS} connections`, { timeout: 60_000 + TOTAL * 5 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovsdb-fuzz-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const internalErrors: string[] = [];
  const log = (level: string, message: string): void => {
    if (level === 'err') internalErrors.push(message);
  };
  const server = await OvsdbServer.start({ databases: [{ db: new Database(schema) }], remotes: [`punix:${join(dir, 'db.sock')}`], maxMessageBytes: MAX_BYTES, log });
  t.teardown(() => server.close());
  const path = join(dir, 'db.sock');

  const witness = await JsonRpcConnection.connect(`unix:${path}`);
  let updates = 0;
  witness.onNotification(() => updates++);
  await witness.request('monitor_cond', ['F', 'w', { T: [{ columns: ['name'], where: [['name', '==', 'witness']] }] }]);
  const witnessOnce = async (i: number): Promise<void> => {
    const ins = (await witness.request('transact', ['F', { op: 'insert', table: 'T', row: { name: 'witness', n: i } }])) as { uuid?: [string, string] }[];
    const uuid = ins[0]?.uuid?.[1];
    if (uuid === undefined) throw new Error(`witness insert failed: ${JSON.stringify(ins)}`);
    const del = (await witness.request('transact', ['F', { op: 'delete', table: 'T', where: [['_uuid', '==', ['uuid', uuid]]] }])) as unknown[];
    if (JSON.stringify(del[0]) !== '{"count":1}') throw new Error(`witness delete failed: ${JSON.stringify(del)}`);
  };
  await witnessOnce(-1);

  const warnings: string[] = [];
  const onWarning = (w: Error): number => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const before = heapAfterGc();
  const started = Date.now();
  const tally: Tally = { sent: 0, closers: 0, oversized: 0, rounds: 0 };
  let witnessRuns = 0;
  let fuzzing = true;
  const witnessLoop = (async () => {
    while (fuzzing) {
      await witnessOnce(witnessRuns++);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const per = Math.ceil(TOTAL / CONNECTIONS);
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => fuzzConnection(path, new FuzzMessages(SEED * 1000 + i, MAX_BYTES, 'F'), per, tally, i)));
  fuzzing = false;
  await witnessLoop;
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  const after = heapAfterGc();

  t.ok(tally.sent >= TOTAL, `sent ${tally.sent} messages (${tally.closers} closers, ${tally.oversized} oversized, ${tally.rounds} rounds) in ${seconds.toFixed(1)} s`);
  t.ok(tally.closers > 0 && tally.oversized > 0, 'every kind of closer was tried');
  t.ok(witnessRuns > 0 && updates === 2 * witnessRuns + 2, `witness: ${witnessRuns} transactions, ${updates} updates, never failed`);
  t.same(await witness.request('list_dbs', []), ['F', '_Server'], 'the server still answers');
  t.same(internalErrors.slice(0, 3), [], 'no request hit an internal error (engine or server bug)');
  t.same(warnings.slice(0, 3), [], 'no process warnings (e.g. timer overflow from a wait without timeout)');
  t.ok(after - before < HEAP_SLACK_BYTES, `heap ${(before / 2 ** 20).toFixed(1)} MiB before, ${(after / 2 ** 20).toFixed(1)} MiB after`);
  witness.close();
});
