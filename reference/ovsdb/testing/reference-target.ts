/**
 * Starts the reference OVSDB server (server.ts, in this process) on a
 * schema file, with no database file (non-durable), listening on
 * `punix:DIR/NAME.sock`: the second party of the differential test.
 *
 * Left out: a database file (the differential test compares replies, not
 * storage; bench/ovsdb runs `refswitch ovsdb-server` on a file instead).
 */
import { join } from 'node:path';
import { Database } from '../database.ts';
import { loadDatabaseSchema } from '../schema.ts';
import { OvsdbServer } from '../server.ts';

export interface StartedReference {
  /** `unix:PATH` of its socket. */
  readonly address: string;
  close(): Promise<void>;
}

/** Starts the reference server on `schemaPath` in this process. */
export async function startReferenceServer(dir: string, schemaPath: string, name = 'ref'): Promise<StartedReference> {
  const db = new Database(loadDatabaseSchema(schemaPath));
  const sock = join(dir, `${name}.sock`);
  const server = await OvsdbServer.start({ databases: [{ db }], remotes: [`punix:${sock}`] });
  return { address: `unix:${sock}`, close: () => server.close() };
}
