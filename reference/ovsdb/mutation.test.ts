import t from 'tap';
import type { Datum, TableSchema } from './ovsdb-types.ts';
import { applyMutation, parseMutations } from './mutation.ts';
import { OvsdbError } from './errors.ts';
import { loadDatabaseSchema } from './schema.ts';

const here = new URL('.', import.meta.url).pathname;
const root = loadDatabaseSchema(`${here}testdata/engine-test.ovsschema`).tables.get('Root') as TableSchema;
const noSymbols = (): undefined => undefined;

function mutate(json: unknown, value: Datum): unknown {
  try {
    const [m] = parseMutations(root, [json], noSymbols);
    if (!m) throw new Error('no mutation');
    return applyMutation(m, value);
  } catch (e) {
    if (e instanceof OvsdbError) return e.toJson();
    throw e;
  }
}

t.test('arithmetic with OVS overflow, domain and constraint errors', async (t) => {
  t.same(mutate(['i', '+=', 2], { keys: [5] }), { keys: [7] });
  t.same(mutate(['iset', '*=', 2], { keys: [1, 2] }), { keys: [2, 4] });
  t.same(mutate(['iset', '*=', 0], { keys: [1, 2] }), {
    error: 'constraint violation',
    details: 'Result of "*=" operation contains duplicates.',
  });
  t.same(mutate(['i', '/=', 0], { keys: [5] }), { error: 'domain error', details: 'Division by zero.' });
  t.same(mutate(['i', '%=', -3], { keys: [-7] }), { keys: [-1] });
  t.same(mutate(['i', '/=', 2], { keys: [-7] }), { keys: [-3] });
  t.same(mutate(['i', '*=', 4611686018427387904], { keys: [2] }), { error: 'range error', details: 'Result of "*=" operation is out of range.' });
  t.same(mutate(['small', '-=', 1], { keys: [0] }), { error: 'constraint violation', details: '-1 is not in the valid range 0 to 100 (inclusive)' });
  t.same(mutate(['r', '*=', 1e300], { keys: [1e300] }), { error: 'range error', details: 'Result of "*=" operation is out of range.' });
  t.ok(Object.is((mutate(['r', '*=', -1], { keys: [0] }) as Datum).keys[0], -0), 'real 0 * -1 is -0, as in C');
});

t.test('insert and delete on sets and maps', async (t) => {
  t.same(mutate(['sset', 'insert', ['set', ['x', 'y']]], { keys: ['a'] }), {
    error: 'constraint violation',
    details: 'Attempted to store 3 elements in set of 1 to 2 strings.',
  });
  t.same(mutate(['smap', 'insert', ['map', [['a', 'new'], ['c', '3']]]], { keys: ['a'], values: ['old'] }), {
    keys: ['a', 'c'],
    values: ['old', '3'],
  });
  t.same(mutate(['smap', 'delete', ['map', [['a', 'other']]]], { keys: ['a'], values: ['old'] }), { keys: ['a'], values: ['old'] });
  t.same(mutate(['smap', 'delete', ['set', ['a']]], { keys: ['a'], values: ['old'] }), { keys: [], values: [] });
});

t.test('parse errors', async (t) => {
  t.same(mutate(['fixed', '+=', 1], { keys: [''] }), {
    error: 'constraint violation',
    details: 'Cannot mutate immutable column fixed in table Root.',
    syntax: '["fixed","+=",1]',
  });
  t.same(mutate(['name', '+=', 1], { keys: [''] }), {
    error: 'syntax error',
    details: 'Type mismatch: "+=" operator may not be applied to column name of type string.',
    syntax: '["name","+=",1]',
  });
  t.same(mutate(['r', '%=', 1], { keys: [0] }), {
    error: 'syntax error',
    details: 'Type mismatch: "%=" operator may not be applied to column r of type real.',
    syntax: '["r","%=",1]',
  });
  t.same(mutate(['i', '^=', 1], { keys: [0] }), { error: 'unknown mutator', details: 'No mutator named ^=.' });
});
