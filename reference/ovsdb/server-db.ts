/**
 * The `_Server` database that ovsdb-server 3.1 serves beside the user's
 * databases (ovsdb-server(5)): one table, `Database`, with a row per served
 * database (itself included). Open vSwitch's IDL (lib/ovsdb-cs.c) reads it
 * first to learn whether a database is there and connected, and takes its
 * schema from the `schema` column.
 *
 * Invariant: for a standalone database the row reads model "standalone",
 * connected and leader true, no cid/sid/index, and `schema` holding the
 * database's schema as compact JSON text with sorted keys — what
 * update_database_status() writes. The schema below describes the table
 * exactly as ovsdb-server 3.1's get_schema prints it (version 1.2.0 and
 * its checksum), so clients that compare schemas see no difference.
 *
 * Left out on purpose: clustered and relay rows (cid, sid, index, leader
 * false), which only exist for raft databases.
 */
import type { Datum, Row, RowChange } from './ovsdb-types.ts';
import { Database } from './database.ts';
import { ovsdbJsonToString } from './json-text.ts';
import { databaseSchemaToJson, parseDatabaseSchema } from './schema.ts';
import { randomUuid } from './uuid.ts';

export const SERVER_DB_NAME = '_Server';

const optional = (key: string): unknown => ({ type: { key, min: 0 } });

/** The `_Server` schema as ovsdb-server 3.1 reports it. */
export const SERVER_SCHEMA_JSON: unknown = {
  cksum: '3009684573 744',
  name: SERVER_DB_NAME,
  version: '1.2.0',
  tables: {
    Database: {
      columns: {
        cid: optional('uuid'),
        connected: { type: 'boolean' },
        index: optional('integer'),
        leader: { type: 'boolean' },
        model: { type: { key: { enum: ['set', ['clustered', 'relay', 'standalone']], type: 'string' } } },
        name: { type: 'string' },
        schema: optional('string'),
        sid: optional('uuid'),
      },
    },
  },
};

const one = (a: string | boolean): Datum => ({ keys: [a] });
const none: Datum = { keys: [] };

/** The Database row describing `db` (a standalone database). */
function databaseRow(db: Database, uuid: string): Row {
  const schemaText = ovsdbJsonToString(databaseSchemaToJson(db.schema), true);
  const columns = new Map<string, Datum>([
    ['cid', none],
    ['connected', one(true)],
    ['index', none],
    ['leader', one(true)],
    ['model', one('standalone')],
    ['name', one(db.schema.name)],
    ['schema', one(schemaText)],
    ['sid', none],
  ]);
  return { uuid, version: randomUuid(), columns };
}

/** A `_Server` database listing `databases` and itself. */
export function createServerDatabase(databases: readonly Database[]): Database {
  const server = new Database(parseDatabaseSchema(SERVER_SCHEMA_JSON));
  const rows = new Map<string, RowChange>();
  for (const db of [server, ...databases]) {
    const uuid = randomUuid();
    rows.set(uuid, { old: null, new: databaseRow(db, uuid) });
  }
  server.apply(new Map([['Database', rows]]));
  return server;
}
