import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { databaseSchemaToJson, loadDatabaseSchema, parseDatabaseSchema, VSWITCH_SCHEMA_PATH } from './schema.ts';
import { OvsdbError } from './errors.ts';
import { ovsdbJsonToString } from './json-text.ts';

const here = new URL('.', import.meta.url).pathname;
const testSchemaPath = `${here}testdata/engine-test.ovsschema`;

t.test('test schema: implicit columns, ref fixes, root default', async (t) => {
  const s = loadDatabaseSchema(testSchemaPath);
  t.equal(s.name, 'EngineTest');
  t.equal(s.version, '1.2.3');
  const root = s.tables.get('Root');
  t.ok(root);
  t.ok(root?.columns.has('_uuid') && root.columns.has('_version') && root.columns.has('name'));
  t.equal(root?.maxRows, 3);
  t.equal(root?.columns.get('fixed')?.mutable, false);
  t.equal(root?.columns.get('eph')?.ephemeral, true);
  t.equal(root?.columns.get('iset')?.type.max, Infinity);
  t.same(root?.columns.get('color')?.type.key.enum, { keys: ['blue', 'green', 'red'] });
  t.equal(s.tables.get('Child')?.isRoot, false);
  t.equal(s.tables.get('Other')?.isRoot, true);
});

t.test('get_schema output equals ovsdb-server 3.1 (keys sorted)', async (t) => {
  const s = loadDatabaseSchema(testSchemaPath);
  const pinned = readFileSync(`${here}testdata/engine-test.get-schema.json`, 'utf8').trim();
  t.equal(ovsdbJsonToString(databaseSchemaToJson(s), true), pinned);
});

t.test('vswitch schema round trip', { skip: existsSync(VSWITCH_SCHEMA_PATH) ? false : `${VSWITCH_SCHEMA_PATH} absent` }, async (t) => {
  const raw = JSON.parse(readFileSync(VSWITCH_SCHEMA_PATH, 'utf8')) as unknown;
  const s = parseDatabaseSchema(raw);
  t.equal(s.name, 'Open_vSwitch');
  t.equal(s.tables.get('Open_vSwitch')?.maxRows, 1);
  t.equal(s.tables.get('Bridge')?.isRoot, false);
  t.same(s.tables.get('Bridge')?.indexes, [['name']]);
  // Parsing the printed schema gives the same print.
  const printed = ovsdbJsonToString(databaseSchemaToJson(s), true);
  t.equal(ovsdbJsonToString(databaseSchemaToJson(parseDatabaseSchema(JSON.parse(printed))), true), printed);
  t.ok(printed.includes('"cksum":"'));
});

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (e instanceof OvsdbError) return e.toJson();
    throw e;
  }
  return null;
}

t.test('schema errors carry OVS texts', async (t) => {
  t.same(errorOf(() => parseDatabaseSchema({ name: 'x', tables: {}, extra: 1 })), {
    error: 'syntax error',
    details: "Parsing database schema failed: Member 'extra' is present but not allowed here.",
    syntax: '{"extra":1,"name":"x","tables":{}}',
  });
  t.same(errorOf(() => parseDatabaseSchema({ name: 'x', tables: { T: { columns: {} } } })), {
    error: 'syntax error',
    details: 'table must have at least one column',
    syntax: '{"columns":{}}',
  });
  t.same(errorOf(() => parseDatabaseSchema({ name: 'x', version: '1.2', tables: {} })), {
    error: 'syntax error',
    details: 'schema version "1.2" not in format x.y.z',
    syntax: '{"name":"x","tables":{},"version":"1.2"}',
  });
  t.same(errorOf(() => parseDatabaseSchema({ name: 'x', tables: { T: { columns: { a: { type: 'int' } } } } })), {
    error: 'syntax error',
    details: '"int" is not an atomic-type',
    syntax: '"int"',
  });
  t.same(
    errorOf(() =>
      parseDatabaseSchema({ name: 'x', tables: { T: { columns: { a: { type: { key: { type: 'uuid', refTable: 'U' } } } } } } }),
    ),
    { error: 'syntax error', details: 'column a key refers to undefined table U' },
  );
});

t.test('get_schema reply bytes equal ovsdb-server 3.1 (member order included)', async (t) => {
  // The schema as ovsdb-tool wrote it into the database file, which is what ovsdb-server serves.
  const s = parseDatabaseSchema(JSON.parse(readFileSync(`${here}testdata/engine-test.db-schema.json`, 'utf8')));
  const reply = readFileSync(`${here}testdata/engine-test.get-schema-reply.json`, 'utf8').trim();
  t.equal(ovsdbJsonToString({ result: databaseSchemaToJson(s), error: null, id: 0 }), reply);
});

t.test('a table-level "mutable": false is printed back', async (t) => {
  const s = parseDatabaseSchema({ name: 'x', tables: { T: { mutable: false, columns: { a: { type: 'integer' } } } } });
  t.equal(ovsdbJsonToString(databaseSchemaToJson(s), true), '{"name":"x","tables":{"T":{"columns":{"a":{"type":"integer"}},"mutable":false}}}');
});
