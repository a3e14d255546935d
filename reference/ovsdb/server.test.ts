/**
 * OvsdbServer end to end over unix sockets with JsonRpcConnection clients:
 * the methods and their errors, a client's own update before its reply,
 * blocked waits released by another client's commit or by their timeout,
 * cancel, locks passing on, monitor_cond_change/cancel, and commits that
 * reach the database file. TCP listens on loopback by default.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from './database.ts';
import { DatabaseFile } from './database-file.ts';
import { JsonRpcConnection, JsonRpcError } from './jsonrpc.ts';
import { databaseSchemaToJson, parseDatabaseSchema } from './schema.ts';
import { OvsdbServer } from './server.ts';

const SCHEMA = {
  name: 'S',
  version: '1.0.0',
  tables: { T: { columns: { name: { type: 'string' }, n: { type: 'integer' } }, isRoot: true } },
};
const dir = mkdtempSync(join(tmpdir(), 'ovsdb-server-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface Client {
  rpc: JsonRpcConnection;
  /** Everything received, replies and notifications, in order. */
  log: unknown[];
  call(method: string, params: unknown[]): Promise<unknown>;
}

async function client(address: string): Promise<Client> {
  const rpc = await JsonRpcConnection.connect(address.replace(/^punix:/, 'unix:'));
  const log: unknown[] = [];
  rpc.onNotification((method, params) => log.push({ method, params }));
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    try {
      const r = await rpc.request(method, params);
      log.push({ reply: method, result: r });
      return r;
    } catch (e) {
      const err = e instanceof JsonRpcError ? { error: e.error } : { closed: String(e) };
      log.push({ reply: method, ...err });
      return err;
    }
  };
  t.teardown(() => rpc.close());
  return { rpc, log, call };
}

async function serve(file?: DatabaseFile, db = new Database(parseDatabaseSchema(SCHEMA))): Promise<{ server: OvsdbServer; db: Database }> {
  const server = await OvsdbServer.start({ databases: [file ? { db, file } : { db }], remotes: [`punix:${join(dir, `s${n++}.sock`)}`] });
  t.teardown(() => server.close());
  return { server, db };
}

const addr = (s: OvsdbServer): string => s.addresses[0] ?? '';
const insert = (name: string, extra: Record<string, unknown> = {}): unknown => ({ op: 'insert', table: 'T', row: { name, ...extra } });
const until = async (pred: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
};

t.test('list_dbs, get_schema, get_server_id, unknown things', async (t) => {
  const { server } = await serve();
  const c = await client(addr(server));
  t.same(await c.call('list_dbs', []), ['S', '_Server']);
  t.same(await c.call('get_schema', ['S']), databaseSchemaToJson(parseDatabaseSchema(SCHEMA)));
  t.same(await c.call('get_schema', ['nope']), {
    error: { error: 'unknown database', details: 'get_schema request specifies unknown database nope', syntax: '["nope"]' },
  });
  t.same(await c.call('transact', [1]), { error: { error: 'syntax error', details: 'transact request params must begin with <db-name>', syntax: '[1]' } });
  t.same(await c.call('frobnicate', []), { error: 'unknown method' });
  t.same(await c.call('cancel', [1]), { error: 'unknown method' }, 'cancel is a notification');
  t.equal(await c.call('get_server_id', []), server.serverId);
  t.same(await c.call('set_db_change_aware', ['yes']), {
    error: { error: 'syntax error', details: 'set_db_change_aware: true or false parameter expected', syntax: '["yes"]' },
  });
  t.same(await c.call('echo', ['x']), ['x']);
  const sel = (await c.call('transact', ['_Server', { op: 'select', table: 'Database', where: [], columns: ['name', 'model', 'connected'] }])) as { rows: unknown[] }[];
  t.same(new Set(sel[0]?.rows.map((r) => JSON.stringify(r))), new Set(['{"name":"S","model":"standalone","connected":true}', '{"name":"_Server","model":"standalone","connected":true}']));
});

t.test("a client's own update comes before its reply; other clients hear too", async (t) => {
  const { server } = await serve();
  const a = await client(addr(server));
  const b = await client(addr(server));
  t.same(await a.call('monitor_cond', ['S', 'c', { T: [{ columns: ['name'] }] }]), {});
  t.same(await b.call('monitor', ['S', ['m', 1], { T: { columns: ['name', 'n'] } }]), {});
  const [r] = (await a.call('transact', ['S', insert('x')])) as { uuid: [string, string] }[];
  const uuid = r?.uuid[1] ?? '';
  t.same(a.log.slice(-2), [{ method: 'update2', params: ['c', { T: { [uuid]: { insert: { name: 'x' } } } }] }, { reply: 'transact', result: [{ uuid: ['uuid', uuid] }] }]);
  await until(() => b.log.length > 1);
  t.same(b.log[1], { method: 'update', params: [['m', 1], { T: { [uuid]: { new: { name: 'x', n: 0 } } } }] });
  t.same(await a.call('monitor_cond', ['S', 'c', {}]), { error: { error: 'syntax error', details: 'duplicate monitor ID', syntax: '"c"' } });
  t.same(await a.call('monitor_cond_change', ['c', 'd', { T: [{ where: [['name', '==', 'y']] }] }]), {});
  t.same(a.log.at(-2), { method: 'update2', params: ['d', { T: { [uuid]: { delete: null } } }] });
  t.same(await a.call('monitor_cancel', ['c']), { error: 'unknown monitor' });
  t.same(await a.call('monitor_cancel', ['d']), {});
  const since = await a.call('monitor_cond_since', ['S', 's', { T: [{ columns: ['name'] }] }, '00000000-0000-0000-0000-000000000000']);
  t.same(since, [false, '00000000-0000-0000-0000-000000000000', { T: { [uuid]: { initial: { name: 'x' } } } }]);
  await a.call('transact', ['S', { op: 'update', table: 'T', where: [], row: { name: 'z' } }]);
  t.same(a.log.at(-2), { method: 'update3', params: ['s', '00000000-0000-0000-0000-000000000000', { T: { [uuid]: { modify: { name: 'z' } } } }] });
});

t.test('a blocked wait runs again after a commit, and times out', async (t) => {
  const { server } = await serve();
  const a = await client(addr(server));
  const b = await client(addr(server));
  const wait = { op: 'wait', table: 'T', timeout: 60000, where: [['name', '==', 'go']], columns: ['name'], until: '==', rows: [{ name: 'go' }] };
  const blocked = b.call('transact', ['S', wait, { op: 'select', table: 'T', where: [], columns: ['name'] }]);
  await a.call('transact', ['S', insert('not yet')]);
  await a.call('transact', ['S', insert('go')]);
  t.same(((await blocked) as unknown[])[0], {});
  const short = { ...wait, timeout: 10, where: [['name', '==', 'never']], rows: [{ name: 'never' }] };
  const r = (await b.call('transact', ['S', short])) as { error: string; details: string }[];
  t.equal(r[0]?.error, 'timed out');
  t.same(await b.call('transact', ['_Server', { op: 'comment', comment: 'x' }]), [{}]);
});

t.test('a wait without a timeout, or with one beyond 2^31 ms, sleeps until a commit', async (t) => {
  const { server } = await serve();
  const a = await client(addr(server));
  const warnings: string[] = [];
  const onWarning = (w: Error): number => warnings.push(w.name);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const wait = { op: 'wait', table: 'T', where: [], columns: ['name'], until: '!=', rows: [] };
  const forever = a.call('transact', ['S', wait]);
  const long = a.call('transact', ['S', { ...wait, timeout: 2 ** 40 }]);
  const cpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 200));
  t.ok(process.cpuUsage(cpu).user < 100_000, 'no busy re-running while blocked');
  await a.call('transact', ['S', insert('x')]);
  t.same([await forever, await long], [[{}], [{}]]);
  t.same(warnings, [], 'no TimeoutOverflowWarning');
});

t.test('cancel: silent unless db-change-aware, then "canceled"', async (t) => {
  const { server } = await serve();
  const b = await client(addr(server));
  const wait = { op: 'wait', table: 'T', timeout: 60000, where: [], columns: ['name'], until: '!=', rows: [] };
  const pending = b.rpc.request('transact', ['S', wait]);
  pending.catch(() => undefined);
  b.rpc.notify('cancel', [0]);
  t.same(await b.call('echo', []), [], 'no reply to the cancelled request');
  t.same(await b.call('set_db_change_aware', [true]), {});
  const aware = b.call('transact', ['S', wait]);
  b.rpc.notify('cancel', [3]);
  t.same(await aware, { error: 'canceled' });
  b.rpc.close();
  await pending.catch(() => undefined);
});

t.test('locks: lock, steal, unlock, and a closed session passes its lock on', async (t) => {
  const { server } = await serve();
  const a = await client(addr(server));
  const b = await client(addr(server));
  const assertL = ['S', { op: 'assert', lock: 'L' }];
  t.same(await a.call('lock', ['L']), { locked: true });
  t.same(await a.call('transact', assertL), [{}]);
  t.same(await b.call('lock', ['L']), { locked: false });
  t.same(await b.call('lock', ['L']), { error: { error: 'syntax error', details: 'must issue "unlock" before new "lock"', syntax: '["L"]' } });
  t.same(await b.call('transact', assertL), [{ error: 'not owner', details: 'Asserted lock L not held.' }]);
  t.same(await b.call('unlock', ['L']), {});
  t.same(await b.call('steal', ['L']), { locked: true });
  await until(() => a.log.length > 3);
  // As ovsdb-server does, a waiter leaving tells the owner "locked" again, though it owned the lock already.
  t.same(a.log.slice(2, 4), [{ method: 'locked', params: ['L'] }, { method: 'stolen', params: ['L'] }]);
  t.same(await a.call('unlock', ['M']), { error: { error: 'syntax error', details: 'unlock: "unlock" without "lock" or "steal"', syntax: '["M"]' } });
  t.same(await a.call('lock', [5]), { error: { error: 'syntax error', details: 'lock request params must be <id>', syntax: '[5]' } });
  b.rpc.close();
  await until(() => a.log.filter((m) => JSON.stringify(m) === '{"method":"locked","params":["L"]}').length === 2);
  t.same(await a.call('transact', assertL), [{}], 'a holds L again once b is gone');
});

t.test('commits reach the database file; an aborted one does not', async (t) => {
  const path = join(dir, 'file.db');
  DatabaseFile.create(path, SCHEMA);
  const opened = DatabaseFile.open(path);
  const { server } = await serve(opened.file, opened.db);
  const a = await client(addr(server));
  await a.call('transact', ['S', insert('kept', { n: 7 }), { op: 'commit', durable: true }]);
  const aborted = (await a.call('transact', ['S', insert('dropped'), { op: 'abort' }])) as { error?: string }[];
  t.equal(aborted[1]?.error, 'aborted');
  await server.close();
  const again = DatabaseFile.open(path);
  t.same([...again.db.rows('T').values()].map((r) => [r.columns.get('name')?.keys[0], r.columns.get('n')?.keys[0]]), [['kept', 7]]);
  again.file.close();
});

t.test('ptcp binds loopback by default and reports the port', async (t) => {
  const server = await OvsdbServer.start({ databases: [{ db: new Database(parseDatabaseSchema(SCHEMA)) }], remotes: ['ptcp:0'] });
  t.teardown(() => server.close());
  t.match(addr(server), /^ptcp:\d+:127\.0\.0\.1$/);
  const port = addr(server).split(':')[1];
  const c = await client(`tcp:127.0.0.1:${port}`);
  t.same(await c.call('list_dbs', []), ['S', '_Server']);
  await t.rejects(OvsdbServer.start({ databases: [], remotes: ['pssl:1'] }), /unsupported remote/);
});
