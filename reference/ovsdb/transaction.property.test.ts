/**
 * Property test: random transactions (inserts with strong, weak, dangling and
 * named references; deletes; updates; mutations) leave the database
 * consistent after every commit: datums sorted and within cardinality, no
 * dangling reference, reference counts equal to a recount, no unreferenced
 * non-root row, unique indexes, maxRows.
 */
import t, { type Test } from 'tap';
import type { Atom, Datum, TxnContext } from './ovsdb-types.ts';
import { Database } from './database.ts';
import { loadDatabaseSchema } from './schema.ts';
import { executeTransaction } from './transaction.ts';
import { compareAtoms } from './datum.ts';
import { indexKey } from './table-info.ts';
import { field } from './database.ts';

const here = new URL('.', import.meta.url).pathname;
const schema = loadDatabaseSchema(`${here}testdata/engine-test.ovsschema`);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function existing(db: Database, table: string): string[] {
  return [...db.rows(table).keys()];
}

function uuidRef(r: Rand, db: Database, table: string, names: string[]): unknown {
  const ex = existing(db, table);
  const roll = r();
  if (roll < 0.5 && ex.length) return ['uuid', pick(r, ex)];
  if (roll < 0.8 && names.length) return ['named-uuid', pick(r, names)];
  return ['uuid', '99999999-0000-4000-8000-000000000000'];
}

function randomOp(r: Rand, db: Database, names: string[]): unknown {
  const n = Math.floor(r() * 4);
  switch (Math.floor(r() * 7)) {
    case 0: {
      const name = `c${names.length}`;
      names.push(name);
      const row: Record<string, unknown> = { name: pick(r, ['a', 'b', 'c']), n };
      if (r() < 0.5) row.grandkids = ['set', [uuidRef(r, db, 'Child', names)]];
      return { op: 'insert', table: 'Child', 'uuid-name': name, row };
    }
    case 1:
      return {
        op: 'insert',
        table: 'Root',
        row: {
          name: `r${Math.floor(r() * 6)}`,
          pos: 1,
          kids: ['set', [uuidRef(r, db, 'Child', names)]],
          weak: ['set', [uuidRef(r, db, 'Other', names)]],
        },
      };
    case 2: {
      const name = `o${names.length}`;
      names.push(name);
      return { op: 'insert', table: 'Other', 'uuid-name': name, row: { name: pick(r, ['x', 'y']), k: n, must: uuidRef(r, db, 'Other', names) } };
    }
    case 3:
      return { op: 'delete', table: pick(r, ['Root', 'Child', 'Other']), where: [['name', '==', pick(r, ['a', 'x', 'r1', 'r2', 'y'])]] };
    case 4:
      return { op: 'update', table: 'Root', where: [], row: { kids: ['set', r() < 0.5 ? [] : [uuidRef(r, db, 'Child', names)]] } };
    case 5:
      return { op: 'mutate', table: 'Child', where: [['n', '<=', n]], mutations: [['n', '+=', 1]] };
    default:
      return { op: 'mutate', table: 'Root', where: [], mutations: [['weak', 'insert', ['set', [uuidRef(r, db, 'Other', names)]]]] };
  }
}

function sortedUnique(d: Datum): boolean {
  for (let i = 1; i < d.keys.length; i++) if (compareAtoms(d.keys[i - 1] as Atom, d.keys[i] as Atom) >= 0) return false;
  return !d.values || d.values.length === d.keys.length;
}

function checkInvariants(t: Test, db: Database): void {
  const refs = new Map<string, number>();
  for (const table of schema.tables.values()) {
    const rows = db.rows(table.name);
    if (rows.size > table.maxRows) t.fail(`${table.name} has ${rows.size} rows`);
    const seen = table.indexes.map(() => new Set<string>());
    for (const row of rows.values()) {
      for (const c of table.columns.values()) {
        if (c.name.startsWith('_')) continue;
        const d = row.columns.get(c.name);
        if (!d || !sortedUnique(d) || d.keys.length < c.type.min || d.keys.length > c.type.max) {
          t.fail(`${table.name}.${c.name} bad datum ${JSON.stringify(d)}`);
          continue;
        }
        for (const [base, atoms] of [[c.type.key, d.keys], [c.type.value, d.values]] as const) {
          if (!base?.refTable || !atoms) continue;
          for (const a of atoms) {
            if (!db.row(base.refTable, a as string)) t.fail(`${table.name}.${c.name} dangling ${String(a)}`);
            if (base.refType !== 'weak' && a !== row.uuid) refs.set(a as string, (refs.get(a as string) ?? 0) + 1);
          }
        }
      }
      table.indexes.forEach((cols, i) => {
        const k = indexKey(cols, (c) => field(row, c));
        if (seen[i]?.has(k)) t.fail(`${table.name} duplicate index ${cols.join(',')}`);
        seen[i]?.add(k);
      });
    }
  }
  for (const table of schema.tables.values()) {
    for (const uuid of db.rows(table.name).keys()) {
      const n = refs.get(uuid) ?? 0;
      if (db.refCount(table.name, uuid) !== n) t.fail(`refcount of ${table.name} ${uuid}: ${db.refCount(table.name, uuid)} != ${n}`);
      if (!table.isRoot && n === 0) t.fail(`unreferenced non-root ${table.name} row ${uuid}`);
    }
  }
}

t.test('random transactions keep the database consistent', async (t) => {
  const r = rng(12345);
  const db = new Database(schema);
  let n = 0;
  const ctx: TxnContext = {
    hasLock: () => false,
    newUuid: () => `${(++n).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    nowMs: () => 0,
    startedMs: 0,
  };
  const outcomes = { committed: 0, failed: 0, blocked: 0 };
  for (let i = 0; i < 400; i++) {
    const names: string[] = [];
    const ops = Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomOp(r, db, names));
    const out = executeTransaction(db, ops, ctx);
    outcomes[out.type]++;
    if (out.type === 'committed' && out.changes) db.apply(out.changes);
    checkInvariants(t, db);
  }
  t.ok(outcomes.committed > 50 && outcomes.failed > 50, JSON.stringify(outcomes));
});
