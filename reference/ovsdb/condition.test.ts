import t from 'tap';
import type { ColumnType, Datum, TableSchema } from './ovsdb-types.ts';
import { evaluateCondition, parseCondition, rowMatches, typeToEnglish } from './condition.ts';
import { OvsdbError } from './errors.ts';
import { loadDatabaseSchema } from './schema.ts';

const here = new URL('.', import.meta.url).pathname;
const root = loadDatabaseSchema(`${here}testdata/engine-test.ovsschema`).tables.get('Root') as TableSchema;
const noSymbols = (): undefined => undefined;

const row = {
  uuid: '11111111-1111-4111-8111-111111111111',
  version: '22222222-2222-4222-8222-222222222222',
  columns: new Map<string, Datum>([
    ['i', { keys: [5] }],
    ['color', { keys: [] }],
    ['iset', { keys: [1, 2, 3] }],
    ['smap', { keys: ['a', 'b'], values: ['1', '2'] }],
  ]),
};

function matches(where: unknown[]): boolean {
  const cond = parseCondition(root, where, noSymbols);
  const viaGetter = evaluateCondition(cond, (c) => row.columns.get(c) ?? { keys: c === '_uuid' ? [row.uuid] : [] });
  const direct = rowMatches(cond, row);
  if (viaGetter !== direct) throw new Error('evaluateCondition and rowMatches disagree');
  return direct;
}

function err(where: unknown[]): unknown {
  try {
    parseCondition(root, where, noSymbols);
  } catch (e) {
    if (e instanceof OvsdbError) return e.toJson();
    throw e;
  }
  return null;
}

t.test('functions on scalars, optional scalars, sets and maps', async (t) => {
  t.ok(matches([['i', '<', 6], ['i', '<=', 5], ['i', '>=', 5], ['i', '>', 4], ['i', '==', 5], ['i', '!=', 4]]));
  t.notOk(matches([['i', 'excludes', 5]]));
  t.notOk(matches([['i', '<', 5]]));
  t.ok(matches([['iset', 'includes', ['set', [1, 3]]], ['iset', 'excludes', ['set', [4]]]]));
  t.notOk(matches([['iset', 'includes', 4]]));
  t.ok(matches([['smap', 'includes', ['map', [['a', '1']]]], ['smap', 'excludes', ['map', [['a', '2']]]]]));
  t.ok(matches([['color', '==', ['set', []]]]));
  t.ok(matches([['_uuid', '==', ['uuid', row.uuid]]]));
  t.ok(matches([true]));
  t.notOk(matches([true, false]));
  t.ok(matches([]));
});

t.test('errors as ovsdb-server 3.1 reports them', async (t) => {
  t.same(err([['i', '~', 1]]), { error: 'unknown function', details: 'No function named ~.' });
  t.same(err([['zz', '==', 1]]), { error: 'unknown column', details: 'No column zz in table Root.', syntax: '["zz","==",1]' });
  t.same(err([['i', '==']]), { error: 'syntax error', details: 'Parse error in condition.', syntax: '["i","=="]' });
  t.same(err([['iset', '<', 2]]), {
    error: 'syntax error',
    details: 'Type mismatch: "<" operator may not be applied to column iset of type set of integers.',
    syntax: '["iset","<",2]',
  });
});

t.test('types in English', async (t) => {
  const m: ColumnType = { key: { type: 'integer' }, value: { type: 'string' }, min: 1, max: 5 };
  t.equal(typeToEnglish(m), 'map of 1 to 5 (integer, string) pairs');
  t.equal(typeToEnglish({ key: { type: 'string' }, min: 0, max: 2 }), 'set of up to 2 strings');
  t.equal(typeToEnglish({ key: { type: 'uuid' }, min: 1, max: Infinity }), 'set of 1 or more uuids');
  t.equal(typeToEnglish({ key: { type: 'real' }, min: 1, max: 1 }), 'real');
});
