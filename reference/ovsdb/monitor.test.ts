/**
 * Monitor against a small database: the v1 (`update`) and v2 (`update2`)
 * row formats for initial/insert/modify/delete, select flags, column
 * lists, conditions (any clause matches) moving rows in and out of view,
 * monitor_cond_change, and ovsdb-server's parse errors.
 */
import t from 'tap';
import type { TxnChanges } from './ovsdb-types.ts';
import { Database } from './database.ts';
import { OvsdbError } from './errors.ts';
import { Monitor } from './monitor.ts';
import { parseDatabaseSchema } from './schema.ts';
import { executeTransaction } from './transaction.ts';
import { randomUuid } from './uuid.ts';

const schema = parseDatabaseSchema({
  name: 'M',
  version: '1.0.0',
  tables: {
    T: {
      columns: {
        name: { type: 'string' },
        n: { type: 'integer' },
        s: { type: { key: 'string', min: 0, max: 'unlimited' } },
        m: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
  },
});

function commit(db: Database, ...ops: unknown[]): TxnChanges {
  const ctx = { hasLock: () => false, newUuid: randomUuid, nowMs: () => 0, startedMs: 0 };
  const out = executeTransaction(db, ops, ctx);
  if (out.type !== 'committed' || !out.changes) throw new Error(`not committed: ${JSON.stringify(out)}`);
  db.apply(out.changes);
  return out.changes;
}

/** Replaces row uuids by the row's name, for readable expectations. */
function byName(db: Database, json: unknown): unknown {
  const names = new Map<string, string>();
  for (const r of db.rows('T').values()) names.set(r.uuid, String(r.columns.get('name')?.keys[0]));
  return JSON.parse(JSON.stringify(json), function (k, v: unknown) {
    if (this && typeof this === 'object' && !Array.isArray(this) && names.has(k)) {
      (this as Record<string, unknown>)[names.get(k) ?? k] = v;
      return undefined;
    }
    return v;
  });
}

t.test('v1: new with every column, old with the changed ones', async (t) => {
  const db = new Database(schema);
  commit(db, { op: 'insert', table: 'T', row: { name: 'a', n: 1 } });
  const m = Monitor.create(db, 'm', 1, { T: { columns: ['name', 'n', 's'] } });
  t.same(byName(db, m.initial()), { T: { a: { new: { name: 'a', n: 1, s: ['set', []] } } } });
  const ch = commit(db, { op: 'update', table: 'T', where: [], row: { n: 2 } });
  t.same(byName(db, m.update(ch)), { T: { a: { new: { name: 'a', n: 2, s: ['set', []] }, old: { n: 1 } } } });
  t.equal(m.update(commit(db, { op: 'update', table: 'T', where: [], row: { m: ['map', [['k', 'v']]] } })), null, 'unwatched column');
  const uuid = [...db.rows('T').keys()][0] as string;
  t.same(m.update(commit(db, { op: 'delete', table: 'T', where: [] })), { T: { [uuid]: { old: { name: 'a', n: 2, s: ['set', []] } } } });
});

t.test('v1 without columns watches everything but _uuid; select flags filter', async (t) => {
  const db = new Database(schema);
  commit(db, { op: 'insert', table: 'T', row: { name: 'a' } });
  const all = Monitor.create(db, 1, 1, { T: {} });
  const row = Object.values((all.initial()['T'] ?? {}) as Record<string, { new: Record<string, unknown> }>)[0];
  t.same(Object.keys(row?.new ?? {}).sort(), ['_version', 'm', 'n', 'name', 's']);
  const some = Monitor.create(db, 2, 1, { T: [{ columns: ['name'], select: { initial: false, modify: false } }] });
  t.same(some.initial(), {});
  t.equal(some.update(commit(db, { op: 'update', table: 'T', where: [], row: { name: 'b' } })), null);
  t.ok(some.update(commit(db, { op: 'insert', table: 'T', row: { name: 'c' } })));
});

t.test('v2: defaults left out, diffs for modify, conditions move rows in and out', async (t) => {
  const db = new Database(schema);
  commit(db, { op: 'insert', table: 'T', row: { name: 'a', s: ['set', ['x', 'y']] } }, { op: 'insert', table: 'T', row: { name: 'hidden' } });
  const m = Monitor.create(db, 'c', 2, { T: [{ columns: ['name', 'n', 's'], where: [['name', '==', 'a'], ['n', '>', 5]] }] });
  t.same(byName(db, m.initial()), { T: { a: { initial: { name: 'a', s: ['set', ['x', 'y']] } } } });
  let ch = commit(db, { op: 'mutate', table: 'T', where: [['name', '==', 'a']], mutations: [['s', 'delete', 'x'], ['s', 'insert', 'z']] });
  t.same(byName(db, m.update(ch)), { T: { a: { modify: { s: ['set', ['x', 'z']] } } } });
  ch = commit(db, { op: 'update', table: 'T', where: [['name', '==', 'hidden']], row: { n: 9 } });
  t.same(byName(db, m.update(ch)), { T: { hidden: { insert: { name: 'hidden', n: 9 } } } }, 'any clause matching brings a row in');
  ch = commit(db, { op: 'update', table: 'T', where: [['name', '==', 'hidden']], row: { n: 1 } });
  t.same(byName(db, m.update(ch)), { T: { hidden: { delete: null } } });
  t.equal(m.update(commit(db, { op: 'update', table: 'T', where: [['name', '==', 'hidden']], row: { n: 2 } })), null);
  const change = m.changeConditions({ T: [{ where: [['name', '==', 'hidden']] }] });
  t.same(byName(db, change), { T: { a: { delete: null }, hidden: { insert: { name: 'hidden', n: 2 } } } });
  t.same(m.changeConditions({ T: [{ where: [] }] }) !== null, true);
});

t.test('errors in ovsdb-server words', async (t) => {
  const db = new Database(schema);
  const err = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e instanceof OvsdbError ? e.toJson() : String(e);
    }
    return 'no error';
  };
  t.same(err(() => Monitor.create(db, 1, 1, { Nope: {} })), { error: 'syntax error', details: 'no table named Nope' });
  t.same(err(() => Monitor.create(db, 1, 1, { T: { columns: ['zz'] } })), { error: 'syntax error', details: 'zz is not a valid column name', syntax: '["zz"]' });
  t.same(err(() => Monitor.create(db, 1, 1, { T: [{ columns: ['n'] }, { columns: ['n'] }] })), { error: 'syntax error', details: 'column n mentioned more than once', syntax: '["n"]' });
  t.match(err(() => Monitor.create(db, 1, 1, { T: { where: [] } })), { details: "Parsing table T failed: Member 'where' is present but not allowed here." });
  t.match(err(() => Monitor.create(db, 1, 2, { T: { select: { initial: 3 } } })), { details: "Parsing table T select failed: Type mismatch for member 'initial'." });
  t.same(err(() => Monitor.create(db, 1, 1, [])), { error: 'syntax error', details: 'monitor-requests must be object', syntax: '[]' });
  const m = Monitor.create(db, 1, 2, { T: {} });
  t.match(err(() => m.changeConditions({ T: [{ columns: [] }] })), { details: 'changing columns is unsupported' });
  t.match(err(() => m.changeConditions({ T: {} })), { details: 'table T no monitor-cond-change JSON array' });
  t.match(err(() => m.changeConditions(5)), { details: 'monitor-cond-change-requests must be object' });
});
