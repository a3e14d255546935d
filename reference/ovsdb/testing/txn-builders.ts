/**
 * The transaction builders of the differential generator: each makes one
 * transaction of a kind (insert with named uuids, selects with every
 * condition function, every mutator, garbage collection, weak references,
 * waits, commit/comment/abort/assert), from the model's known rows.
 * txn-errors.ts adds one builder per error class; `BUILDERS` lists both.
 *
 * Invariant: a builder only reads the model (observe() updates it) and
 * draws every choice from the Rng, so a sequence is reproducible.
 * `weight` sets how often the builder is drawn after the first round.
 */
import type { DiffModel, DiffTable, Learn, Rng } from './txn-generator.ts';
import { ERROR_BUILDERS } from './txn-errors.ts';
import {
  byUuid, CONDITION_FUNCTIONS, leafRow, mapJson, namedJson, randomWhere, REALS, rootClause, rootRow, rootValue,
  setJson, someRow, STRINGS, uuidJson,
} from './txn-values.ts';

export interface Built {
  readonly ops: unknown[];
  readonly learn?: Learn[];
  readonly db?: string;
}

export interface Builder {
  readonly name: string;
  readonly weight: number;
  readonly covers: readonly string[];
  /** How many fixed variants `build` has (default 1); the first round builds each once. */
  readonly variants?: number;
  /** `variant` picks one of the fixed variants; undefined = drawn at random. */
  build(rng: Rng, model: DiffModel, variant?: number): Built;
}

const NONE: Learn = { type: 'none' };

/** Insert ops for `n` Children under fresh symbols (optionally pointing at a known Leaf, weakly). */
function childInserts(rng: Rng, model: DiffModel, n: number): { ops: unknown[]; symbols: string[] } {
  const symbols: string[] = [];
  const ops: unknown[] = [];
  for (let k = 0; k < n; k += 1) {
    const sym = model.freshSymbol();
    symbols.push(sym);
    const row: Record<string, unknown> = { name: model.freshName('c'), n: rng.int(-3, 3) };
    if (model.rows.Leaf.length > 0 && rng.chance(0.5)) row['leaf'] = uuidJson(someRow(rng, model, 'Leaf'));
    ops.push({ op: 'insert', table: 'Child', row, 'uuid-name': sym });
  }
  return { ops, symbols };
}

const insertRoot: Builder = {
  name: 'insert Root (+ Children by named-uuid)',
  weight: 8,
  covers: ['op:insert', 'named-uuid', 'gc'],
  build(rng, model) {
    const kids = childInserts(rng, model, rng.int(0, 3));
    const name = model.freshName();
    const root = { op: 'insert', table: 'Root', row: rootRow(rng, model, name, kids.symbols) };
    const learn: Learn[] = [...kids.ops.map(() => NONE), { type: 'insert', table: 'Root', name }];
    return { ops: [...kids.ops, root], learn };
  },
};

const insertLeaf: Builder = {
  name: 'insert Leaf',
  weight: 5,
  covers: ['op:insert', 'index'],
  build(rng) {
    const n = rng.int(1, 2);
    const ops = Array.from({ length: n }, () => ({ op: 'insert', table: 'Leaf', row: leafRow(rng) }));
    return { ops, learn: ops.map((): Learn => ({ type: 'insert', table: 'Leaf' })) };
  },
};

const insertPin: Builder = {
  name: 'insert Pin (weak ref, min 1)',
  weight: 2,
  covers: ['op:insert', 'weak', 'maxRows'],
  build(rng, model) {
    // Each Pin gets a Leaf of its own, so deleting a Leaf empties at most one Pin (which one would be hash order).
    const sym = model.freshSymbol();
    const leaf = { op: 'insert', table: 'Leaf', 'uuid-name': sym, row: leafRow(rng) };
    const pin = { op: 'insert', table: 'Pin', row: { leaf: namedJson(sym), note: rng.pick(STRINGS) } };
    return { ops: [leaf, pin], learn: [{ type: 'insert', table: 'Leaf' }, { type: 'insert', table: 'Pin' }] };
  },
};

const refresh: Builder = {
  name: 'select every table (refresh)',
  weight: 4,
  covers: ['op:select'],
  build(rng) {
    const tables: DiffTable[] = ['Root', 'Child', 'Leaf', 'Pin'];
    const ops: unknown[] = tables.map((table) => ({ op: 'select', table, where: [], columns: ['_uuid'] }));
    const learn: Learn[] = tables.map((table) => ({ type: 'refresh', table }));
    const full = rng.pick(tables);
    ops.push(rng.chance(0.5) ? { op: 'select', table: full, where: [] } : { op: 'select', table: full, where: [], columns: [] });
    return { ops, learn: [...learn, NONE] };
  },
};

const selectEveryFunction: Builder = {
  name: 'select with every condition function',
  weight: 3,
  covers: ['op:select', ...CONDITION_FUNCTIONS.map((f) => `cond:${f}`), 'cond:true', 'cond:false'],
  build(rng, model) {
    const ops: unknown[] = CONDITION_FUNCTIONS.map((fn) => ({
      op: 'select', table: 'Root', where: [rootClause(rng, model, fn)], columns: ['name', 'i', 'sset', 'kids'],
    }));
    ops.push({ op: 'select', table: 'Root', where: [true], columns: ['name'] });
    ops.push({ op: 'select', table: 'Leaf', where: [false, ['v', '>=', 0]] });
    return { ops };
  },
};

const selectRandom: Builder = {
  name: 'select with random where',
  weight: 4,
  covers: ['op:select'],
  build(rng, model) {
    const columns = rng.some(['name', 'i', 'r', 'b', 's', 'smap', 'imap', 'weak', 'wmap', 'eph', 'born', '_uuid', '_version'], rng.int(1, 5));
    return { ops: [{ op: 'select', table: 'Root', where: randomWhere(rng, model), columns }] };
  },
};

const updateRoot: Builder = {
  name: 'update Root (by uuid or condition)',
  weight: 6,
  covers: ['op:update'],
  build(rng, model) {
    const row: Record<string, unknown> = {};
    for (const c of rng.some(['i', 'r', 'rc', 'b', 's', 'u', 'color', 'iset', 'sset', 'rset', 'smap', 'imap', 'weak', 'wmap', 'eph'], rng.int(1, 4))) {
      row[c] = rootValue(rng, model, c);
    }
    if (rng.chance(0.3)) row['kids'] = setJson(rng, []);
    const where = rng.chance(0.6) ? byUuid(someRow(rng, model, 'Root')) : randomWhere(rng, model);
    return { ops: [{ op: 'update', table: 'Root', where, row }] };
  },
};

/** [column, mutator, argument] triples that are well-typed on Root. */
function mutation(rng: Rng, model: DiffModel, mutator: string): unknown[] {
  switch (mutator) {
    case '+=': case '-=': return [rng.pick(['i', 'r', 'iset', 'rc']), mutator, rng.pick([0, 1, 3])];
    case '*=': return [rng.pick(['i', 'r', 'rc']), mutator, rng.pick([1, 2, -1])];
    case '/=': return [rng.pick(['i', 'r']), mutator, rng.pick([1, 2, -3])];
    case '%=': return ['i', mutator, rng.pick([7, 3, -4])];
    case 'insert': {
      const c = rng.pick(['sset', 'smap', 'iset', 'weak', 'imap']);
      return [c, mutator, rootValue(rng, model, c)];
    }
    default: {
      const c = rng.pick(['sset', 'smap', 'iset', 'kids', 'weak', 'wmap']);
      if (c === 'smap' && rng.chance(0.5)) return [c, mutator, setJson(rng, rng.some(STRINGS, 2))];
      if (c === 'kids') return [c, mutator, setJson(rng, rng.some(model.rows.Child, 1).map(uuidJson))];
      return [c, mutator, rootValue(rng, model, c)];
    }
  }
}

/** A mutation that succeeds on any Root row. */
function safeMutation(rng: Rng, model: DiffModel): unknown[] {
  switch (rng.int(0, 4)) {
    case 0: return [rng.pick(['i', 'r', 'iset']), rng.pick(['+=', '-=']), 0];
    case 1: return [rng.pick(['i', 'r', 'rc']), rng.pick(['*=', '/=']), 1];
    case 2: return ['sset', rng.pick(['insert', 'delete']), rootValue(rng, model, 'sset')];
    case 3: return ['smap', rng.pick(['insert', 'delete']), rootValue(rng, model, 'smap')];
    default: return [rng.pick(['weak', 'kids', 'wmap']), 'delete', setJson(rng, [])];
  }
}

const MUTATORS = ['+=', '-=', '*=', '/=', '%=', 'insert', 'delete'] as const;

const mutateEveryMutator: Builder = {
  name: 'mutate with every mutator',
  weight: 3,
  covers: ['op:mutate', ...MUTATORS.map((m) => `mut:${m}`)],
  build(rng, model) {
    const where = byUuid(someRow(rng, model, 'Root'));
    const ops = MUTATORS.map((m) => ({ op: 'mutate', table: 'Root', where, mutations: [mutation(rng, model, m)] }));
    return { ops };
  },
};

const mutateRandom: Builder = {
  name: 'mutate (random mutations, random where)',
  weight: 5,
  covers: ['op:mutate'],
  build(rng, model) {
    // Over several rows only mutations that cannot fail: which row fails first is hash order.
    const oneRow = rng.chance(0.5);
    const mutations = Array.from({ length: rng.int(1, 3) }, () => (oneRow ? mutation(rng, model, rng.pick(MUTATORS)) : safeMutation(rng, model)));
    const where = oneRow ? byUuid(someRow(rng, model, 'Root')) : randomWhere(rng, model);
    return { ops: [{ op: 'mutate', table: 'Root', where, mutations }] };
  },
};

const deleteRows: Builder = {
  name: 'delete Leaf or Root by uuid (weak refs dropped, Children collected)',
  weight: 3,
  covers: ['op:delete', 'weak', 'gc'],
  build(rng, model) {
    const table: DiffTable = rng.chance(0.5) ? 'Leaf' : 'Root';
    const token = someRow(rng, model, table);
    return { ops: [{ op: 'delete', table, where: byUuid(token) }], learn: [{ type: 'delete', table, token }] };
  },
};

const garbage: Builder = {
  name: 'garbage collection of unreferenced Children (orphans, cycles, dropped kids)',
  weight: 2,
  covers: ['gc', 'named-uuid', 'op:select', 'op:update'],
  build(rng, model) {
    const a = model.freshSymbol();
    const b = model.freshSymbol();
    const ops: unknown[] = [
      { op: 'insert', table: 'Child', 'uuid-name': a, row: { name: 'cyc-a', kids: namedJson(b) } },
      { op: 'insert', table: 'Child', 'uuid-name': b, row: { name: 'cyc-b', kids: namedJson(a) } },
      { op: 'select', table: 'Child', where: [['name', 'includes', 'cyc-a']], columns: ['name', 'kids'] },
    ];
    if (model.rows.Root.length > 0) ops.push({ op: 'update', table: 'Root', where: byUuid(someRow(rng, model, 'Root')), row: { kids: ['set', []] } });
    // A forward reference: the Root names a Child inserted after it.
    const later = model.freshSymbol();
    const name = model.freshName();
    ops.push({ op: 'insert', table: 'Root', row: { name, kids: namedJson(later) } });
    ops.push({ op: 'insert', table: 'Child', 'uuid-name': later, row: { name: 'fwd', n: rng.int(0, 9) } });
    ops.push({ op: 'update', table: 'Root', where: [['name', '==', name]], row: {} });
    const learn: Learn[] = ops.map((_, i) => (i === ops.length - 3 ? { type: 'insert', table: 'Root', name } : NONE));
    return { ops, learn };
  },
};

const waitOk: Builder = {
  name: 'wait (until == and !=, satisfied)',
  weight: 2,
  covers: ['op:wait'],
  build(rng, model) {
    return {
      ops: [
        { op: 'wait', table: 'Leaf', timeout: 0, where: [['v', '==', -1]], columns: ['v'], until: '==', rows: [] },
        { op: 'wait', table: 'Root', where: byUuid(someRow(rng, model, 'Root')), columns: ['i', 'b'], until: '!=', rows: [{ i: -99, b: true }] },
        { op: 'wait', table: 'Root', timeout: 1000, where: [['name', '==', 'nobody']], columns: [], until: '==', rows: [] },
      ],
    };
  },
};

const commitComment: Builder = {
  name: 'comment + commit (durable or not) + insert',
  weight: 2,
  covers: ['op:comment', 'op:commit'],
  build(rng) {
    const ops = [
      { op: 'comment', comment: rng.pick(['first', 'second é']) },
      { op: 'insert', table: 'Leaf', row: leafRow(rng) },
      { op: 'commit', durable: rng.chance(0.5) },
      { op: 'comment', comment: 'again' },
    ];
    return { ops, learn: [NONE, { type: 'insert', table: 'Leaf' }, NONE, NONE] };
  },
};

const assertOwned: Builder = {
  name: 'assert a lock this session holds',
  weight: 1,
  covers: ['op:assert'],
  build(rng) {
    return { ops: [{ op: 'assert', lock: 'owned' }, { op: 'select', table: 'Leaf', where: [['v', '<', rng.int(0, 6)]], columns: ['v', 'tag'] }] };
  },
};

const insertExplicitUuid: Builder = {
  name: 'insert with an explicit uuid',
  weight: 1,
  covers: ['op:insert'],
  build(rng) {
    const uuid = `e0000000-0000-4000-8000-${String(rng.int(0, 999)).padStart(12, '0')}`;
    return { ops: [{ op: 'insert', table: 'Leaf', uuid, row: { v: rng.int(100, 200), tag: 'c' } }], learn: [{ type: 'insert', table: 'Leaf' }] };
  },
};

const mapsAndReals: Builder = {
  name: 'update and read back maps, reals and ordering',
  weight: 2,
  covers: ['op:update', 'op:select'],
  build(rng, model) {
    const where = byUuid(someRow(rng, model, 'Root'));
    const row = {
      rset: setJson(rng, rng.some(REALS, 3)),
      sset: ['set', rng.some(STRINGS, 4)],
      smap: mapJson(rng.some(STRINGS, 3).map((k) => [k, rng.pick(STRINGS)])),
    };
    return { ops: [{ op: 'update', table: 'Root', where, row }, { op: 'select', table: 'Root', where, columns: ['rset', 'sset', 'smap'] }] };
  },
};

export const BUILDERS: readonly Builder[] = [
  insertLeaf, insertRoot, insertPin, refresh, selectEveryFunction, selectRandom, updateRoot, mutateEveryMutator,
  mutateRandom, deleteRows, garbage, waitOk, commitComment, assertOwned, insertExplicitUuid, mapsAndReals,
  ...ERROR_BUILDERS,
];
