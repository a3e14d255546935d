/**
 * Builders of failing transactions, one per error class ovsdb-server 3.1
 * reports (RFC 7047 §4.1.3 and §5.2 plus Open vSwitch's own): syntax
 * errors, unknown table/column/database, constraint violations (ranges,
 * enums, lengths, cardinality, immutable columns, weak references with
 * min 1, duplicate results of a mutation), referential integrity,
 * duplicate uuid-name and uuid, domain and range errors of mutators, a
 * `wait` that times out (at once and after a short timeout), `assert` of a
 * lock not held, `abort`, index duplicates, maxRows.
 *
 * Each builder draws one of several variants; most put a valid operation
 * first, so the result array's shape (entries up to the failing one, the
 * extra entry for commit-time errors) is compared too.
 */
import type { Builder } from './txn-builders.ts';
import type { DiffModel, Rng } from './txn-generator.ts';
import { byUuid, leafRow, LITERAL_UUIDS, namedJson, rootRow, someRow, uuidJson } from './txn-values.ts';

type Variant = (rng: Rng, model: DiffModel) => unknown[];

function variants(name: string, covers: string[], list: readonly Variant[], weight = 1): Builder {
  return {
    name, weight, covers, variants: list.length,
    build: (rng, model, variant) => ({ ops: (variant === undefined ? rng.pick(list) : (list[variant] as Variant))(rng, model) }),
  };
}

const aLeafSelect = { op: 'select', table: 'Leaf', where: [], columns: ['v'] };

const syntax = variants('error: syntax', ['err:syntax error'], [
  () => [aLeafSelect, {}],
  () => [{ op: 'frobnicate', table: 'Root' }],
  () => [{ op: 'insert', row: {} }],
  () => [{ op: 'insert', table: 'Leaf', row: [] }],
  () => [{ op: 'select', table: 'Root', where: {} }],
  () => [{ op: 'select', table: 'Root', where: [['i', 'like', 3]] }],
  () => [{ op: 'select', table: 'Root', where: [['s', '<', 'x']] }],
  () => [{ op: 'select', table: 'Root', where: [['i', '==']] }],
  () => [{ op: 'select', table: 'Root', where: [], columns: 'name' }],
  () => [{ op: 'mutate', table: 'Root', where: [], mutations: [['i', '^=', 2]] }],
  () => [{ op: 'mutate', table: 'Root', where: [], mutations: [['r', '%=', 2]] }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'x', i: 'seven' } }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'x', i: 2.5 } }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'x', u: ['uuid', 'not-a-uuid'] } }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'x', smap: ['map', [['a']]] } }],
  () => [{ op: 'insert', table: 'Leaf', row: { v: 1, tag: 'a' }, 'uuid-name': '9bad' }],
  () => [{ op: 'wait', table: 'Leaf', where: [], columns: ['v'], until: '<', rows: [] }],
  () => [{ op: 'wait', table: 'Leaf', where: [], columns: ['v'], until: '==', rows: [], timeout: -1 }],
  () => [{ op: 'commit', durable: 'yes' }],
  () => [{ op: 'update', table: 'Root', where: [], row: { _uuid: ['uuid', LITERAL_UUIDS[0]] } }],
  () => [5],
  () => [{ op: 'assert', lock: 'not-an-id' }],
  () => [{ op: 'select', table: 'Leaf', where: [], columns: ['v', 'v'] }],
  () => [{ op: 'insert', table: 'Leaf', row: { v: 1, tag: 'a', _version: ['uuid', LITERAL_UUIDS[0]] } }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'x', iset: ['set', [3, 3]] } }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'x', imap: ['map', [[1, 'a'], [1, 'b']]] } }],
  () => [{ op: 'wait', table: 'Leaf', timeout: 0, where: [], columns: ['v'], until: '==', rows: [{ tag: 'a' }] }],
  () => [{ op: 'mutate', table: 'Root', where: [], mutations: [['_uuid', 'insert', ['set', []]]] }],
], 2);

const unknownNames = variants('error: unknown table, column or database', ['err:syntax error', 'err:unknown column', 'err:unknown database'], [
  () => [{ op: 'insert', table: 'Nope', row: {} }],
  () => [{ op: 'insert', table: 'Leaf', row: { v: 1, tag: 'a', nope: 2 } }],
  () => [{ op: 'select', table: 'Root', where: [['nope', '==', 1]] }],
  () => [{ op: 'select', table: 'Leaf', where: [], columns: ['v', 'nope'] }],
  () => [{ op: 'mutate', table: 'Root', where: [], mutations: [['nope', '+=', 1]] }],
  () => [{ op: 'wait', table: 'Leaf', timeout: 0, where: [], columns: ['nope'], until: '==', rows: [] }],
]);

const unknownDatabase: Builder = {
  name: 'error: unknown database',
  weight: 1,
  covers: ['err:unknown database'],
  build: () => ({ db: 'Nope', ops: [aLeafSelect] }),
};

const constraint = variants('error: constraint violation', ['err:constraint violation'], [
  (rng, m) => [{ op: 'insert', table: 'Root', row: { ...rootRow(rng, m, m.freshName(), []), i: 1001 } }],
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), rc: -11 } }],
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), color: 'purple' } }],
  () => [{ op: 'insert', table: 'Root', row: { name: 'much-too-long-name' } }],
  () => [{ op: 'insert', table: 'Root', row: {} }],
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), iset: ['set', [1, 2, 3, 4, 5, 6]] } }],
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), imap: ['map', [[1, 'abcde']]] } }],
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), rset: ['set', []] } }],
  () => [{ op: 'insert', table: 'Leaf', row: { v: 1 } }],
  (rng, m) => [{ op: 'update', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), row: { born: 5 } }],
  (rng, m) => [{ op: 'mutate', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), mutations: [['born', '+=', 1]] }],
  (rng, m) => [{ op: 'mutate', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), mutations: [['i', '+=', 5000]] }],
  (rng, m) => [{ op: 'mutate', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), mutations: [['rc', '*=', 1000]] }],
  (rng, m) => [{ op: 'mutate', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), mutations: [['iset', 'insert', ['set', [90, 91, 92, 93, 94, 95]]]] }],
  (rng, m) => [
    { op: 'update', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), row: { iset: ['set', [1, 2]] } },
    { op: 'mutate', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), mutations: [['iset', '*=', 0]] },
  ],
  (rng, m) => [{ op: 'mutate', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), mutations: [['rset', 'delete', ['set', [0, -0.5, 2.5, 0.1, 1e21, 1e-7, 123456789.125, -3, 7]]]] }],
  () => [{ op: 'insert', table: 'Pin', row: {} }],
  (rng, m) => [{ op: 'delete', table: 'Leaf', where: byUuid(someRow(rng, m, 'Leaf')) }],
], 2);

const referential = variants('error: referential integrity violation', ['err:referential integrity violation'], [
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), kids: uuidJson(LITERAL_UUIDS[1]) } }],
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.freshName(), kids: namedJson('nobody') } }],
  (rng, m) => [{ op: 'update', table: 'Root', where: byUuid(someRow(rng, m, 'Root')), row: { kmap: ['map', [['z', uuidJson(LITERAL_UUIDS[0])]]] } }],
  (rng, m) => [{ op: 'delete', table: 'Child', where: byUuid(someRow(rng, m, 'Child')) }],
], 2);

// Two builders, not two variants of one: the first round calls each builder
// once, so each error class is drawn whatever the seed.
const duplicateName = variants('error: duplicate uuid-name', ['err:duplicate uuid-name'], [
  (rng) => [
    { op: 'insert', table: 'Leaf', row: leafRow(rng), 'uuid-name': 'twice' },
    { op: 'insert', table: 'Leaf', row: leafRow(rng), 'uuid-name': 'twice' },
  ],
]);

const duplicateUuid = variants('error: duplicate uuid', ['err:duplicate uuid'], [
  () => [
    { op: 'insert', table: 'Leaf', uuid: LITERAL_UUIDS[1], row: { v: 50, tag: 'a' } },
    { op: 'insert', table: 'Leaf', uuid: LITERAL_UUIDS[1], row: { v: 51, tag: 'a' } },
  ],
]);

/** A fresh Root row inserted first, so the mutation has a row to fail on. */
function withFreshRoot(m: DiffModel, row: Record<string, unknown>, mutation: unknown[]): unknown[] {
  const name = m.freshName();
  return [
    { op: 'insert', table: 'Root', row: { name, ...row } },
    { op: 'mutate', table: 'Root', where: [['name', '==', name]], mutations: [mutation] },
  ];
}

const domain = variants('error: domain error', ['err:domain error'], [
  (rng, m) => withFreshRoot(m, { i: 5, iset: ['set', [1, 2]] }, [rng.pick(['i', 'iset']), rng.pick(['/=', '%=']), 0]),
  (rng, m) => withFreshRoot(m, { r: 2.5 }, ['r', '/=', 0]),
]);

const range = variants('error: range error', ['err:range error'], [
  (rng, m) => withFreshRoot(m, { r: 1e308 }, ['r', rng.pick(['*=', '+=']), 1e308]),
  (rng, m) => withFreshRoot(m, { r: -1e308 }, ['r', rng.pick(['-=', '*=']), 1e308]),
]);

const timedOut = variants('error: wait timed out', ['err:timed out'], [
  () => [{ op: 'wait', table: 'Leaf', timeout: 0, where: [], columns: ['v'], until: '==', rows: [{ v: -42 }] }],
  (rng, m) => [{ op: 'wait', table: 'Root', timeout: 0, where: byUuid(someRow(rng, m, 'Root')), columns: ['name'], until: '==', rows: [{ name: 'no-such' }] }],
  () => [aLeafSelect, { op: 'wait', table: 'Leaf', timeout: 30, where: [['v', '==', -7]], columns: ['v'], until: '!=', rows: [] }],
]);

const notOwner: Builder = {
  name: 'error: assert a lock not held',
  weight: 1,
  covers: ['err:not owner'],
  build: () => ({ ops: [{ op: 'assert', lock: 'owned' }, { op: 'assert', lock: 'nevertaken' }] }),
};

const aborted: Builder = {
  name: 'error: abort',
  weight: 1,
  covers: ['op:abort', 'err:aborted'],
  build: (rng) => ({ ops: [{ op: 'insert', table: 'Leaf', row: leafRow(rng) }, { op: 'abort' }, aLeafSelect] }),
};

const indexDuplicate = variants('error: index duplicate', ['err:constraint violation', 'index'], [
  (rng, m) => {
    const name = m.freshName();
    return [{ op: 'insert', table: 'Root', row: { name } }, { op: 'insert', table: 'Root', row: { name } }];
  },
  (rng, m) => [{ op: 'insert', table: 'Root', row: { name: m.rootNames.get(someRow(rng, m, 'Root')) ?? 'n1' } }],
  (rng, m) => {
    const row = { v: m.freshNumber(), tag: 'b' };
    return [{ op: 'insert', table: 'Leaf', row }, { op: 'insert', table: 'Leaf', row }];
  },
  (rng, m) => {
    const v = m.freshNumber();
    return [
      { op: 'insert', table: 'Leaf', row: { v, tag: 'c' } },
      { op: 'update', table: 'Leaf', where: byUuid(someRow(rng, m, 'Leaf')), row: { v, tag: 'c' } },
    ];
  },
]);

const maxRows = variants('error: maxRows', ['err:constraint violation', 'maxRows'], [
  (rng, m) => [0, 1, 2].flatMap(() => {
    const sym = m.freshSymbol();
    return [
      { op: 'insert', table: 'Leaf', 'uuid-name': sym, row: leafRow(rng) },
      { op: 'insert', table: 'Pin', row: { leaf: namedJson(sym) } },
    ];
  }),
]);

export const ERROR_BUILDERS: readonly Builder[] = [
  syntax, unknownNames, unknownDatabase, constraint, referential, duplicateName, duplicateUuid, domain, range, timedOut, notOwner, aborted,
  indexDuplicate, maxRows,
];
