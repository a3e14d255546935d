/**
 * Commit-time checks of a transaction, in ovsdb_txn_precommit's order:
 *  1. drop rows that did not really change;
 *  2. strong references: count them per target row; a reference to a
 *     missing row, or a deleted row still referenced, is a "referential
 *     integrity violation";
 *  3. garbage-collect non-root rows left with no strong reference (cascading);
 *  4. maxRows;
 *  5. weak references to missing rows are dropped, then min cardinality;
 *  6. index uniqueness;
 *  7. new _version for every changed row, and the TxnChanges to apply.
 * Errors are OVS's texts (transaction.c). Pure with respect to the Database.
 */
import type { Atom, Datum, Row, RowChange, TxnChanges, TxnContext } from './ovsdb-types.ts';
import { OvsdbError } from './errors.ts';
import { datumEquals } from './datum.ts';
import { datumAddedRemoved } from './datum-ops.ts';
import { tableInfo, type RefColumn } from './table-info.ts';
import { findOrMake, forEachTxnRow, rowField, type TxnRow, type TxnState } from './txn-state.ts';
import { assessWeakRefs } from './transaction-weak.ts';
import { checkIndexes } from './transaction-index.ts';

function determineChanges(state: TxnState): void {
  for (const [tname, rows] of state.tables) {
    for (const tr of [...rows.values()]) {
      if (tr.old && tr.new) {
        const changed = new Set<string>();
        for (const [c, d] of tr.new.columns) if (!datumEquals(d, tr.old.columns.get(c) ?? EMPTY)) changed.add(c);
        if (changed.size) tr.changed = changed;
        else rows.delete(tr.uuid);
      } else {
        tr.changed = tableInfo(tr.table).allColumns;
      }
    }
    if (!rows.size) state.tables.delete(tname);
  }
}

const EMPTY: Datum = { keys: [] };

function adjustRefs(state: TxnState, tr: TxnRow, rc: RefColumn, d: Datum, delta: number): void {
  const refs: [string | undefined, readonly Atom[] | undefined][] = [
    [rc.keyTable, d.keys],
    [rc.valueTable, d.values],
  ];
  for (const [target, atoms] of refs) {
    if (target === undefined || !atoms) continue;
    for (const a of atoms) {
      const uuid = a as string;
      if (uuid === tr.uuid) continue;
      const t = findOrMake(state, target, uuid);
      if (!t) {
        if (delta < 0) continue;
        throw new OvsdbError(
          'referential integrity violation',
          `Table ${tr.table.name} column ${rc.column.name} row ${tr.uuid} references nonexistent row ${uuid} in table ${target}.`,
        );
      }
      t.nRefs += delta;
    }
  }
}

function updateRefCounts(state: TxnState): void {
  forEachTxnRow(state, (tr) => {
    if (!tr.changed) return;
    for (const rc of tableInfo(tr.table).strongRefs) {
      const c = rc.column.name;
      if (!tr.changed.has(c)) continue;
      const oldD = tr.old ? rowField(tr.old, c) : EMPTY;
      const newD = tr.new ? rowField(tr.new, c) : EMPTY;
      if (tr.old && tr.new) {
        if (oldD === newD) continue;
        const { added, removed } = datumAddedRemoved(oldD, newD);
        adjustRefs(state, tr, rc, removed, -1);
        adjustRefs(state, tr, rc, added, 1);
      } else if (tr.old) adjustRefs(state, tr, rc, oldD, -1);
      else adjustRefs(state, tr, rc, newD, 1);
    }
  });
  forEachTxnRow(state, (tr) => {
    if (!tr.new && tr.nRefs > 0) {
      throw new OvsdbError(
        'referential integrity violation',
        `cannot delete ${tr.table.name} row ${tr.uuid} because of ${tr.nRefs} remaining reference(s)`,
      );
    }
  });
}

function deleteGarbage(state: TxnState, tr: TxnRow): void {
  if (tr.table.isRoot || !tr.new) return;
  const row = tr.new;
  tr.new = null;
  for (const rc of tableInfo(tr.table).strongRefs) {
    const d = rowField(row, rc.column.name);
    for (const [target, atoms] of [
      [rc.keyTable, d.keys],
      [rc.valueTable, d.values],
    ] as const) {
      if (target === undefined || !atoms) continue;
      for (const a of atoms) {
        if (a === tr.uuid) continue;
        const t = findOrMake(state, target, a as string);
        if (t && --t.nRefs === 0) deleteGarbage(state, t);
      }
    }
  }
}

function checkMaxRows(state: TxnState): void {
  for (const [tname, rows] of state.tables) {
    const schema = state.db.tableSchema(tname);
    if (schema.maxRows === Infinity) continue;
    let n = state.db.rows(tname).size;
    for (const tr of rows.values()) n += (tr.new ? 1 : 0) - (tr.old ? 1 : 0);
    if (n > schema.maxRows) {
      throw new OvsdbError(
        'constraint violation',
        `transaction causes "${tname}" table to contain ${n} rows, greater than the schema-defined limit of ${schema.maxRows} row(s)`,
      );
    }
  }
}

function finish(state: TxnState, ctx: TxnContext): TxnChanges | null {
  const changes = new Map<string, Map<string, RowChange>>();
  forEachTxnRow(state, (tr) => {
    if (!tr.old && !tr.new) return;
    if (tr.old && tr.new && !tr.changed?.size) return;
    let newRow: Row | null = null;
    if (tr.new) newRow = { uuid: tr.uuid, version: tr.old ? ctx.newUuid() : tr.new.version, columns: tr.new.columns };
    let m = changes.get(tr.table.name);
    if (!m) changes.set(tr.table.name, (m = new Map()));
    m.set(tr.uuid, { old: tr.old, new: newRow });
  });
  return changes.size ? changes : null;
}

/** Runs every commit-time check; returns the changes to apply (null: nothing changed) or throws OvsdbError. */
export function precommit(state: TxnState, ctx: TxnContext): TxnChanges | null {
  determineChanges(state);
  if (!state.tables.size) return null;
  updateRefCounts(state);
  forEachTxnRow(state, (tr) => {
    if (tr.new && tr.nRefs === 0) deleteGarbage(state, tr);
  });
  checkMaxRows(state);
  assessWeakRefs(state);
  checkIndexes(state);
  return finish(state, ctx);
}

