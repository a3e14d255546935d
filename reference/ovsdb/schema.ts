/**
 * Database schemas (RFC 7047 §3.2) parsed and printed as ovsdb-server does
 * (ovsdb/ovsdb.c, ovsdb/table.c, ovsdb/column.c, lib/ovsdb-types.c).
 *
 * Invariants after parsing: every table has the implicit `_uuid` (immutable)
 * and `_version` (immutable, ephemeral) columns; tables and columns iterate
 * in the order ovsdb-server's hash maps do for the same schema text (so
 * select's default column order and first-error choices match); a weak-reference
 * column is always mutable; a strong reference to a non-root table is never
 * ephemeral; when no table says isRoot, all tables are root.
 * The table-level "mutable" flag is kept aside (TableSchema has no field
 * for it) and only printed back, which is all OVS does with it.
 */
import { readFileSync } from 'node:fs';
import type { BaseType, ColumnSchema, ColumnType, DatabaseSchema, TableSchema } from './ovsdb-types.ts';
import { ATOMIC_TYPES, type AtomicType } from './ovsdb-types.ts';
import { OvsdbError, syntaxError } from './errors.ts';
import { isId } from './atom.ts';
import { datumToJson, parseDatum } from './datum.ts';
import { ObjectParser } from './parser.ts';
import { ovsHashOrder } from './ovs-hash-order.ts';

export const VSWITCH_SCHEMA_PATH = '/usr/share/openvswitch/vswitch.ovsschema';

const UINT_MAX = 4294967295;

/** Tables whose schema says "mutable": false (only printed back: OVS does nothing else with it). */
const immutableTables = new WeakSet<TableSchema>();

/** The type of an `enum` set of `t` atoms (ovsdb_base_type_get_enum_type). */
export function enumType(t: AtomicType): ColumnType {
  return { key: { type: t }, min: 0, max: Infinity };
}

function parseAtomicType(json: unknown): AtomicType {
  const s = json as string;
  if ((ATOMIC_TYPES as readonly string[]).includes(s)) return s as AtomicType;
  if (typeof json !== 'string') throw syntaxError(json, 'atomic-type expected');
  throw syntaxError(json, `"${s}" is not an atomic-type`);
}

function parseOptionalUint(p: ObjectParser, name: string): number | undefined {
  const v = p.member(name, ['integer'], true);
  if (v === undefined) return undefined;
  const n = v as number;
  if (n < 0 || n > UINT_MAX) throw syntaxError(v, `${name} out of valid range 0 to ${UINT_MAX}`);
  return n;
}

function parseBaseConstraints(p: ObjectParser, json: unknown, b: { -readonly [K in keyof BaseType]: BaseType[K] }): void {
  const enumJson = p.member('enum', ['any'], true);
  if (enumJson !== undefined) {
    b.enum = parseDatum(enumType(b.type), enumJson);
  } else if (b.type === 'integer') {
    const lo = p.member('minInteger', ['integer'], true) as number | undefined;
    const hi = p.member('maxInteger', ['integer'], true) as number | undefined;
    if (lo !== undefined) b.minInteger = lo;
    if (hi !== undefined) b.maxInteger = hi;
    if (lo !== undefined && hi !== undefined && lo > hi) throw syntaxError(json, 'minInteger exceeds maxInteger');
  } else if (b.type === 'real') {
    const lo = p.member('minReal', ['number'], true) as number | undefined;
    const hi = p.member('maxReal', ['number'], true) as number | undefined;
    if (lo !== undefined) b.minReal = lo;
    if (hi !== undefined) b.maxReal = hi;
    if (lo !== undefined && hi !== undefined && lo > hi) throw syntaxError(json, 'minReal exceeds maxReal');
  } else if (b.type === 'string') {
    const lo = parseOptionalUint(p, 'minLength');
    const hi = parseOptionalUint(p, 'maxLength');
    if (lo !== undefined) b.minLength = lo;
    if (hi !== undefined) b.maxLength = hi;
    if ((lo ?? 0) > (hi ?? UINT_MAX)) throw syntaxError(json, 'minLength exceeds maxLength');
  } else if (b.type === 'uuid') {
    const ref = p.member('refTable', ['id'], true) as string | undefined;
    if (ref !== undefined) {
      b.refTable = ref;
      const rt = p.member('refType', ['id'], true) as string | undefined;
      if (rt !== undefined && rt !== 'strong' && rt !== 'weak') {
        throw syntaxError(json, `refType must be "strong" or "weak" (not "${rt}")`);
      }
      b.refType = rt === 'weak' ? 'weak' : 'strong';
    }
  }
}

function parseBaseType(json: unknown): BaseType {
  if (typeof json === 'string') return { type: parseAtomicType(json) };
  const p = new ObjectParser(json, 'ovsdb type');
  const t = p.member('type', ['string']);
  if (p.error) throw p.finish();
  const b: { -readonly [K in keyof BaseType]: BaseType[K] } = { type: parseAtomicType(t) };
  parseBaseConstraints(p, json, b);
  p.finishOrThrow();
  return b;
}

function parseN(v: unknown): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < UINT_MAX) return v;
  throw syntaxError(v, 'bad min or max value');
}

/** ovsdb_type_from_json. */
export function parseColumnType(json: unknown): ColumnType {
  if (typeof json === 'string') return { key: parseBaseType(json), min: 1, max: 1 };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw syntaxError(json, 'ovsdb type expected');
  const p = new ObjectParser(json, 'ovsdb type');
  const key = p.member('key', ['string', 'object']);
  const value = p.member('value', ['string', 'object'], true);
  const min = p.member('min', ['integer'], true);
  const max = p.member('max', ['integer', 'string'], true);
  p.finishOrThrow();
  const keyType = parseBaseType(key);
  const valueType = value === undefined ? undefined : parseBaseType(value);
  const n = min === undefined ? 1 : parseN(min);
  const m = max === 'unlimited' ? Infinity : max === undefined ? 1 : parseN(max);
  if (n > 1 || m < 1) throw syntaxError(json, 'ovsdb type fails constraint checks');
  return valueType ? { key: keyType, value: valueType, min: n, max: m } : { key: keyType, min: n, max: m };
}

const isWeak = (b?: BaseType): boolean => b?.refTable !== undefined && b.refType === 'weak';

function parseColumn(json: unknown, name: string): ColumnSchema {
  const p = new ObjectParser(json, `schema for column ${name}`);
  const mutable = p.member('mutable', ['boolean'], true) as boolean | undefined;
  const ephemeral = p.member('ephemeral', ['boolean'], true) as boolean | undefined;
  const typeJson = p.member('type', ['string', 'object']);
  p.finishOrThrow();
  const type = parseColumnType(typeJson);
  const weak = isWeak(type.key) || isWeak(type.value);
  return { name, type, ephemeral: ephemeral ?? false, mutable: weak || mutable !== false };
}

const UUID_TYPE: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };

function checkName(json: unknown, name: string): void {
  if (name.startsWith('_')) throw syntaxError(json, 'names beginning with "_" are reserved');
  if (!isId(name)) throw syntaxError(json, 'name must be a valid id');
}

function parseIndexes(json: unknown, indexes: unknown[], columns: ReadonlyMap<string, ColumnSchema>): string[][] {
  return indexes.map((ij) => {
    const names = parseColumnNames(ij, columns);
    if (names.length === 0) throw syntaxError(json, 'index must have at least one column');
    for (const c of names) {
      if (columns.get(c)?.ephemeral) throw syntaxError(json, `ephemeral columns (such as ${c}) may not be indexed`);
    }
    return names;
  });
}

/** ovsdb_column_set_from_json over a table's columns (including _uuid and _version). */
export function parseColumnNames(json: unknown, columns: ReadonlyMap<string, ColumnSchema>): string[] {
  const out: string[] = [];
  if (!Array.isArray(json)) throw syntaxError(json, 'array of distinct column names expected');
  for (const s of json) {
    if (typeof s !== 'string') throw syntaxError(json, 'array of distinct column names expected');
    if (!columns.has(s)) throw syntaxError(json, `${s} is not a valid column name`);
    if (out.includes(s)) throw syntaxError(json, 'array of distinct column names expected');
    out.push(s);
  }
  return out;
}

function parseTable(json: unknown, name: string): TableSchema & { isRoot: boolean } {
  const p = new ObjectParser(json, `table schema for table ${name}`);
  const columnsJson = p.member('columns', ['object']) as Record<string, unknown> | undefined;
  const tableMutable = p.member('mutable', ['boolean'], true);
  const maxRows = p.member('maxRows', ['integer'], true) as number | undefined;
  const isRoot = p.member('isRoot', ['boolean'], true) as boolean | undefined;
  const indexes = p.member('indexes', ['array'], true) as unknown[] | undefined;
  p.finishOrThrow();
  if (maxRows !== undefined && maxRows <= 0) throw syntaxError(json, 'maxRows must be at least 1');
  const cols = columnsJson ?? {};
  if (Object.keys(cols).length === 0) throw syntaxError(json, 'table must have at least one column');
  // OVS adds _uuid, _version, then the columns as it iterates the JSON object; the table's
  // column map then iterates in hash order, and so does everything that walks it.
  const added = new Map<string, ColumnSchema>([
    ['_uuid', { name: '_uuid', type: UUID_TYPE, ephemeral: false, mutable: false }],
    ['_version', { name: '_version', type: UUID_TYPE, ephemeral: true, mutable: false }],
  ]);
  for (const cname of ovsHashOrder(Object.keys(cols))) {
    checkName(json, cname);
    added.set(cname, parseColumn(cols[cname], cname));
  }
  const columns = new Map<string, ColumnSchema>();
  for (const c of ovsHashOrder([...added.keys()])) columns.set(c, added.get(c) as ColumnSchema);
  const table = {
    name,
    columns,
    maxRows: maxRows === undefined || maxRows >= UINT_MAX ? Infinity : maxRows,
    isRoot: isRoot ?? false,
    indexes: indexes ? parseIndexes(json, indexes, columns) : [],
  };
  if (tableMutable === false) immutableTables.add(table);
  return table;
}

/** ovsdb_schema_from_json: throws OvsdbError with ovsdb-server's messages. */
export function parseDatabaseSchema(json: unknown): DatabaseSchema {
  const p = new ObjectParser(json, 'database schema');
  const name = p.member('name', ['id']) as string;
  const version = p.member('version', ['string'], true) as string | undefined;
  const cksum = p.member('cksum', ['string'], true) as string | undefined;
  const tablesJson = p.member('tables', ['object']) as Record<string, unknown>;
  p.finishOrThrow();
  if (version !== undefined && !/^\d+\.\d+\.\d+$/.test(version)) {
    throw syntaxError(json, `schema version "${version}" not in format x.y.z`);
  }
  const added = new Map<string, TableSchema & { isRoot: boolean }>();
  for (const tname of ovsHashOrder(Object.keys(tablesJson))) {
    checkName(json, tname);
    added.set(tname, parseTable(tablesJson[tname], tname));
  }
  // Iterate as OVS's schema->tables would: its hash order of the insertion order above.
  const tables = new Map<string, TableSchema & { isRoot: boolean }>();
  for (const tname of ovsHashOrder([...added.keys()])) tables.set(tname, added.get(tname) as TableSchema & { isRoot: boolean });
  const noRoots = [...tables.values()].every((t) => !t.isRoot);
  for (const t of tables.values()) {
    if (noRoots) t.isRoot = true;
    fixRefColumns(t, tables);
  }
  const out: { -readonly [K in keyof DatabaseSchema]: DatabaseSchema[K] } = { name, version: version ?? '', tables };
  if (cksum !== undefined) out.cksum = cksum;
  return out;
}

function fixRefColumns(t: TableSchema, tables: ReadonlyMap<string, TableSchema>): void {
  const columns = t.columns as Map<string, ColumnSchema>;
  for (const c of columns.values()) {
    for (const [base, which] of [[c.type.key, 'key'], [c.type.value, 'value']] as const) {
      if (!base?.refTable) continue;
      const ref = tables.get(base.refTable);
      if (!ref) throw new OvsdbError('syntax error', `column ${c.name} ${which} refers to undefined table ${base.refTable}`);
      if (base.refType !== 'weak' && !ref.isRoot && c.ephemeral) columns.set(c.name, { ...c, ephemeral: false });
    }
  }
}

function hasConstraints(b: BaseType): boolean {
  return (
    b.enum !== undefined ||
    b.minInteger !== undefined ||
    b.maxInteger !== undefined ||
    b.minReal !== undefined ||
    b.maxReal !== undefined ||
    (b.minLength !== undefined && b.minLength !== 0) ||
    (b.maxLength !== undefined && b.maxLength !== UINT_MAX) ||
    b.refTable !== undefined
  );
}

function baseTypeToJson(b: BaseType): unknown {
  if (!hasConstraints(b)) return b.type;
  const o: Record<string, unknown> = { type: b.type };
  if (b.enum) o.enum = datumToJson(enumType(b.type), b.enum);
  if (b.minInteger !== undefined) o.minInteger = b.minInteger;
  if (b.maxInteger !== undefined) o.maxInteger = b.maxInteger;
  if (b.minReal !== undefined) o.minReal = b.minReal;
  if (b.maxReal !== undefined) o.maxReal = b.maxReal;
  if (b.minLength !== undefined && b.minLength !== 0) o.minLength = b.minLength;
  if (b.maxLength !== undefined && b.maxLength !== UINT_MAX) o.maxLength = b.maxLength;
  if (b.refTable !== undefined) {
    o.refTable = b.refTable;
    if (b.refType === 'weak') o.refType = 'weak';
  }
  return o;
}

/** ovsdb_type_to_json. */
export function columnTypeToJson(t: ColumnType): unknown {
  if (t.min === 1 && t.max === 1 && !t.value && !hasConstraints(t.key)) return baseTypeToJson(t.key);
  const o: Record<string, unknown> = { key: baseTypeToJson(t.key) };
  if (t.value) o.value = baseTypeToJson(t.value);
  if (t.min !== 1) o.min = t.min;
  if (t.max === Infinity) o.max = 'unlimited';
  else if (t.max !== 1) o.max = t.max;
  return o;
}

function tableToJson(t: TableSchema, defaultIsRoot: boolean): unknown {
  const o: Record<string, unknown> = {};
  if (immutableTables.has(t)) o.mutable = false;
  if (t.isRoot !== defaultIsRoot) o.isRoot = t.isRoot;
  const columns: Record<string, unknown> = {};
  for (const c of t.columns.values()) {
    if (c.name.startsWith('_')) continue;
    const cj: Record<string, unknown> = {};
    if (!c.mutable) cj.mutable = false;
    if (c.ephemeral) cj.ephemeral = true;
    cj.type = columnTypeToJson(c.type);
    columns[c.name] = cj;
  }
  o.columns = columns;
  if (t.maxRows !== Infinity) o.maxRows = t.maxRows;
  if (t.indexes.length) o.indexes = t.indexes.map((i) => [...i]);
  return o;
}

/** The schema as ovsdb-server's get_schema reply (objects built in OVS's insertion order). */
export function databaseSchemaToJson(s: DatabaseSchema): unknown {
  const o: Record<string, unknown> = { name: s.name };
  if (s.version) o.version = s.version;
  if (s.cksum) o.cksum = s.cksum;
  const all = [...s.tables.values()];
  const defaultIsRoot = all.every((t) => t.isRoot);
  const tables: Record<string, unknown> = {};
  for (const t of all) tables[t.name] = tableToJson(t, defaultIsRoot);
  o.tables = tables;
  return o;
}

/** Reads and parses a schema file; errors say which file (OvsdbError, as ovsdb_schema_from_file). */
export function loadDatabaseSchema(path: string): DatabaseSchema {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new OvsdbError('failed to read schema', `"${path}" could not be read as JSON (${(e as Error).message})`);
  }
  try {
    return parseDatabaseSchema(json);
  } catch (e) {
    if (e instanceof OvsdbError) throw e.wrap(`failed to parse "${path}" as ovsdb schema`);
    throw e;
  }
}
