/**
 * Replica against hand-written monitor replies and notifications in both
 * formats (update2 with modify diffs, RFC 7047 update), on a small schema
 * built in memory; malformed and inconsistent updates leave it unchanged.
 */
import t from 'tap';
import { Replica } from './idl-replica.ts';
import { TEST_SCHEMA } from './idl-test-schema.ts';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

t.test('update2: initial fills defaults, modify applies diffs, delete removes', async (t) => {
  const r = new Replica(TEST_SCHEMA, new Map([['Box', ['name', 'count', 'opt', 'tags', 'other']]]));
  const c0 = r.applyUpdate2({ Box: { [U1]: { initial: { name: 'a', tags: ['set', ['x', 'y']], other: ['map', [['k', 'v']]] } } } });
  t.same(c0.get('Box')?.get(U1)?.old, null);
  const row = r.row('Box', U1);
  t.same(row?.columns.get('name'), { keys: ['a'] });
  t.same(row?.columns.get('count'), { keys: [0] });
  t.same(row?.columns.get('opt'), { keys: [] });
  t.same(row?.columns.get('tags'), { keys: ['x', 'y'] });
  t.same(row?.columns.get('other'), { keys: ['k'], values: ['v'] });

  const c1 = r.applyUpdate2({
    Box: { [U1]: { modify: { count: 5, opt: 3, tags: ['set', ['y', 'z']], other: ['map', [['k', 'w'], ['n', 'm']]] } } },
  });
  const after = r.row('Box', U1);
  t.same(after?.columns.get('count'), { keys: [5] });
  t.same(after?.columns.get('opt'), { keys: [3] });
  t.same(after?.columns.get('tags'), { keys: ['x', 'z'] }, 'set diff is a symmetric difference');
  t.same(after?.columns.get('other'), { keys: ['k', 'n'], values: ['w', 'm'] }, 'map diff changes and adds pairs');
  t.equal(c1.get('Box')?.get(U1)?.old, row, 'old is the previous row object');
  t.same(row?.columns.get('count'), { keys: [0] }, 'the previous row is not edited');

  r.applyUpdate2({ Box: { [U1]: { modify: { opt: ['set', []], other: ['map', [['n', 'm']]] } } } });
  t.same(r.row('Box', U1)?.columns.get('opt'), { keys: [] });
  t.same(r.row('Box', U1)?.columns.get('other'), { keys: ['k'], values: ['w'] });

  const c2 = r.applyUpdate2({ Box: { [U1]: { delete: null } } });
  t.equal(r.rows('Box').size, 0);
  t.equal(c2.get('Box')?.get(U1)?.new, null);
});

t.test('update (RFC 7047): new rows whole, modify with old+new, delete with old only', async (t) => {
  const r = new Replica(TEST_SCHEMA, new Map([['Box', ['name', 'count']]]));
  r.applyUpdate({ Box: { [U1]: { new: { name: 'a', count: 1, tags: 'ignored' } }, [U2]: { new: { name: 'b', count: 2 } } } });
  t.equal(r.rows('Box').size, 2);
  t.notOk(r.row('Box', U1)?.columns.has('tags'), 'unmonitored columns are not kept');
  r.applyUpdate({ Box: { [U1]: { old: { count: 1 }, new: { name: 'a', count: 7 } } } });
  t.same(r.row('Box', U1)?.columns.get('count'), { keys: [7] });
  r.applyUpdate({ Box: { [U2]: { old: { name: 'b', count: 2 } } } });
  t.same([...r.rows('Box').keys()], [U1]);
});

t.test('bad and inconsistent updates throw and change nothing', async (t) => {
  const r = new Replica(TEST_SCHEMA, new Map([['Box', ['name']]]));
  r.applyUpdate2({ Box: { [U1]: { insert: { name: 'a' } } } });
  const bad: unknown[] = [
    { Box: { [U2]: { insert: { name: 'b' } }, [U1]: { insert: { name: 'again' } } } },
    { Box: { [U2]: { modify: { name: 'x' } } } },
    { Box: { [U2]: { delete: null } } },
    { Box: { 'not-a-uuid': { delete: null } } },
    { Box: { [U1]: { modify: { name: 5 } } } },
    { Box: { [U1]: { modify: {}, delete: null } } },
    { Part: { [U2]: { insert: {} } } },
    [],
  ];
  for (const u of bad) t.throws(() => r.applyUpdate2(u), JSON.stringify(u));
  t.same([...r.rows('Box').keys()], [U1]);
  t.same(r.row('Box', U1)?.columns.get('name'), { keys: ['a'] });
  t.equal(r.rows('Part').size, 0, 'an unmonitored table reads as empty');
  t.throws(() => r.rows('Nope'), /no table "Nope"/);
  t.throws(() => new Replica(TEST_SCHEMA, new Map([['Box', ['nope']]])), /no column "nope"/);
});
