/**
 * A small schema built in memory for the client's unit tests (replica and
 * transaction builder), so they run without the engine's schema parser:
 * root table Box (scalars, optional integer, string set and map; index on
 * name), singleton root table Global (next_cfg, strong refs to Box) and
 * non-root table Part. Test fixture only.
 */
import type { ColumnSchema, ColumnType, DatabaseSchema, TableSchema } from './ovsdb-types.ts';

export const str: ColumnType = { key: { type: 'string' }, min: 1, max: 1 };
export const int: ColumnType = { key: { type: 'integer' }, min: 1, max: 1 };
const optInt: ColumnType = { key: { type: 'integer' }, min: 0, max: 1 };
export const strSet: ColumnType = { key: { type: 'string' }, min: 0, max: Infinity };
export const strMap: ColumnType = { key: { type: 'string' }, value: { type: 'string' }, min: 0, max: Infinity };
const uuidType: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };

function table(name: string, cols: Record<string, ColumnType>, extra: Partial<TableSchema> = {}): TableSchema {
  const columns = new Map<string, ColumnSchema>();
  for (const [n, type] of Object.entries({ _uuid: uuidType, _version: uuidType, ...cols })) {
    columns.set(n, { name: n, type, ephemeral: false, mutable: !n.startsWith('_') });
  }
  return { name, columns, maxRows: Infinity, isRoot: true, indexes: [], ...extra };
}

export const TEST_SCHEMA: DatabaseSchema = {
  name: 'Test',
  version: '1.0.0',
  tables: new Map([
    ['Box', table('Box', { name: str, count: int, opt: optInt, tags: strSet, other: strMap }, { indexes: [['name']] })],
    ['Global', table('Global', { next_cfg: int, boxes: { key: { type: 'uuid', refTable: 'Box' }, min: 0, max: Infinity } }, { maxRows: 1 })],
    ['Part', table('Part', { name: str }, { isRoot: false })],
  ]),
};

