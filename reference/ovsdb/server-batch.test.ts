/**
 * OvsdbServer with a database file that defers writes (writeDeferred +
 * flush): replies and monitor updates leave only after the flush that
 * wrote their records; a batch of pipelined transactions is flushed
 * together; a failed flush acknowledges nothing (those connections close)
 * and the database refuses later commits with "I/O error".
 *
 * The deferring file is a real DatabaseFile with the two methods added
 * here (records kept in memory until flush() writes them with write()),
 * so this tests the server's side of the contract whatever the file does.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TxnChanges } from './ovsdb-types.ts';
import { DatabaseFile } from './database-file.ts';
import { JsonRpcConnection } from './jsonrpc.ts';
import { OvsdbServer } from './server.ts';

const SCHEMA = { name: 'S', version: '1.0.0', tables: { T: { columns: { n: { type: 'integer' } }, isRoot: true } } };
const dir = mkdtempSync(join(tmpdir(), 'ovsdb-server-batch-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

type WriteOpts = { durable: boolean; comment?: string; dateMs: number };
interface Deferring {
  readonly file: DatabaseFile;
  flushes: number;
  failNext: boolean;
}

async function start(name: string): Promise<{ server: OvsdbServer; d: Deferring; address: string }> {
  const path = join(dir, `${name}.db`);
  DatabaseFile.create(path, SCHEMA);
  const { file, db } = DatabaseFile.open(path);
  const d: Deferring = { file, flushes: 0, failNext: false };
  const pending: [TxnChanges, WriteOpts][] = [];
  Object.assign(file, {
    writeDeferred: (changes: TxnChanges, opts: WriteOpts) => pending.push([changes, opts]),
    flush: () => {
      d.flushes += 1;
      if (d.failNext) {
        d.failNext = false;
        pending.length = 0;
        throw new Error('disk full (test)');
      }
      for (const [c, o] of pending.splice(0)) file.write(c, o);
    },
  });
  const server = await OvsdbServer.start({ databases: [{ db, file }], remotes: [`punix:${join(dir, `${name}.sock`)}`] });
  t.teardown(() => server.close());
  return { server, d, address: `unix:${join(dir, `${name}.sock`)}` };
}

const insert = (n: number): unknown => ({ op: 'insert', table: 'T', row: { n } });

t.test('replies and updates wait for the flush; pipelined commits share flushes', async (t) => {
  const { d, address } = await start('batch');
  const watcher = await JsonRpcConnection.connect(address);
  t.teardown(() => watcher.close());
  const flushesAtUpdate: number[] = [];
  watcher.onNotification(() => flushesAtUpdate.push(d.flushes));
  await watcher.request('monitor', ['S', null, { T: {} }]);
  const rpc = await JsonRpcConnection.connect(address);
  t.teardown(() => rpc.close());
  const flushesAtReply: number[] = [];
  const before = d.flushes;
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => rpc.request('transact', ['S', insert(i)]).then(() => flushesAtReply.push(d.flushes))),
  );
  t.equal(flushesAtReply.length, 50);
  t.ok(flushesAtReply.every((f) => f > before), 'no reply before a flush');
  t.ok(d.flushes - before <= 50, `${d.flushes - before} flushes for 50 pipelined transactions`);
  await watcher.request('echo', []); // the updates came before this reply
  t.equal(flushesAtUpdate.length, 50);
  t.ok(flushesAtUpdate.every((f) => f > before), 'no update before a flush');
  const rows = (await rpc.request('transact', ['S', { op: 'select', table: 'T', where: [] }])) as { rows: unknown[] }[];
  t.equal(rows[0]?.rows.length, 50);
});

t.test('a failed flush acknowledges nothing; later commits get "I/O error"', async (t) => {
  const { d, address } = await start('fail');
  const rpc = await JsonRpcConnection.connect(address);
  d.failNext = true;
  await t.rejects(rpc.request('transact', ['S', insert(1)]), /connection closed/);
  const again = await JsonRpcConnection.connect(address);
  t.teardown(() => again.close());
  const r = (await again.request('transact', ['S', insert(2)])) as { error?: string; details?: string }[];
  t.match(r[1], { error: 'I/O error', details: 'disk full (test)' });
  t.same(await again.request('list_dbs', []), ['S', '_Server'], 'the server still answers');
});
