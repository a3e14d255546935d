import t from 'tap';
import type { Datum, Row, RowChange, TxnChanges } from './ovsdb-types.ts';
import { changesFromRecord, snapshotRecord, txnRecord, txnRecordText, type RowLookup } from './file-format.ts';
import { parseDatabaseSchema } from './schema.ts';

const TEST_SCHEMA_JSON = {
  name: 'T',
  version: '1.0.0',
  tables: {
    A: {
      columns: {
        n: { type: 'integer' },
        s: { type: { key: 'string', min: 0, max: 1 } },
        tags: { type: { key: 'string', min: 0, max: 'unlimited' } },
        m: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        refs: { type: { key: { type: 'uuid', refTable: 'B' }, min: 0, max: 'unlimited' } },
        eph: { type: 'integer', ephemeral: true },
        few: { type: { key: 'integer', min: 1, max: 4 } },
      },
      isRoot: true,
    },
    B: { columns: { name: { type: 'string' } } },
  },
};

const schema = parseDatabaseSchema(TEST_SCHEMA_JSON);
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const B1 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** A minimal in-memory database for replay tests. */
class MemDb implements RowLookup {
  readonly schema = schema;
  readonly tables = new Map<string, Map<string, Row>>();
  row(table: string, uuid: string): Row | undefined {
    return this.tables.get(table)?.get(uuid);
  }
  apply(changes: TxnChanges): void {
    for (const [table, rows] of changes) {
      const tbl = this.tables.get(table) ?? new Map<string, Row>();
      this.tables.set(table, tbl);
      for (const [uuid, c] of rows) {
        if (c.new) tbl.set(uuid, c.new);
        else tbl.delete(uuid);
      }
    }
  }
}

const set = (...keys: (string | number)[]): Datum => ({ keys });
const map = (pairs: [string, string][]): Datum => ({ keys: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) });

function rowOf(uuid: string, cols: Record<string, Datum>): Row {
  const base: Record<string, Datum> = { n: set(0), s: set(), tags: set(), m: map([]), refs: set(), eph: set(0), few: set(0) };
  return { uuid, version: 'v', columns: new Map(Object.entries({ ...base, ...cols })) };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return 'nothing thrown';
}

function changes(table: string, entries: [string, RowChange][]): TxnChanges {
  return new Map([[table, new Map(entries)]]);
}

t.test('insert writes non-default persistent columns only; modify writes changed columns as diffs', async (t) => {
  const r1 = rowOf(U1, { n: set(5), tags: set('a', 'b'), m: map([['k', 'v']]), eph: set(9) });
  const ins = txnRecord(schema, changes('A', [[U1, { old: null, new: r1 }]]), { dateMs: 1000, comment: 'hi' });
  t.same(ins, { A: { [U1]: { n: 5, tags: ['set', ['a', 'b']], m: ['map', [['k', 'v']]] } }, _comment: 'hi', _is_diff: true, _date: 1000 });

  const r2 = rowOf(U1, { n: set(6), s: set('x'), tags: set('b', 'c'), m: map([['k', 'w'], ['z', '1']]), eph: set(3) });
  const mod = txnRecord(schema, changes('A', [[U1, { old: r1, new: r2 }]]), { dateMs: 2000 });
  t.same(mod, { A: { [U1]: { n: 6, s: 'x', tags: ['set', ['a', 'c']], m: ['map', [['k', 'w'], ['z', '1']]] } }, _is_diff: true, _date: 2000 });

  const plain = txnRecord(schema, changes('A', [[U1, { old: r1, new: r2 }]]), { dateMs: 2000, isDiff: false });
  t.same(plain, { A: { [U1]: { n: 6, s: 'x', tags: ['set', ['b', 'c']], m: ['map', [['k', 'w'], ['z', '1']]] } }, _date: 2000 });

  t.same(txnRecord(schema, changes('A', [[U1, { old: r2, new: null }]]), { dateMs: 3 }), { A: { [U1]: null }, _is_diff: true, _date: 3 });
  t.equal(txnRecord(schema, changes('A', [[U1, { old: r2, new: rowOf(U1, { ...Object.fromEntries(r2.columns), eph: set(4) }) }]]), { dateMs: 3 }), null, 'only an ephemeral change: no record');
  t.same(txnRecord(schema, changes('A', [[U2, { old: null, new: rowOf(U2, {}) }]]), { dateMs: 4 }), { A: { [U2]: {} }, _is_diff: true, _date: 4 }, 'an all-default row is {}');
});

t.test('records replay into the same rows (diff and plain), ephemeral columns come back as defaults', async (t) => {
  for (const isDiff of [true, false]) {
    const db = new MemDb();
    const steps: TxnChanges[] = [];
    const b1 = { uuid: B1, version: 'v', columns: new Map([['name', set('b')]]) };
    const r1 = rowOf(U1, { n: set(5), tags: set('a', 'b'), m: map([['k', 'v']]), refs: set(B1), few: set(1, 2) });
    const r2 = rowOf(U1, { n: set(5), tags: set('b', 'c'), m: map([['k', 'w']]), refs: set(), few: set(3) });
    const r3 = rowOf(U1, { few: set(0, 7) });
    steps.push(new Map([['B', new Map([[B1, { old: null, new: b1 }]])], ['A', new Map([[U1, { old: null, new: r1 }]])]]));
    steps.push(changes('A', [[U1, { old: r1, new: r2 }]]));
    steps.push(changes('A', [[U1, { old: r2, new: r3 }]]));
    for (const c of steps) {
      const rec = txnRecord(schema, c, { dateMs: 1, isDiff });
      db.apply(changesFromRecord(db, JSON.parse(JSON.stringify(rec))));
    }
    const got = db.row('A', U1);
    t.same(got && Object.fromEntries(got.columns), Object.fromEntries(r3.columns), `isDiff ${isDiff}`);
    t.same(db.row('B', B1)?.columns.get('name'), set('b'));
  }
});

t.test('reading follows ovsdb-server ≥ 3.1.3: a diff is applied to a present row (default or not); errors in its words', async (t) => {
  const db = new MemDb();
  db.apply(changesFromRecord(db, { A: { [U1]: { tags: ['set', ['a', 'b']], few: ['set', [1, 2]] } }, _is_diff: true, _date: 1 }));
  db.apply(changesFromRecord(db, { A: { [U1]: { tags: 'a', few: 2, n: 3 } }, _is_diff: true }));
  t.same(db.row('A', U1)?.columns.get('tags'), set('b'));
  t.same(db.row('A', U1)?.columns.get('few'), set(1));
  t.same(db.row('A', U1)?.columns.get('n'), set(3));
  db.apply(changesFromRecord(db, { A: { [U2]: { few: ['set', [1, 2, 3]] } }, _is_diff: true }));
  t.same(db.row('A', U2)?.columns.get('few'), set(1, 2, 3), 'an inserted row is read as full values');
  db.apply(changesFromRecord(db, { A: { [U2]: { few: ['set', [1, 2, 3, 4, 5, 6]] } }, _is_diff: true }));
  t.same(db.row('A', U2)?.columns.get('few'), set(4, 5, 6), 'a diff with more members than max is applied');
  t.match(thrown(() => changesFromRecord(db, { A: { [U2]: { few: ['set', [7, 8]] } }, _is_diff: true })), { details: 'Datum crated by diff has size error' });
  const d = new MemDb();
  d.apply(changesFromRecord(d, { A: { [U1]: { n: 1 } } }));
  d.apply(changesFromRecord(d, { A: { [U1]: { few: ['set', [3]], m: ['map', [['k', 'v']]] } }, _is_diff: true }));
  t.same(d.row('A', U1)?.columns.get('few'), set(0, 3), 'a diff to the default value keeps the default member (3.1.0 lost it)');
  t.same(d.row('A', U1)?.columns.get('m'), map([['k', 'v']]));
  d.apply(changesFromRecord(d, { A: { [U1]: { few: ['set', [5]] } } }));
  t.same(d.row('A', U1)?.columns.get('few'), set(5), 'without _is_diff a value replaces');
  t.match(thrown(() => changesFromRecord(db, { Nope: {} })), { tag: 'unknown table', details: 'No table named Nope.' });
  t.match(thrown(() => changesFromRecord(db, { A: { [U1]: { zz: 1 } } })), { tag: 'unknown column', details: 'No column zz in table A.' });
  t.match(thrown(() => changesFromRecord(db, { A: { [B1]: null } })), { details: `transaction deletes row ${B1} that does not exist` });
  t.match(thrown(() => changesFromRecord(db, { A: { 'not-a-uuid': {} } })), { details: '"not-a-uuid" is not a valid UUID' });
  t.match(thrown(() => changesFromRecord(db, { A: { [U1]: 5 } })), { details: 'row must be JSON object' });
});

t.test('a record Open vSwitch 3.1.0 would misread is written without _is_diff, as full new values', async (t) => {
  const r0 = rowOf(U1, { n: set(1) });
  const toFew = rowOf(U1, { n: set(1), few: set(0, 3), tags: set('a') });
  t.same(txnRecord(schema, changes('A', [[U1, { old: r0, new: rowOf(U1, { n: set(1), tags: set('a') }) }]]), { dateMs: 1 }), { A: { [U1]: { tags: 'a' } }, _is_diff: true, _date: 1 }, 'from an empty default the diff is the value: still a diff');
  t.same(txnRecord(schema, changes('A', [[U1, { old: r0, new: toFew }], [U2, { old: null, new: rowOf(U2, {}) }]]), { dateMs: 2 }), { A: { [U1]: { tags: 'a', few: ['set', [0, 3]] }, [U2]: {} }, _date: 2 }, 'from a min-1 default');
  const four = rowOf(U1, { few: set(1, 2, 3, 4) });
  t.same(txnRecord(schema, changes('A', [[U1, { old: four, new: rowOf(U1, { few: set(5, 6, 7) }) }]]), { dateMs: 3 }), { A: { [U1]: { few: ['set', [5, 6, 7]] } }, _date: 3 }, 'a diff beyond max');
  t.same(txnRecord(schema, changes('A', [[U1, { old: four, new: rowOf(U1, { few: set(1, 2, 5) }) }]]), { dateMs: 4 }), { A: { [U1]: { few: ['set', [3, 4, 5]] } }, _is_diff: true, _date: 4 }, 'a diff within max');
  for (const [old, next] of [[r0, toFew], [four, rowOf(U1, { few: set(5, 6, 7) })]] as const) {
    const db = new MemDb();
    db.apply(changes('A', [[U1, { old: null, new: old }]]));
    db.apply(changesFromRecord(db, txnRecord(schema, changes('A', [[U1, { old, new: next }]]), { dateMs: 5 })));
    t.same(db.row('A', U1)?.columns.get('few'), next.columns.get('few'), 'read back');
  }
});

t.test('record text: strings escaped, reals as %.15g, uuids tagged, comment and date', async (t) => {
  const realSchema = parseDatabaseSchema({ name: 'R', version: '1.0.0', tables: { R: { columns: { x: { type: 'real' }, s: { type: 'string' }, b: { type: 'boolean' }, u: { type: 'uuid' } } } } });
  const row: Row = { uuid: U1, version: 'v', columns: new Map([['x', set(0.1 + 0.2)], ['s', set('a"\\\n')], ['b', { keys: [true] }], ['u', set(U2)]]) };
  const text = txnRecordText(realSchema, changes('R', [[U1, { old: null, new: row }]]), { dateMs: 9, comment: 'c"' });
  t.equal(text, `{"R":{"${U1}":{"x":0.3,"b":true,"u":["uuid","${U2}"],"s":"a\\"\\\\\\n"}},"_comment":"c\\"","_is_diff":true,"_date":9}`);
});

t.test('snapshot record inserts every row with non-default columns', async (t) => {
  const r1 = rowOf(U1, { n: set(5) });
  const rows = new Map([['A', [r1]]]);
  t.same(snapshotRecord(schema, (tn) => rows.get(tn) ?? [], { dateMs: 7, comment: 'c' }), { A: { [U1]: { n: 5 } }, _comment: 'c', _is_diff: true, _date: 7 });
});
