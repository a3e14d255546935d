import t from 'tap';
import { diffTranscripts, orderMonitorUpdates, parseMessages, transcriptLine, UuidLabels, type Json } from './ovsdb-transcript.ts';

const A = '0f1e2d3c-4b5a-4697-8877-665544332211';
const B = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const C = '9c9d0e1f-2a3b-4c5d-9e6f-4a7b8c9d0e1f';

t.test('labels in order of first appearance; known labels resolve back', async (t) => {
  const l = new UuidLabels();
  const reply = { id: 1, result: [{ uuid: ['uuid', B] }, { uuid: ['uuid', A] }], error: null };
  t.same(l.normalize(reply), { error: null, id: 1, result: [{ uuid: ['uuid', '<0>'] }, { uuid: ['uuid', '<1>'] }] });
  t.same(l.resolve({ where: [['_uuid', '==', ['uuid', '<1>']]], x: '<7>' }), { where: [['_uuid', '==', ['uuid', A]]], x: '<7>' });
  t.equal(l.normalize(`row ${A} has a reference`), 'row <1> has a reference', 'inside strings too');
});

t.test('sets, maps, rows and objects do not depend on the server\'s order', async (t) => {
  const one = new UuidLabels();
  const two = new UuidLabels();
  for (const l of [one, two]) l.normalize([A, B]);
  const set1: Json = { s: ['set', [['uuid', A], ['uuid', B]]], rows: [{ n: 2, _uuid: ['uuid', C] }, { n: 1 }] };
  const set2: Json = { rows: [{ n: 1 }, { _uuid: ['uuid', C], n: 2 }], s: ['set', [['uuid', B], ['uuid', A]]] };
  t.equal(JSON.stringify(one.normalize(set1)), JSON.stringify(two.normalize(set2)));
  // a monitor update keyed by unseen uuids: labels follow the rows' contents, not key order
  const upd = (x: string, y: string): Json => ({ QoS: { [x]: { new: { type: 'a' } }, [y]: { new: { type: 'b' } } } });
  const l3 = new UuidLabels();
  const l4 = new UuidLabels();
  t.equal(JSON.stringify(l3.normalize(upd(A, B))), JSON.stringify(l4.normalize(upd(C, A))));
  t.same(l3.normalize(upd(A, B)), { QoS: { '<0>': { new: { type: 'a' } }, '<1>': { new: { type: 'b' } } } });
});

t.test('doc strings: several values, pretty or not, comments; bad JSON named', async (t) => {
  const text = '# first\n{"id":1,\n "method":"echo","params":[]}\n{"id":"x","method":"list_dbs","params":[]} [1]\n';
  t.same(parseMessages(text), [{ id: 1, method: 'echo', params: [] }, { id: 'x', method: 'list_dbs', params: [] }, [1]]);
  t.throws(() => parseMessages('{"id":1,}'), /message 1 is not JSON/);
  t.same(parseMessages('{"s":"a } ] \\" {"}'), [{ s: 'a } ] " {' }]);
});

t.test('lines and diffs', async (t) => {
  t.equal(transcriptLine('a', 'sent', { id: 1 }), 'a> {"id":1}');
  t.equal(transcriptLine('b', 'received', { id: 1 }), 'b< {"id":1}');
  const d = diffTranscripts(['x', 'y'], ['x', 'z', 'w']);
  t.match(d, /line 2:\n {2}- y\n {2}\+ z/);
  t.match(d, /2 line\(s\) expected, 3 received/);
});

t.test('index conflicts name their two rows in label order', async (t) => {
  const l = new UuidLabels();
  l.normalize([A, B]);
  const text = (x: string, y: string, wx: string, wy: string): string =>
    `Transaction causes multiple rows in "T" table to have identical values (1) for index on column "id".  First row, with UUID ${x}, ${wx}.  Second row, with UUID ${y}, ${wy}.`;
  const want = text('<0>', '<1>', 'was inserted by this transaction', 'existed in the database before this transaction and was not modified by the transaction');
  t.equal(l.normalize(text(B, A, 'existed in the database before this transaction and was not modified by the transaction', 'was inserted by this transaction')), want);
  t.equal(l.normalize(text(A, B, 'was inserted by this transaction', 'existed in the database before this transaction and was not modified by the transaction')), want);
});

t.test('a wait\'s measured time is not compared', async (t) => {
  t.equal(new UuidLabels().normalize('"wait" timed out after 5 ms'), '"wait" timed out after <ms> ms');
});

t.test('a run of monitor updates is ordered by monitor id, each monitor\'s own order kept', async (t) => {
  const u = (id: Json, n: number): Json => ({ id: null, method: 'update', params: [id, { n }] });
  const reply: Json = { id: 1, result: {}, error: null };
  const locked: Json = { id: null, method: 'locked', params: ['L'] };
  t.same(orderMonitorUpdates([u('p', 1), u('c', 2), u('p', 3), reply, u('z', 4), locked, u('b', 5), u('a', 6)]),
    [u('c', 2), u('p', 1), u('p', 3), reply, u('z', 4), locked, u('a', 6), u('b', 5)]);
});
