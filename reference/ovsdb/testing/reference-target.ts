/**
 * Starts the reference OVSDB server (server.ts, in this process) for the
 * differential test, listening on `punix:DIR/NAME.sock`: in memory only,
 * or on a database file (created from the schema when absent, opened as
 * `refswitch ovsdb-server` opens it when present — also one Open vSwitch
 * wrote).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../database.ts';
import { DatabaseFile } from '../database-file.ts';
import { loadDatabaseSchema } from '../schema.ts';
import { OvsdbServer } from '../server.ts';

export interface StartedReference {
  /** `unix:PATH` of its socket. */
  readonly address: string;
  close(): Promise<void>;
}

/** Starts the reference server on `schemaPath` in this process, on `opts.dbPath` when given. */
export async function startReferenceServer(
  dir: string,
  schemaPath: string,
  opts: { readonly name?: string; readonly dbPath?: string } = {},
): Promise<StartedReference> {
  const sock = join(dir, `${opts.name ?? 'ref'}.sock`);
  let database: { db: Database; file?: DatabaseFile };
  if (opts.dbPath === undefined) {
    database = { db: new Database(loadDatabaseSchema(schemaPath)) };
  } else {
    if (!existsSync(opts.dbPath)) DatabaseFile.create(opts.dbPath, JSON.parse(readFileSync(schemaPath, 'utf8')));
    const { file, db } = DatabaseFile.open(opts.dbPath);
    database = { db, file };
  }
  const server = await OvsdbServer.start({ databases: [database], remotes: [`punix:${sock}`] });
  return { address: `unix:${sock}`, close: () => server.close() };
}
