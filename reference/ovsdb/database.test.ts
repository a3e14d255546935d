import t from 'tap';
import type { Datum, Row, RowChange } from './ovsdb-types.ts';
import { Database } from './database.ts';
import { loadDatabaseSchema } from './schema.ts';
import { tableInfo } from './table-info.ts';

const here = new URL('.', import.meta.url).pathname;
const schema = loadDatabaseSchema(`${here}testdata/engine-test.ovsschema`);

const U = (n: number): string => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;

function row(table: string, uuid: string, set: Record<string, Datum>): Row {
  const columns = new Map(tableInfo(schema.tables.get(table) ?? (undefined as never)).defaults);
  for (const [k, v] of Object.entries(set)) columns.set(k, v);
  return { uuid, version: U(999), columns };
}

function changes(...cs: [string, string, RowChange][]): Map<string, Map<string, RowChange>> {
  const out = new Map<string, Map<string, RowChange>>();
  for (const [table, uuid, ch] of cs) {
    let m = out.get(table);
    if (!m) out.set(table, (m = new Map()));
    m.set(uuid, ch);
  }
  return out;
}

t.test('apply keeps rows, strong reference counts, weak referrers and indexes', async (t) => {
  const db = new Database(schema);
  const child = row('Child', U(1), { name: { keys: ['c'] } });
  const other = row('Other', U(2), { name: { keys: ['o'] }, k: { keys: [1] }, must: { keys: [U(2)] } });
  const r1 = row('Root', U(3), { name: { keys: ['r'] }, pos: { keys: [1] }, kids: { keys: [U(1)] }, kid: { keys: [U(1)] }, weak: { keys: [U(2)] } });
  db.apply(changes(['Child', U(1), { old: null, new: child }], ['Other', U(2), { old: null, new: other }], ['Root', U(3), { old: null, new: r1 }]));
  t.equal(db.txnCount, 1);
  t.equal(db.rows('Root').size, 1);
  t.equal(db.refCount('Child', U(1)), 2, 'kids and kid both count');
  t.equal(db.refCount('Other', U(2)), 0, 'weak and self references do not count');
  t.same([...db.weakReferrers('Other', U(2))].sort(), [['Other', U(2)], ['Root', U(3)]].sort());
  t.equal(db.indexLookup('Other', 0, '["o"]\u0000[1]\u0000'), U(2));

  const r2 = row('Root', U(3), { name: { keys: ['r'] }, pos: { keys: [1] }, kids: { keys: [] }, kid: { keys: [U(1)] }, weak: { keys: [] } });
  db.apply(changes(['Root', U(3), { old: r1, new: r2 }]));
  t.equal(db.refCount('Child', U(1)), 1);
  t.same([...db.weakReferrers('Other', U(2))], [['Other', U(2)]]);

  db.apply(changes(['Root', U(3), { old: r2, new: null }], ['Child', U(1), { old: child, new: null }]));
  t.equal(db.refCount('Child', U(1)), 0);
  t.equal(db.row('Root', U(3)), undefined);
  t.throws(() => db.rows('Nope'));
});
