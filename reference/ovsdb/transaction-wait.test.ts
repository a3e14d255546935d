import t from 'tap';
import type { TxnContext } from './ovsdb-types.ts';
import { Database } from './database.ts';
import { loadDatabaseSchema } from './schema.ts';
import { executeTransaction } from './transaction.ts';

const here = new URL('.', import.meta.url).pathname;
const schema = loadDatabaseSchema(`${here}testdata/engine-test.ovsschema`);

function ctx(startedMs: number, nowMs: number): TxnContext {
  let n = 0;
  return { hasLock: () => false, newUuid: () => `${(++n).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`, nowMs: () => nowMs, startedMs };
}

const waitFor = (name: string, timeout?: number): unknown => ({
  op: 'wait',
  table: 'Root',
  where: [],
  columns: ['name'],
  until: '==',
  rows: [{ name }],
  ...(timeout === undefined ? {} : { timeout }),
});

t.test('an unsatisfied wait blocks until its timeout, then times out as ovsdb-server says', async (t) => {
  const db = new Database(schema);
  t.same(executeTransaction(db, [waitFor('x', 300)], ctx(1000, 1000)), { type: 'blocked', untilMs: 1300 });
  t.same(executeTransaction(db, [waitFor('x')], ctx(1000, 1000)), { type: 'blocked', untilMs: Infinity });
  // Observed from ovsdb-server 3.1 for the same request after 300 ms.
  t.same(executeTransaction(db, [{ op: 'wait', table: 'Root', where: [], until: '==', rows: [], timeout: 50 }, waitFor('x', 300)], ctx(1000, 1300)), {
    type: 'failed',
    result: [{}, { error: 'timed out', details: '"wait" timed out after 300 ms' }],
  });
  t.same(executeTransaction(db, [waitFor('x', 0)], ctx(1000, 1000)), {
    type: 'failed',
    result: [{ error: 'timed out', details: '"where" clause test failed' }],
  });
});

t.test('a blocked wait is satisfied after the commit it waited for', async (t) => {
  const db = new Database(schema);
  const started = 5000;
  t.equal(executeTransaction(db, [waitFor('x', 1000), { op: 'comment', comment: 'c' }], ctx(started, started)).type, 'blocked');
  const ins = executeTransaction(db, [{ op: 'insert', table: 'Root', row: { name: 'x', pos: 1 } }], ctx(started, started + 10));
  if (ins.type !== 'committed' || !ins.changes) throw new Error('insert failed');
  db.apply(ins.changes);
  const again = executeTransaction(db, [waitFor('x', 1000), { op: 'comment', comment: 'c' }], ctx(started, started + 10));
  t.same(again, { type: 'committed', result: [{}, {}], changes: null, durable: false, comment: 'c' });
});
