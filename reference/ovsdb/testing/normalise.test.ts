/**
 * UUID normalisation: tokens in order of first appearance, canonical order
 * where servers may differ (object members, select rows, uuid sets, the
 * index-duplicate message, wait durations), literals kept, and the first
 * differing path.
 */
import t from 'tap';
import { firstDifference, UuidNormaliser } from './normalise.ts';

const U = (n: number): string => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;

t.test('tokens follow first appearance; denormalise maps them back', async (t) => {
  const n = new UuidNormaliser();
  const reply = [{ uuid: ['uuid', U(9)] }, { uuid: ['uuid', U(3)] }, { details: `row ${U(9)} and ${U(5)}` }];
  t.same(n.normalise(reply), [{ uuid: ['uuid', '<1>'] }, { uuid: ['uuid', '<2>'] }, { details: 'row <1> and <3>' }]);
  t.same(n.denormalise({ where: [['_uuid', '==', ['uuid', '<2>']]], other: '<7>' }), { where: [['_uuid', '==', ['uuid', U(3)]]], other: '<7>' });
});

t.test('literal uuids of the request and the zero uuid map to themselves', async (t) => {
  const n = new UuidNormaliser();
  n.keepLiterals([{ op: 'insert', uuid: U(1) }]);
  t.same(n.normalise([U(1), '00000000-0000-0000-0000-000000000000', U(2)]), [U(1), '00000000-0000-0000-0000-000000000000', '<1>']);
});

t.test('rows, uuid sets and uuid-keyed maps are put in a canonical order', async (t) => {
  const a = new UuidNormaliser();
  const b = new UuidNormaliser();
  a.normalise([U(1), U(2)]);
  b.normalise([U(7), U(6)]);
  const rowsA = { rows: [{ k: ['set', [['uuid', U(1)], ['uuid', U(2)]]], n: 2 }, { n: 1, _version: ['uuid', U(50)] }] };
  const rowsB = { rows: [{ _version: ['uuid', U(60)], n: 1 }, { n: 2, k: ['set', [['uuid', U(6)], ['uuid', U(7)]]] }] };
  t.same(a.normalise(rowsA), b.normalise(rowsB));
  t.same(a.normalise(['map', [[['uuid', U(2)], 1], [['uuid', U(1)], 2]]]), ['map', [[['uuid', '<1>'], 2], [['uuid', '<2>'], 1]]]);
  t.same(a.normalise(['set', ['b', 'a']]), ['set', ['b', 'a']], 'sets of other atoms keep the server order');
});

t.test('error details that carry chance are canonical', async (t) => {
  const n = new UuidNormaliser();
  n.normalise([U(1), U(2)]);
  const one = `values (x) for index on column "name".  First row, with UUID ${U(2)}, was inserted by this transaction.  Second row, with UUID ${U(1)}, existed before.`;
  t.equal(n.normalise(one), 'values (x) for index on column "name".  First row, with UUID <1>, existed before.  Second row, with UUID <2>, was inserted by this transaction.');
  t.equal(n.normalise('"wait" timed out after 31 ms'), '"wait" timed out after <ms> ms');
});

t.test('firstDifference names the first differing path', async (t) => {
  t.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), undefined);
  t.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), '.a[1].b');
  t.equal(firstDifference([1], [1, 2]), '[1]');
  t.equal(firstDifference({ a: 1 }, { c: 1 }), '.a');
  t.equal(firstDifference(1, 2), '(root)');
});

t.test('versions of rows selected without _uuid are masked', async (t) => {
  const n = new UuidNormaliser();
  t.same(n.normalise({ rows: [{ _version: ['uuid', U(3)], n: 1 }] }), { rows: [{ _version: ['uuid', '<version>'], n: 1 }] });
  t.same(n.normalise({ rows: [{ _uuid: ['uuid', U(4)], _version: ['uuid', U(3)] }] }), { rows: [{ _uuid: ['uuid', '<1>'], _version: ['uuid', '<v1>'] }] });
});
