/**
 * Index uniqueness at commit (ovsdb/transaction.c check_index_uniqueness):
 * no two rows of a table, after the transaction, may hold the same values
 * in all columns of one index. The error text names both rows (the larger
 * by all-column order first) and says how each came to hold the values.
 */
import type { TableSchema } from './ovsdb-types.ts';
import { OvsdbError } from './errors.ts';
import { datumToString } from './datum.ts';
import { compareDatums } from './datum-ops.ts';
import { indexKey } from './table-info.ts';
import { forEachTxnRow, rowField, type RowView, type TxnRow, type TxnState } from './txn-state.ts';

function listDelimiter(i: number, n: number): string {
  return i === 0 ? '' : i < n - 1 ? ', ' : n > 2 ? ', and ' : ' and ';
}

function valuesText(table: TableSchema, row: RowView, index: readonly string[]): string {
  return index
    .map((c, i) => listDelimiter(i, index.length) + datumToString(table.columns.get(c)?.type ?? { key: { type: 'string' }, min: 0, max: 1 }, rowField(row, c)))
    .join('');
}

function columnsText(index: readonly string[]): string {
  return `column${index.length > 1 ? 's' : ''} ${index.map((c, i) => `${listDelimiter(i, index.length)}"${c}"`).join('')}`;
}

function describe(table: TableSchema, index: readonly string[], row: RowView, tr: TxnRow | undefined, title: string): string {
  let s = `${title} row, with UUID ${row.uuid}, `;
  if (!tr || !tr.changed?.size) s += 'existed in the database before this transaction and was not modified by the transaction.';
  else if (!tr.old) s += 'was inserted by this transaction.';
  else if (index.every((c) => compareDatums(rowField(tr.old as RowView, c), rowField(row, c)) === 0)) {
    s += "existed in the database before this transaction, which modified some of the row's columns but not any columns in this index.";
  } else s += `had the following index values before the transaction: ${valuesText(table, tr.old, index)}.`;
  return s;
}

function duplicate(state: TxnState, table: TableSchema, index: readonly string[], a: RowView, b: RowView): OvsdbError {
  const all = [...table.columns.keys()];
  for (const c of all) {
    const r = compareDatums(rowField(a, c), rowField(b, c));
    if (r < 0) {
      [a, b] = [b, a];
      break;
    }
    if (r > 0) break;
  }
  const ta = state.txnRow(table.name, a.uuid);
  const tb = state.txnRow(table.name, b.uuid);
  return new OvsdbError(
    'constraint violation',
    `Transaction causes multiple rows in "${table.name}" table to have identical values (${valuesText(table, a, index)}) for index on ${columnsText(index)}.  ${describe(table, index, a, ta, 'First')}  ${describe(table, index, b, tb, 'Second')}`,
  );
}

export function checkIndexes(state: TxnState): void {
  const pending = new Map<string, Map<string, RowView>[]>();
  forEachTxnRow(state, (tr) => {
    const row = tr.new;
    const table = tr.table;
    if (!row || !table.indexes.length) return;
    let maps = pending.get(table.name);
    if (!maps) pending.set(table.name, (maps = table.indexes.map(() => new Map())));
    table.indexes.forEach((cols, i) => {
      const key = indexKey(cols, (c) => rowField(row, c));
      const m = maps?.[i] as Map<string, RowView>;
      const other = m.get(key);
      if (other) throw duplicate(state, table, cols, other, row);
      const committed = state.db.indexLookup(table.name, i, key);
      if (committed !== undefined && !state.txnRow(table.name, committed)) {
        const crow = state.db.row(table.name, committed);
        if (crow) throw duplicate(state, table, cols, crow, row);
      }
      m.set(key, row);
    });
  });
}
