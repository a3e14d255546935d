/**
 * RowColumns: a row's column values as a compact ReadonlyMap — one array of
 * datums in the table's column order plus a column-name → slot map shared
 * by every row of the table. A committed row costs one small array instead
 * of a hash map, which keeps large tables cheap for the garbage collector.
 *
 * Invariant: holds exactly the table's user columns (not _uuid/_version);
 * `set` of any other name is ignored. Mutable only while a transaction
 * builds the row (`set`); committed rows are never written again.
 */
import type { Datum } from './ovsdb-types.ts';

/** The shared part: column names in order and their slots. */
export class ColumnLayout {
  readonly names: readonly string[];
  readonly slots: ReadonlyMap<string, number>;
  constructor(names: readonly string[]) {
    this.names = names;
    this.slots = new Map(names.map((n, i) => [n, i]));
  }
}

export class RowColumns implements ReadonlyMap<string, Datum> {
  private readonly layout: ColumnLayout;
  private readonly vals: Datum[];

  constructor(layout: ColumnLayout, vals: Datum[]) {
    this.layout = layout;
    this.vals = vals;
  }

  get size(): number {
    return this.vals.length;
  }

  get(key: string): Datum | undefined {
    const i = this.layout.slots.get(key);
    return i === undefined ? undefined : this.vals[i];
  }

  has(key: string): boolean {
    return this.layout.slots.has(key);
  }

  /** Replaces a column's value; names outside the layout are ignored. */
  set(key: string, value: Datum): this {
    const i = this.layout.slots.get(key);
    if (i !== undefined) this.vals[i] = value;
    return this;
  }

  /** A writable copy sharing the datums. */
  clone(): RowColumns {
    return new RowColumns(this.layout, this.vals.slice());
  }

  forEach(cb: (value: Datum, key: string, map: ReadonlyMap<string, Datum>) => void, thisArg?: unknown): void {
    const names = this.layout.names;
    for (let i = 0; i < names.length; i++) cb.call(thisArg, this.vals[i] as Datum, names[i] as string, this);
  }

  *entries(): IterableIterator<[string, Datum]> {
    const names = this.layout.names;
    for (let i = 0; i < names.length; i++) yield [names[i] as string, this.vals[i] as Datum];
  }

  keys(): IterableIterator<string> {
    return this.layout.names[Symbol.iterator]();
  }

  values(): IterableIterator<Datum> {
    return this.vals[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, Datum]> {
    return this.entries();
  }
}
