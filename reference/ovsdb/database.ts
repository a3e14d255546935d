/**
 * The committed state of one OVSDB database: rows by table, plus what the
 * transaction engine needs to check a commit quickly — how many strong
 * references point at each row (OVS's row->n_refs, self-references not
 * counted) and one unique-value map per schema index.
 *
 * Invariant: `apply` is the only writer; rows are immutable snapshots, so a
 * Row handed out stays valid after later commits. `apply` trusts its input
 * (the engine has already checked it) and never fails.
 * It also keeps, per row, which rows point at it through weak references
 * (OVS's dst_refs), so deleting a row finds the references to drop without
 * a scan.
 */
import type { Atom, DatabaseSchema, Datum, Row, TableSchema, TxnChanges } from './ovsdb-types.ts';
import { indexKey, tableInfo, type RefColumn } from './table-info.ts';
import { datumAddedRemoved } from './datum-ops.ts';

export class Database {
  readonly schema: DatabaseSchema;
  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly refCounts = new Map<string, Map<string, number>>();
  private readonly indexes = new Map<string, Map<string, string>[]>();
  /** target table → target uuid → "srcTable\0srcUuid" → number of weak references. */
  private readonly weakRefs = new Map<string, Map<string, Map<string, number>>>();
  private count = 0;

  constructor(schema: DatabaseSchema) {
    this.schema = schema;
    for (const t of schema.tables.values()) {
      this.tables.set(t.name, new Map());
      this.refCounts.set(t.name, new Map());
      this.weakRefs.set(t.name, new Map());
      this.indexes.set(
        t.name,
        t.indexes.map(() => new Map()),
      );
    }
  }

  get txnCount(): number {
    return this.count;
  }

  /** The table's rows by uuid; throws on an unknown table (a programming error). */
  rows(table: string): ReadonlyMap<string, Row> {
    const t = this.tables.get(table);
    if (!t) throw new Error(`Database ${this.schema.name}: no table ${JSON.stringify(table)}`);
    return t;
  }

  row(table: string, uuid: string): Row | undefined {
    return this.tables.get(table)?.get(uuid);
  }

  /** Strong references to the row from other rows (OVS's n_refs). */
  refCount(table: string, uuid: string): number {
    return this.refCounts.get(table)?.get(uuid) ?? 0;
  }

  /** The uuid of the committed row holding `key` in index number `i` of `table`, if any. */
  indexLookup(table: string, i: number, key: string): string | undefined {
    return this.indexes.get(table)?.[i]?.get(key);
  }

  /** The rows (as [table, uuid]) holding weak references to the row. */
  *weakReferrers(table: string, uuid: string): Generator<[string, string]> {
    const m = this.weakRefs.get(table)?.get(uuid);
    if (!m) return;
    for (const k of m.keys()) {
      const i = k.indexOf('\u0000');
      yield [k.slice(0, i), k.slice(i + 1)];
    }
  }

  tableSchema(table: string): TableSchema {
    const t = this.schema.tables.get(table);
    if (!t) throw new Error(`Database ${this.schema.name}: no table ${JSON.stringify(table)}`);
    return t;
  }

  /** Installs a committed transaction's rows, reference counts and index entries. */
  apply(changes: TxnChanges): void {
    this.count++;
    for (const [tname, rows] of changes) {
      const schema = this.tableSchema(tname);
      const info = tableInfo(schema);
      const table = this.tables.get(tname) as Map<string, Row>;
      const idx = this.indexes.get(tname) as Map<string, string>[];
      for (const [uuid, ch] of rows) {
        if (ch.old && ch.new) {
          this.adjustChangedRefs(tname, info.strongRefs, info.weakRefs, ch.old, ch.new);
        } else if (ch.old) {
          this.adjustRefs(info.strongRefs, ch.old, -1);
          this.adjustWeak(tname, info.weakRefs, ch.old, -1);
        } else if (ch.new) {
          this.adjustRefs(info.strongRefs, ch.new, 1);
          this.adjustWeak(tname, info.weakRefs, ch.new, 1);
        }
        if (ch.old) this.unindex(schema, idx, ch.old);
        if (ch.new) {
          table.set(uuid, ch.new);
          schema.indexes.forEach((cols, i) => idx[i]?.set(indexKey(cols, (c) => field(ch.new as Row, c)), uuid));
        } else {
          table.delete(uuid);
          this.refCounts.get(tname)?.delete(uuid);
        }
      }
    }
  }

  private unindex(schema: TableSchema, idx: Map<string, string>[], row: Row): void {
    schema.indexes.forEach((cols, i) => {
      const m = idx[i];
      const key = indexKey(cols, (c) => field(row, c));
      if (m?.get(key) === row.uuid) m.delete(key);
    });
  }

  private adjustRefs(refs: readonly RefColumn[], row: Row, delta: number): void {
    for (const r of refs) {
      const d = row.columns.get(r.column.name);
      if (!d) continue;
      if (r.keyTable !== undefined) this.bump(r.keyTable, d.keys, row.uuid, delta);
      if (r.valueTable !== undefined && d.values) this.bump(r.valueTable, d.values, row.uuid, delta);
    }
  }

  /** A modified row: only the references it gained or lost count. */
  private adjustChangedRefs(tname: string, strong: readonly RefColumn[], weak: readonly RefColumn[], old: Row, now: Row): void {
    const src = `${tname}\u0000${now.uuid}`;
    for (const [refs, isWeak] of [[strong, false], [weak, true]] as const) {
      for (const r of refs) {
        const a = old.columns.get(r.column.name) ?? EMPTY;
        const b = now.columns.get(r.column.name) ?? EMPTY;
        if (a === b) continue;
        const { added, removed } = datumAddedRemoved(a, b);
        for (const [d, delta] of [[removed, -1], [added, 1]] as const) {
          if (isWeak) {
            if (r.keyTable !== undefined) this.bumpWeak(r.keyTable, d.keys, src, delta);
            if (r.valueTable !== undefined && d.values) this.bumpWeak(r.valueTable, d.values, src, delta);
          } else {
            if (r.keyTable !== undefined) this.bump(r.keyTable, d.keys, now.uuid, delta);
            if (r.valueTable !== undefined && d.values) this.bump(r.valueTable, d.values, now.uuid, delta);
          }
        }
      }
    }
  }

  private adjustWeak(tname: string, refs: readonly RefColumn[], row: Row, delta: number): void {
    if (!refs.length) return;
    const src = `${tname}\u0000${row.uuid}`;
    for (const r of refs) {
      const d = row.columns.get(r.column.name);
      if (!d) continue;
      if (r.keyTable !== undefined) this.bumpWeak(r.keyTable, d.keys, src, delta);
      if (r.valueTable !== undefined && d.values) this.bumpWeak(r.valueTable, d.values, src, delta);
    }
  }

  private bumpWeak(table: string, atoms: readonly Atom[], src: string, delta: number): void {
    const byTarget = this.weakRefs.get(table);
    if (!byTarget) return;
    for (const a of atoms) {
      const u = a as string;
      let m = byTarget.get(u);
      if (!m) {
        if (delta < 0) continue;
        byTarget.set(u, (m = new Map()));
      }
      const n = (m.get(src) ?? 0) + delta;
      if (n > 0) m.set(src, n);
      else {
        m.delete(src);
        if (!m.size) byTarget.delete(u);
      }
    }
  }

  private bump(table: string, atoms: readonly Atom[], self: string, delta: number): void {
    const counts = this.refCounts.get(table);
    if (!counts) return;
    for (const a of atoms) {
      const u = a as string;
      if (u === self) continue;
      const n = (counts.get(u) ?? 0) + delta;
      if (n > 0) counts.set(u, n);
      else counts.delete(u);
    }
  }
}

const ZERO = '00000000-0000-0000-0000-000000000000';

/** A row's value for any column, including the implicit _uuid and _version. */
export function field(row: Row, column: string): Datum {
  if (column === '_uuid') return { keys: [row.uuid] };
  if (column === '_version') return { keys: [row.version || ZERO] };
  return row.columns.get(column) ?? EMPTY;
}

const EMPTY: Datum = { keys: [] };
