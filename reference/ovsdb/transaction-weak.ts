/**
 * Weak references at commit (ovsdb/transaction.c assess_weak_refs): every
 * element of a weak-reference column that points at a row that does not
 * exist once the transaction is done (deleted here, never existed, or the
 * all-zeros default) is dropped silently; the row counts as changed; if
 * the column then has fewer elements than its minimum, the commit fails
 * with OVS's "constraint violation" texts.
 *
 * Rows outside the transaction that point at rows it deletes are found
 * through the Database's reverse index of weak references.
 */
import type { Atom } from './ovsdb-types.ts';
import { OvsdbError } from './errors.ts';
import { tableInfo } from './table-info.ts';
import { findOrMake, forEachTxnRow, rowField, type TxnRow, type TxnState } from './txn-state.ts';
import { ZERO_UUID } from './uuid.ts';

/** Pulls into the transaction the committed rows that weakly reference rows it deletes. */
function pullReferrers(state: TxnState): void {
  const deleted: TxnRow[] = [];
  for (const rows of state.tables.values()) for (const tr of rows.values()) if (tr.old && !tr.new) deleted.push(tr);
  for (const tr of deleted) {
    for (const [table, uuid] of state.db.weakReferrers(tr.table.name, tr.uuid)) {
      if (!state.txnRow(table, uuid)) findOrMake(state, table, uuid);
    }
  }
}

function exists(state: TxnState, table: string | undefined, a: Atom | undefined): boolean {
  return table === undefined || a === undefined || state.get(table, a as string) !== undefined;
}

function assessRow(state: TxnState, tr: TxnRow): void {
  const row = tr.new;
  if (!row) return;
  for (const rc of tableInfo(tr.table).weakRefs) {
    const name = rc.column.name;
    const d = rowField(row, name);
    const keys: Atom[] = [];
    const values: Atom[] = [];
    let zero = false;
    d.keys.forEach((k, i) => {
      const v = d.values?.[i];
      if (exists(state, rc.keyTable, k) && exists(state, rc.valueTable, v)) {
        keys.push(k);
        if (v !== undefined) values.push(v);
      } else if ((rc.keyTable !== undefined && k === ZERO_UUID) || (rc.valueTable !== undefined && v === ZERO_UUID)) {
        zero = true;
      }
    });
    if (keys.length === d.keys.length) continue;
    row.columns.set(name, d.values ? { keys, values } : { keys });
    if (!tr.changed?.has(name)) tr.changed = new Set([...(tr.changed ?? []), name]);
    if (keys.length < rc.column.type.min) {
      if (zero && !tr.old) {
        throw new OvsdbError(
          'constraint violation',
          `Weak reference column "${name}" in "${tr.table.name}" row ${tr.uuid} (inserted within this transaction) contained all-zeros UUID (probably as the default value for this column) but deleting this value caused a constraint volation because this column is not allowed to be empty.`,
        );
      }
      throw new OvsdbError(
        'constraint violation',
        `Deletion of ${d.keys.length - keys.length} weak reference(s) to deleted (or never-existing) rows from column "${name}" in "${tr.table.name}" row ${tr.uuid} ${tr.old ? '' : '(inserted within this transaction) '}caused this column to become empty, but constraints on this column disallow an empty column.`,
      );
    }
  }
}

export function assessWeakRefs(state: TxnState): void {
  pullReferrers(state);
  forEachTxnRow(state, (tr) => assessRow(state, tr));
}
