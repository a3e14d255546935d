/**
 * DatabaseFile against itself (torn tails, compaction, the lock) and against
 * real Open vSwitch 3.1 (files written by ovsdb-tool/ovsdb-server open here
 * with the same rows; files written here pass `ovsdb-tool show-log -m`, give
 * the same rows to `ovsdb-tool query`, and are served by ovsdb-server).
 * The Open vSwitch parts skip visibly when its tools or schema are absent.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from './database.ts';
import type { DatabaseSchema, Datum, Row, RowChange, TxnChanges } from './ovsdb-types.ts';
import { DatabaseFile } from './database-file.ts';
import { datumToJson, defaultDatum } from './datum.ts';
import { VSWITCH_SCHEMA_PATH } from './schema.ts';
import { randomUuid } from './uuid.ts';

const dir = mkdtempSync(join(tmpdir(), 'refswitch-dbfile-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const ovsMissing =
  spawnSync('ovsdb-tool', ['--version']).status !== 0
    ? 'Open vSwitch (ovsdb-tool) is not installed'
    : !existsSync(VSWITCH_SCHEMA_PATH)
      ? `${VSWITCH_SCHEMA_PATH} is not installed`
      : false;

const SMALL_SCHEMA = {
  name: 'S',
  version: '1.2.3',
  tables: {
    R: {
      columns: {
        name: { type: 'string' },
        n: { type: 'integer' },
        tags: { type: { key: 'string', min: 0, max: 'unlimited' } },
        m: { type: { key: 'string', value: 'integer', min: 0, max: 'unlimited' } },
        kids: { type: { key: { type: 'uuid', refTable: 'K' }, min: 0, max: 'unlimited' } },
        eph: { type: 'integer', ephemeral: true },
      },
      isRoot: true,
    },
    K: { columns: { name: { type: 'string' }, x: { type: { key: 'real', min: 0, max: 1 } } } },
  },
};

/** Every row of `db` as a select reply row without _version, keyed "table/uuid". */
function dumpRows(db: Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const table of db.schema.tables.values()) {
    for (const row of db.rows(table.name).values()) {
      const cols: Record<string, unknown> = { _uuid: ['uuid', row.uuid] };
      for (const col of table.columns.values()) {
        if (col.name === '_uuid' || col.name === '_version') continue;
        cols[col.name] = datumToJson(col.type, row.columns.get(col.name) ?? defaultDatum(col.type));
      }
      out[`${table.name}/${row.uuid}`] = cols;
    }
  }
  return out;
}

/** The same dump through real `ovsdb-tool query` (ephemeral columns as stored: defaults). */
function ovsQueryRows(path: string, schema: DatabaseSchema): Record<string, unknown> {
  const ops = [...schema.tables.keys()].map((table) => ({ op: 'select', table, where: [] }));
  const reply = JSON.parse(execFileSync('ovsdb-tool', ['query', path, JSON.stringify([schema.name, ...ops])], { encoding: 'utf8' })) as { rows: Record<string, unknown>[] }[];
  const out: Record<string, unknown> = {};
  [...schema.tables.keys()].forEach((table, i) => {
    for (const row of reply[i]?.rows ?? []) {
      delete row['_version'];
      out[`${table}/${(row['_uuid'] as string[])[1]}`] = row;
    }
  });
  return out;
}

/** The same dump from a real ovsdb-server serving the file (selects through ovsdb-client transact). */
function ovsServedRows(path: string, schema: DatabaseSchema): Record<string, unknown> {
  const sock = `${path}.sock`;
  const pidfile = `${path}.pid`;
  execFileSync('ovsdb-server', [path, `--remote=punix:${sock}`, `--unixctl=${path}.ctl`, `--pidfile=${pidfile}`, '-vconsole:off', '--detach', '--no-chdir']);
  const pid = Number(readFileSync(pidfile, 'utf8'));
  try {
    const ops = [...schema.tables.keys()].map((table) => ({ op: 'select', table, where: [] }));
    const reply = JSON.parse(execFileSync('ovsdb-client', ['transact', `unix:${sock}`, JSON.stringify([schema.name, ...ops])], { encoding: 'utf8' })) as { rows: Record<string, unknown>[] }[];
    const out: Record<string, unknown> = {};
    [...schema.tables.keys()].forEach((table, i) => {
      for (const row of reply[i]?.rows ?? []) {
        delete row['_version'];
        out[`${table}/${(row['_uuid'] as string[])[1]}`] = row;
      }
    });
    return out;
  } finally {
    stopAndWait(pid);
  }
}

/** SIGTERM `pid` and wait (up to 10 s) until it is gone, so its lock is released. */
function stopAndWait(pid: number): void {
  process.kill(pid, 'SIGTERM');
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 1000; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    Atomics.wait(sleeper, 0, 0, 10);
  }
}

function withoutEphemeral(rows: Record<string, unknown>, db: Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, row] of Object.entries(rows)) {
    const table = db.schema.tables.get(key.split('/')[0] ?? '');
    const copy = { ...(row as Record<string, unknown>) };
    for (const col of table?.columns.values() ?? []) if (col.ephemeral && !col.name.startsWith('_')) copy[col.name] = datumToJson(col.type, defaultDatum(col.type));
    out[key] = copy;
  }
  return out;
}

/** A row of `table` with the given columns and defaults elsewhere. */
function makeRow(db: Database, table: string, uuid: string, cols: Record<string, Datum>): Row {
  const ts = db.schema.tables.get(table);
  if (!ts) throw new Error(`no table ${table}`);
  const columns = new Map<string, Datum>();
  for (const c of ts.columns.values()) if (c.name !== '_uuid' && c.name !== '_version') columns.set(c.name, cols[c.name] ?? defaultDatum(c.type));
  return { uuid, version: randomUuid(), columns };
}

function change(entries: [string, string, RowChange][]): TxnChanges {
  const out = new Map<string, Map<string, RowChange>>();
  for (const [table, uuid, c] of entries) {
    const m = out.get(table) ?? new Map<string, RowChange>();
    m.set(uuid, c);
    out.set(table, m);
  }
  return out;
}

/** Commits `c` to both the file and the in-memory database. */
function commit(file: DatabaseFile, db: Database, c: TxnChanges, comment?: string): void {
  file.write(c, { durable: false, dateMs: 1_700_000_000_000, ...(comment !== undefined ? { comment } : {}) });
  db.apply(c);
}

const S = (...k: (string | number)[]): Datum => ({ keys: [...k].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) });
const M = (p: [string, number][]): Datum => ({ keys: p.map((x) => x[0]), values: p.map((x) => x[1]) });

/** Writes a few transactions of every kind to a new small-schema file; returns the open file and db. */
function writeSample(path: string): { file: DatabaseFile; db: Database; uuids: string[] } {
  DatabaseFile.create(path, SMALL_SCHEMA);
  const { file, db } = DatabaseFile.open(path);
  const [r1, r2, k1, k2] = [randomUuid(), randomUuid(), randomUuid(), randomUuid()] as [string, string, string, string];
  const row = (tbl: string, u: string, cols: Record<string, Datum>): Row => makeRow(db, tbl, u, cols);
  commit(file, db, change([
    ['K', k1, { old: null, new: row('K', k1, { name: S('k1'), x: S(0.5) }) }],
    ['R', r1, { old: null, new: row('R', r1, { name: S('r1'), n: S(3), tags: S('a', 'b'), m: M([['x', 1]]), kids: S(k1), eph: S(7) }) }],
  ]), 'first "quoted"\ncomment');
  const cur = (tbl: string, u: string): Row => db.row(tbl, u) as Row;
  commit(file, db, change([
    ['K', k2, { old: null, new: row('K', k2, { name: S('k2') }) }],
    ['R', r1, { old: cur('R', r1), new: row('R', r1, { name: S('r1'), n: S(4), tags: S('b', 'c'), m: M([['x', 2], ['y', 3]]), kids: S(k1, k2), eph: S(8) }) }],
  ]));
  commit(file, db, change([['R', r2, { old: null, new: row('R', r2, { name: S('r2') }) }]]));
  commit(file, db, change([
    ['R', r1, { old: cur('R', r1), new: row('R', r1, { name: S('r1'), n: S(4), tags: S('c'), m: M([['y', 3]]), kids: S(k2) }) }],
    ['K', k1, { old: cur('K', k1), new: null }],
  ]));
  return { file, db, uuids: [r1, r2, k1, k2] };
}

t.test('create refuses an existing file and bad schemas', async (t) => {
  const path = join(dir, 'c.db');
  DatabaseFile.create(path, SMALL_SCHEMA);
  t.throws(() => DatabaseFile.create(path, SMALL_SCHEMA), /c\.db: create failed \(.*EEXIST/);
  t.throws(() => DatabaseFile.create(join(dir, 'bad.db'), { name: 'x' }), /bad\.db: invalid schema/);
  t.notOk(existsSync(join(dir, 'bad.db')));
});

t.test('written transactions replay to the same rows; the lock keeps a second opener out', async (t) => {
  const path = join(dir, 'w.db');
  const { file, db } = writeSample(path);
  t.throws(() => DatabaseFile.open(path), /failed to lock lockfile/);
  const ro = DatabaseFile.open(path, { readOnly: true });
  t.same(dumpRows(ro.db), withoutEphemeral(dumpRows(db), db), 'read-only open while locked');
  ro.file.close();
  file.close();
  const again = DatabaseFile.open(path);
  t.same(dumpRows(again.db), withoutEphemeral(dumpRows(db), db));
  t.equal(again.truncatedBytes, 0);
  again.file.close();
});

t.test('writeDeferred queues records; flush writes them at once; close flushes', async (t) => {
  const path = join(dir, 'deferred.db');
  DatabaseFile.create(path, SMALL_SCHEMA);
  const { file, db } = DatabaseFile.open(path);
  const size0 = statSync(path).size;
  const uuids = [randomUuid(), randomUuid(), randomUuid()];
  for (const [i, u] of uuids.entries()) {
    const c = change([['R', u, { old: null, new: makeRow(db, 'R', u, { name: S(`r${i}`), tags: S('a') }) }]]);
    t.equal(file.writeDeferred(c, { durable: i === 1, dateMs: 1 }), true);
    db.apply(c);
  }
  const r0 = db.row('R', uuids[0] as string) as Row;
  t.equal(file.writeDeferred(change([['R', r0.uuid, { old: r0, new: { ...r0, columns: new Map([...r0.columns, ['eph', S(5)]]) } }]]), { durable: false, dateMs: 2 }), false, 'an ephemeral-only change queues nothing');
  t.ok(file.hasPending);
  t.equal(statSync(path).size, size0, 'nothing in the file before flush');
  file.flush();
  t.notOk(file.hasPending);
  t.equal(DatabaseFile.open(path, { readOnly: true }).db.rows('R').size, 3, 'all three after flush');
  const u4 = randomUuid();
  const c4 = change([['R', u4, { old: null, new: makeRow(db, 'R', u4, { name: S('r4') }) }]]);
  file.writeDeferred(c4, { durable: false, dateMs: 3 });
  db.apply(c4);
  file.close();
  const again = DatabaseFile.open(path);
  t.same(dumpRows(again.db), withoutEphemeral(dumpRows(db), db), 'close flushed the last one');
  again.file.close();
});

t.test('a torn last record, cut at every byte offset, is dropped and truncated on open', async (t) => {
  const path = join(dir, 'torn.db');
  writeSample(path).file.close();
  const full = readFileSync(path);
  const before = DatabaseFile.open(path, { readOnly: true });
  const expected = dumpRows(before.db);
  before.file.close();
  // The file without its last record: replay everything but the last line pair.
  const lines = full.toString('latin1').split('\n');
  const lastStart = full.length - Buffer.byteLength(lines.slice(-3).join('\n'), 'latin1');
  const prefixPath = join(dir, 'prefix.db');
  writeFileSync(prefixPath, full.subarray(0, lastStart));
  const prefix = DatabaseFile.open(prefixPath, { readOnly: true });
  const expectedWithout = dumpRows(prefix.db);
  prefix.file.close();
  t.not(JSON.stringify(expectedWithout), JSON.stringify(expected));
  let wrong = 0;
  for (let cut = lastStart; cut < full.length; cut++) {
    writeFileSync(path, full.subarray(0, cut));
    const o = DatabaseFile.open(path);
    if (JSON.stringify(dumpRows(o.db)) !== JSON.stringify(expectedWithout) || o.truncatedBytes !== cut - lastStart || statSync(path).size !== lastStart) wrong++;
    o.file.close();
  }
  t.equal(wrong, 0, `all ${full.length - lastStart} cuts open without the last record, file truncated`);
});

t.test('compaction rewrites the file as schema + snapshot; later writes append', async (t) => {
  const path = join(dir, 'compact.db');
  const { file, db, uuids } = writeSample(path);
  const sizeBefore = statSync(path).size;
  file.compact(db);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  t.equal(lines.length, 4, 'two records');
  t.match(JSON.parse(lines[3] ?? '{}'), { _comment: 'compacting database online', _is_diff: true });
  t.ok(statSync(path).size < sizeBefore);
  const r2 = uuids[1] as string;
  commit(file, db, change([['R', r2, { old: db.row('R', r2) ?? null, new: null }]]));
  file.close();
  const o = DatabaseFile.open(path);
  t.same(dumpRows(o.db), withoutEphemeral(dumpRows(db), db));
  t.notOk(o.file.shouldCompact(), 'a fresh file does not ask to be compacted');
  o.file.close();
});

t.test('files written here read the same in Open vSwitch', { skip: ovsMissing }, async (t) => {
  const path = join(dir, 'ours.db');
  const { file, db } = writeSample(path);
  file.close();
  const log = spawnSync('ovsdb-tool', ['-mm', 'show-log', path], { encoding: 'utf8' });
  t.equal(log.status, 0, `ovsdb-tool show-log -mm accepts it: ${log.stderr}`);
  t.match(log.stdout, /record 1: 2023-11-14 22:13:20\.000 "first \\?"quoted/);
  t.same(ovsQueryRows(path, db.schema), withoutEphemeral(dumpRows(db), db), 'ovsdb-tool query gives the same rows');
  t.same(ovsServedRows(path, db.schema), withoutEphemeral(dumpRows(db), db), 'ovsdb-server serves the same rows');
  const { file: f2, db: db2 } = DatabaseFile.open(path);
  f2.compact(db2);
  f2.close();
  t.equal(spawnSync('ovsdb-tool', ['show-log', path]).status, 0, 'compacted file passes show-log');
  t.same(ovsQueryRows(path, db.schema), withoutEphemeral(dumpRows(db), db), 'and query after our compaction');
});

t.test('files written by ovsdb-server and ovsdb-tool open here with the same rows', { skip: ovsMissing }, async (t) => {
  const path = join(dir, 'ovs.db');
  execFileSync('ovsdb-tool', ['create', path, VSWITCH_SCHEMA_PATH]);
  const sock = join(dir, 'ovs.sock');
  const pidfile = join(dir, 'ovs.pid');
  const ctl = join(dir, 'ovs.ctl');
  execFileSync('ovsdb-server', [path, `--remote=punix:${sock}`, `--unixctl=${ctl}`, `--pidfile=${pidfile}`, '-vconsole:off', '--detach', '--no-chdir']);
  const pid = Number(readFileSync(pidfile, 'utf8'));
  const vsctl = (...args: string[]): string => execFileSync('ovs-vsctl', [`--db=unix:${sock}`, '--no-wait', ...args], { encoding: 'utf8' });
  try {
    vsctl('init');
    vsctl('add-br', 'br0', '--', 'set', 'bridge', 'br0', 'other-config:a=b', 'external-ids:x=y', 'fail-mode=secure');
    vsctl('add-port', 'br0', 'p1', '--', 'set', 'interface', 'p1', 'ofport_request=5', 'type=internal');
    vsctl('add-port', 'br0', 'p2', '--', 'set', 'port', 'p2', 'trunks=1,2,3');
    vsctl('set', 'bridge', 'br0', 'other-config:a=c', 'other-config:q=r', 'fail-mode=standalone', 'protocols=OpenFlow13,OpenFlow15');
    vsctl('set', 'port', 'p2', 'trunks=2,3,4', 'tag=7');
    vsctl('del-port', 'br0', 'p1');
    vsctl('remove', 'bridge', 'br0', 'other-config', 'q', '--', 'clear', 'bridge', 'br0', 'protocols');
    vsctl('add-br', 'br1', '--', 'set', 'bridge', 'br1', 'external-ids:k=v');
    vsctl('del-br', 'br1');
    execFileSync('ovsdb-client', ['transact', `unix:${sock}`, JSON.stringify(['Open_vSwitch', { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] }, { op: 'commit', durable: true }])]);
    const copy = join(dir, 'ovs-copy.db');
    copyFileSync(path, copy);
    execFileSync('ovs-appctl', ['-t', ctl, 'ovsdb-server/compact']);
  } finally {
    process.kill(pid, 'SIGTERM');
  }
  const copyPath = join(dir, 'ovs-copy.db');
  const toolCompacted = join(dir, 'ovs-tool-compacted.db');
  execFileSync('ovsdb-tool', ['compact', copyPath, toolCompacted]);
  const schema = DatabaseFile.open(copyPath, { readOnly: true });
  const expected = ovsQueryRows(copyPath, schema.db.schema);
  schema.file.close();
  t.equal(Object.keys(expected).length, 6, 'the sample has its 6 rows');
  for (const [label, p] of [['diff records from ovsdb-server', copyPath], ['compacted by ovsdb-server', path], ['compacted by ovsdb-tool (no _is_diff)', toolCompacted]] as const) {
    const o = DatabaseFile.open(p, { readOnly: true });
    t.same(dumpRows(o.db), expected, label);
    o.file.close();
  }
  truncateSync(copyPath, statSync(copyPath).size - 5);
  const torn = DatabaseFile.open(copyPath);
  t.ok(torn.truncatedBytes > 0, 'a torn OVS file is cut back too');
  torn.file.close();
  t.equal(spawnSync('ovsdb-tool', ['show-log', copyPath]).status, 0, 'and then passes ovsdb-tool show-log');
});
