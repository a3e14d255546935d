import t from 'tap';
import type { ColumnType } from './ovsdb-types.ts';
import {
  applyDatumDiff,
  compareAtoms,
  datumDiff,
  datumEquals,
  datumFromJson,
  datumToJson,
  datumToString,
  defaultDatum,
  makeDatum,
} from './datum.ts';
import { OvsdbError } from './errors.ts';
import { formatReal, ovsdbJsonToString } from './json-text.ts';

const intSet: ColumnType = { key: { type: 'integer' }, min: 0, max: Infinity };
const strMap: ColumnType = { key: { type: 'string' }, value: { type: 'string' }, min: 0, max: Infinity };
const small: ColumnType = { key: { type: 'integer', minInteger: 0, maxInteger: 100 }, min: 1, max: 1 };
const color: ColumnType = { key: { type: 'string', enum: { keys: ['blue', 'green', 'red'] } }, min: 0, max: 1 };
const uuidRef: ColumnType = { key: { type: 'uuid', refTable: 'T', refType: 'strong' }, min: 0, max: Infinity };

function err(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (e instanceof OvsdbError) return e.toJson();
    throw e;
  }
  return null;
}

t.test('atom order: numbers, booleans, strings by UTF-8 bytes', async (t) => {
  t.equal(compareAtoms(1, 2), -1);
  t.equal(compareAtoms(false, true), -1);
  t.equal(compareAtoms('B', 'a'), -1);
  // U+FFFD (3 UTF-8 bytes EF..) sorts before U+1F600 (4 bytes F0..) although its UTF-16 unit is higher.
  t.equal(compareAtoms('\ufffd', '\u{1f600}'), -1);
  t.equal(compareAtoms('ab', 'a'), 1);
});

t.test('parse and print sets, maps, scalars', async (t) => {
  const d = datumFromJson(intSet, ['set', [3, 1, 2]]);
  t.same(d, { keys: [1, 2, 3] });
  t.same(datumToJson(intSet, d), ['set', [1, 2, 3]]);
  t.same(datumToJson(intSet, datumFromJson(intSet, 7)), 7);
  const m = datumFromJson(strMap, ['map', [['b', 'x'], ['a', 'y']]]);
  t.same(m, { keys: ['a', 'b'], values: ['y', 'x'] });
  t.same(datumToJson(strMap, m), ['map', [['a', 'y'], ['b', 'x']]]);
  const u = datumFromJson(uuidRef, ['uuid', '0000000A-0000-0000-0000-000000000000']);
  t.same(datumToJson(uuidRef, u), ['uuid', '0000000a-0000-0000-0000-000000000000']);
  const named = datumFromJson(uuidRef, ['named-uuid', 'r1'], new Map([['r1', '11111111-1111-1111-1111-111111111111']]));
  t.same(named.keys, ['11111111-1111-1111-1111-111111111111']);
});

t.test('errors as ovsdb-server 3.1 reports them', async (t) => {
  t.same(err(() => datumFromJson(small, 101)), {
    error: 'constraint violation',
    details: '101 is not in the valid range 0 to 100 (inclusive)',
  });
  t.same(err(() => datumFromJson(color, 'pink')), {
    error: 'constraint violation',
    details: 'pink is not one of the allowed values ([blue, green, red])',
  });
  t.same(err(() => datumFromJson(intSet, ['set', [1, 1]])), { error: 'ovsdb error', details: 'set contains duplicate' });
  t.same(err(() => datumFromJson(strMap, ['set', []])), {
    error: 'syntax error',
    details: 'expected ["map", <array>]',
    syntax: '["set",[]]',
  });
  t.same(err(() => datumFromJson(small, 'x')), { error: 'syntax error', details: 'expected integer', syntax: '"x"' });
  t.same(err(() => datumFromJson({ ...intSet, max: 2 }, ['set', [1, 2, 3]])), {
    error: 'syntax error',
    details: 'set must have 0 to 2 members but 3 are present',
    syntax: '["set",[1,2,3]]',
  });
  t.same(err(() => datumFromJson(uuidRef, ['uuid', 'nope'])), {
    error: 'syntax error',
    details: '"nope" is not a valid UUID',
    syntax: '["uuid","nope"]',
  });
});

t.test('defaults, make, equality, text', async (t) => {
  t.same(defaultDatum(small), { keys: [0] });
  t.same(defaultDatum(intSet), { keys: [] });
  t.same(makeDatum(strMap, ['b', 'a', 'b'], ['1', '2', '3']), { keys: ['a', 'b'], values: ['2', '1'] });
  t.ok(datumEquals(makeDatum(intSet, [2, 1]), { keys: [1, 2] }));
  t.equal(datumToString(strMap, makeDatum(strMap, ['a b', 'c'], ['true', 'x'])), '{"a b"="true", c=x}');
  t.equal(datumToString(small, { keys: [5] }), '5');
});

t.test('diff and apply', async (t) => {
  const a = makeDatum(strMap, ['a', 'b', 'c'], ['1', '2', '3']);
  const b = makeDatum(strMap, ['b', 'c', 'd'], ['2', '9', '4']);
  const d = datumDiff(strMap, a, b);
  t.same(d, { keys: ['a', 'c', 'd'], values: ['1', '9', '4'] });
  t.same(applyDatumDiff(strMap, a, d), b);
  const s1 = makeDatum(intSet, [1, 2, 3]);
  const s2 = makeDatum(intSet, [3, 4]);
  t.same(applyDatumDiff(intSet, s1, datumDiff(intSet, s1, s2)), s2);
  t.same(datumDiff(small, { keys: [1] }, { keys: [2] }), { keys: [2] });
});

t.test('OVS JSON text: %.15g reals, sorted keys', async (t) => {
  t.equal(formatReal(0.1 + 0.2), '0.3');
  t.equal(formatReal(1e20), '1e+20');
  t.equal(formatReal(-2.5e-7), '-2.5e-07');
  t.equal(ovsdbJsonToString({ b: 1, a: [1.5, 'x\n'] }, true), '{"a":[1.5,"x\\n"],"b":1}');
});
