/**
 * OvsdbServer's batched writes (DatabaseFile.writeDeferred + flush):
 * replies and monitor updates leave only after the flush that wrote their
 * records; pipelined transactions share flushes; a failed flush
 * acknowledges nothing (the connections it held output for close, others
 * stay), later commits get
 * "I/O error" until a compaction rewrites the file, and then the file
 * holds the database again.
 *
 * The file is a real DatabaseFile whose flush and compact are wrapped to
 * count calls and to fail on demand.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseFile } from './database-file.ts';
import { JsonRpcConnection } from './jsonrpc.ts';
import { OvsdbServer } from './server.ts';

const SCHEMA = { name: 'S', version: '1.0.0', tables: { T: { columns: { n: { type: 'integer' } }, isRoot: true } } };
const dir = mkdtempSync(join(tmpdir(), 'ovsdb-server-batch-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

interface Wrapped {
  readonly path: string;
  flushes: number;
  /** While true, flush (once) and compact fail. */
  broken: boolean;
}

async function start(name: string): Promise<{ server: OvsdbServer; w: Wrapped; address: string }> {
  const path = join(dir, `${name}.db`);
  DatabaseFile.create(path, SCHEMA);
  const { file, db } = DatabaseFile.open(path);
  const w: Wrapped = { path, flushes: 0, broken: false };
  const flush = file.flush.bind(file);
  const compact = file.compact.bind(file);
  Object.assign(file, {
    flush: () => {
      w.flushes += 1;
      if (w.broken) {
        // As a failed write leaves it: the queued records are dropped (compact rewrites them from the database).
        Object.assign(file, { flush });
        throw new Error('disk full (test)');
      }
      flush();
    },
    compact: (d: typeof db) => {
      if (w.broken) throw new Error('still full (test)');
      compact(d);
    },
  });
  const server = await OvsdbServer.start({ databases: [{ db, file }], remotes: [`punix:${join(dir, `${name}.sock`)}`] });
  t.teardown(() => server.close());
  return { server, w, address: `unix:${join(dir, `${name}.sock`)}` };
}

const insert = (n: number): unknown => ({ op: 'insert', table: 'T', row: { n } });

t.test('replies and updates wait for the flush; pipelined commits share flushes', async (t) => {
  const { w, address } = await start('batch');
  const watcher = await JsonRpcConnection.connect(address);
  t.teardown(() => watcher.close());
  const flushesAtUpdate: number[] = [];
  watcher.onNotification(() => flushesAtUpdate.push(w.flushes));
  await watcher.request('monitor', ['S', null, { T: {} }]);
  const rpc = await JsonRpcConnection.connect(address);
  t.teardown(() => rpc.close());
  const flushesAtReply: number[] = [];
  const before = w.flushes;
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => rpc.request('transact', ['S', insert(i)]).then(() => flushesAtReply.push(w.flushes))),
  );
  t.equal(flushesAtReply.length, 50);
  t.ok(flushesAtReply.every((f) => f > before), 'no reply before a flush');
  t.ok(w.flushes - before <= 50, `${w.flushes - before} flushes for 50 pipelined transactions`);
  await watcher.request('echo', []); // the updates came before this reply
  t.equal(flushesAtUpdate.length, 50);
  t.ok(flushesAtUpdate.every((f) => f > before), 'no update before a flush');
  const rows = (await rpc.request('transact', ['S', { op: 'select', table: 'T', where: [] }])) as { rows: unknown[] }[];
  t.equal(rows[0]?.rows.length, 50);
});

t.test('a failed flush acknowledges nothing; later commits get "I/O error" until the file is rewritten', async (t) => {
  const { server, w, address } = await start('fail');
  const rpc = await JsonRpcConnection.connect(address);
  const idle = await JsonRpcConnection.connect(address);
  t.teardown(() => idle.close());
  w.broken = true;
  await t.rejects(rpc.request('transact', ['S', insert(1)]), /connection closed/);
  t.same(await idle.request('list_dbs', []), ['S', '_Server'], 'a client that was sent nothing in that tick stays connected');
  const again = await JsonRpcConnection.connect(address);
  t.teardown(() => again.close());
  const r = (await again.request('transact', ['S', insert(2)])) as { error?: string; details?: string }[];
  t.match(r[1], { error: 'I/O error', details: 'still full (test)' });
  t.same(await again.request('list_dbs', []), ['S', '_Server'], 'the server still answers');
  w.broken = false;
  const ok = (await again.request('transact', ['S', insert(3)])) as { uuid?: unknown }[];
  t.ok(ok[0]?.uuid, 'commits again once the file is rewritten');
  await server.close();
  const reopened = DatabaseFile.open(w.path);
  t.same([...reopened.db.rows('T').values()].map((row) => row.columns.get('n')?.keys[0]).sort(), [1, 3], 'the unacknowledged row is kept, the refused one is not');
  reopened.file.close();
});
