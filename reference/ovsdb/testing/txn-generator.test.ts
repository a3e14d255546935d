/**
 * The transaction generator without any server: reproducible from its
 * seed, as many transactions as asked, and its first round covers every
 * operation, condition function, mutator and error class it promises.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { DIFF_SCHEMA_PATH, type GeneratedTxn, Rng, TxnGenerator } from './txn-generator.ts';
import { BUILDERS } from './txn-builders.ts';

function drain(seed: number, count: number, reply: (txn: GeneratedTxn) => unknown = () => undefined): GeneratedTxn[] {
  const gen = new TxnGenerator({ seed, count });
  const out: GeneratedTxn[] = [];
  for (let txn = gen.next(); txn !== undefined; txn = gen.next()) {
    out.push(txn);
    gen.observe(txn, reply(txn));
  }
  return out;
}

t.test('same seed, same sequence; another seed, another one', async (t) => {
  const a = drain(7, 250);
  t.equal(a.length, 250);
  t.same(JSON.stringify(drain(7, 250)), JSON.stringify(a));
  t.not(JSON.stringify(drain(8, 250)), JSON.stringify(a));
});

t.test('observe() learns inserted rows from a committed reply only', async (t) => {
  const gen = new TxnGenerator({ seed: 1, count: 5 });
  const txn = gen.next();
  if (txn === undefined) throw new Error('no txn');
  const inserts = txn.learn.filter((l) => l.type === 'insert').length;
  t.ok(inserts > 0, 'the first transaction inserts');
  gen.observe(txn, [...txn.ops.map(() => ({ uuid: ['uuid', '<1>'] })), { error: 'constraint violation' }]);
  t.same(gen.model.rows.Leaf, [], 'a failed transaction teaches nothing');
  gen.observe(txn, txn.ops.map((_, i) => ({ uuid: ['uuid', `<${i + 1}>`] })));
  t.equal(gen.model.rows.Leaf.length, inserts);
});

t.test('the first round covers every operation, condition, mutator and error class', async (t) => {
  const firstRound = BUILDERS.reduce((n, b) => n + (b.variants ?? 1), 0);
  const covered = new Set(drain(3, firstRound).flatMap((txn) => txn.covers));
  const ops = ['insert', 'select', 'update', 'mutate', 'delete', 'wait', 'commit', 'abort', 'comment', 'assert'];
  const conds = ['==', '!=', '<', '<=', '>', '>=', 'includes', 'excludes', 'true', 'false'];
  const muts = ['+=', '-=', '*=', '/=', '%=', 'insert', 'delete'];
  const errs = [
    'syntax error', 'unknown column', 'unknown database', 'constraint violation', 'referential integrity violation',
    'duplicate uuid-name', 'domain error', 'range error', 'timed out', 'not owner', 'aborted',
  ];
  const want = [...ops.map((o) => `op:${o}`), ...conds.map((c) => `cond:${c}`), ...muts.map((m) => `mut:${m}`), ...errs.map((e) => `err:${e}`), 'index', 'maxRows', 'gc', 'weak', 'named-uuid'];
  t.same(want.filter((w) => !covered.has(w)), [], 'nothing missing');
  const ops1 = new Set(drain(3, 300).flatMap((txn) => txn.ops.map((op) => (typeof op === 'object' && op !== null && 'op' in op ? op.op : '?'))));
  t.same(ops.filter((o) => !ops1.has(o)), [], 'every operation is really sent');
});

t.test('the test schema is valid JSON with the four tables', async (t) => {
  const schema = JSON.parse(readFileSync(DIFF_SCHEMA_PATH, 'utf8')) as { tables: Record<string, unknown> };
  t.same(Object.keys(schema.tables).sort(), ['Child', 'Leaf', 'Pin', 'Root']);
});

t.test('Rng is reproducible and stays in range', async (t) => {
  const r1 = new Rng(42);
  const r2 = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => r1.int(-3, 3));
  t.same(xs, Array.from({ length: 1000 }, () => r2.int(-3, 3)));
  t.ok(xs.every((x) => x >= -3 && x <= 3));
  t.same(new Set(xs).size, 7);
});
