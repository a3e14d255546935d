/**
 * IdlTxnBuilder's operations, compared with what lib/ovsdb-idl.c sends for
 * the same calls (verify waits first, singleton wait, insert with
 * uuid-name and named-uuid references, whole-column updates, delete only
 * for root rows, mutate, increment as mutate + select, comment), and
 * interpretTxnReply's classification of replies.
 */
import t from 'tap';
import { Replica } from './idl-replica.ts';
import { IdlTxnBuilder, rowName } from './idl-txn.ts';
import { interpretTxnReply } from './idl-txn-reply.ts';
import { TEST_SCHEMA } from './idl-test-schema.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const G1 = '99999999-9999-4999-8999-999999999999';

function fixture(withGlobal = true): Replica {
  const r = new Replica(TEST_SCHEMA, new Map([
    ['Box', ['name', 'count', 'tags', 'other']],
    ['Global', ['next_cfg', 'boxes']],
    ['Part', ['name']],
  ]));
  r.applyUpdate2({ Box: { [U1]: { initial: { name: 'a', count: 1, tags: ['set', ['x']] } } } });
  if (withGlobal) r.applyUpdate2({ Global: { [G1]: { initial: { next_cfg: 4, boxes: ['uuid', U1] } } } });
  return r;
}

function counter(): () => string {
  let n = 0;
  return () => `aaaaaaaa-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

const where = (u: string): unknown => [['_uuid', '==', ['uuid', u]]];

t.test('verify, insert referenced by an update, increment, comment', async (t) => {
  const b = new IdlTxnBuilder(fixture(), counter());
  b.verify('Global', G1, 'boxes');
  const p = b.insert('Box', { name: { keys: ['b'] }, count: { keys: [0] } });
  b.update('Global', G1, { boxes: { keys: [U1, p].sort() } });
  b.increment('Global', G1, 'next_cfg');
  b.comment('test: add b');
  const plan = b.build();
  t.ok(plan.anyUpdates);
  const name = rowName(p);
  t.equal(name, 'rowaaaaaaaa_0000_4000_8000_000000000001');
  t.same(plan.ops, [
    // Rows in the order the transaction first touched them; the insert may come after a reference to it.
    { op: 'wait', table: 'Global', timeout: 0, where: where(G1), until: '==', columns: ['boxes'], rows: [{ boxes: ['uuid', U1] }] },
    { op: 'update', table: 'Global', where: where(G1), row: { boxes: ['set', [['uuid', U1], ['named-uuid', name]]] } },
    { op: 'insert', table: 'Box', 'uuid-name': name, row: { name: 'b' } },
    { op: 'mutate', table: 'Global', where: where(G1), mutations: [['next_cfg', '+=', 1]] },
    { op: 'select', table: 'Global', where: where(G1), columns: ['next_cfg'] },
    { op: 'comment', comment: 'test: add b' },
  ]);
  t.same(plan.increment, { index: 3, column: 'next_cfg' });
  t.same([...plan.inserts], [[p, 2]]);
});

t.test('verify of an unwritten column becomes a wait with the replica value', async (t) => {
  const b = new IdlTxnBuilder(fixture(), counter());
  b.verify('Box', U1, 'tags');
  b.verify('Box', U1, 'count');
  b.update('Box', U1, { other: { keys: ['k'], values: ['v'] } });
  t.same(b.build().ops, [
    { op: 'wait', table: 'Box', timeout: 0, where: where(U1), until: '==', columns: ['tags', 'count'], rows: [{ tags: 'x', count: 1 }] },
    { op: 'update', table: 'Box', where: where(U1), row: { other: ['map', [['k', 'v']]] } },
  ]);
});

t.test('nothing to do: unchanged (verify only, same value, non-root delete, increment alone)', async (t) => {
  const b = new IdlTxnBuilder(fixture(), counter());
  b.verify('Box', U1, 'name');
  b.update('Box', U1, { count: { keys: [1] } });
  b.increment('Global', G1, 'next_cfg');
  b.comment('no-op');
  const plan = b.build();
  t.notOk(plan.anyUpdates);
  t.same(plan.ops[1], { op: 'update', table: 'Box', where: where(U1), row: { count: 1 } }, 'the equal value is still written, as OVS does');

  const forced = new IdlTxnBuilder(fixture(), counter());
  forced.increment('Global', G1, 'next_cfg', { force: true });
  t.ok(forced.build().anyUpdates, 'a forced increment is a change');

  const r = fixture();
  r.applyUpdate2({ Part: { [U1]: { initial: { name: 'p' } } } });
  const d = new IdlTxnBuilder(r, counter());
  d.delete('Part', U1);
  t.same(d.build(), { ops: [], anyUpdates: false, inserts: new Map() }, 'non-root rows are left to garbage collection');
});

t.test('delete of a root row, mutate, insert then delete cancels', async (t) => {
  const b = new IdlTxnBuilder(fixture(), counter());
  const p = b.insert('Box', { name: { keys: ['gone'] } });
  b.delete('Box', p);
  b.mutate('Global', G1, 'boxes', 'delete', { keys: [U1] });
  b.mutate('Global', G1, 'next_cfg', '+=', { keys: [2] });
  b.delete('Box', U1);
  t.same(b.build().ops, [
    { op: 'mutate', table: 'Global', where: where(G1), mutations: [['boxes', 'delete', ['uuid', U1]], ['next_cfg', '+=', 2]] },
    { op: 'delete', table: 'Box', where: where(U1) },
  ]);
  t.throws(() => b.update('Box', U1, { count: { keys: [3] } }), /deleted in this transaction/);
  t.throws(() => b.update('Box', G1, {}), /no Box row/);
  const b2 = new IdlTxnBuilder(fixture(), counter());
  t.throws(() => b2.update('Box', U1, { nope: { keys: [] } }), /no column "nope"/);
});

t.test('first row of a singleton table: wait for the table to be empty', async (t) => {
  const b = new IdlTxnBuilder(fixture(false), counter());
  b.insert('Global', {});
  t.same(b.build().ops, [
    { op: 'wait', table: 'Global', where: [], timeout: 0, until: '==', rows: [] },
    { op: 'insert', table: 'Global', 'uuid-name': rowName('aaaaaaaa-0000-4000-8000-000000000001'), row: {} },
  ]);
  t.same(b.read('Global', 'aaaaaaaa-0000-4000-8000-000000000001')?.get('next_cfg'), { keys: [0] });
});

t.test('interpretTxnReply', async (t) => {
  const b = new IdlTxnBuilder(fixture(), counter());
  const p = b.insert('Box', { name: { keys: ['b'] } });
  b.increment('Global', G1, 'next_cfg');
  const plan = b.build();
  const real = 'bbbbbbbb-0000-4000-8000-000000000000';
  t.same(interpretTxnReply(plan, [{ uuid: ['uuid', real] }, { count: 1 }, { rows: [{ next_cfg: 5 }] }]), {
    type: 'success', insertedUuids: new Map([[p, real]]), incremented: 5,
  });
  t.same(interpretTxnReply(plan, [{}, { error: 'timed out' }, null]), { type: 'try-again' });
  t.same(interpretTxnReply(plan, [{ error: 'not owner' }]), { type: 'not-locked' });
  const ce = { error: 'constraint violation', details: 'x' };
  t.same(interpretTxnReply(plan, [{ uuid: ['uuid', real] }, { count: 1 }, { rows: [{ next_cfg: 5 }] }, ce]), { type: 'error', error: ce });
  t.equal(interpretTxnReply(plan, [{ uuid: ['uuid', real] }, { count: 0 }, { rows: [] }]).type, 'error');
  t.equal(interpretTxnReply(plan, [{ uuid: 'nope' }, { count: 1 }, { rows: [{ next_cfg: 5 }] }]).type, 'error');
  t.equal(interpretTxnReply(plan, { not: 'array' }).type, 'error');
});
