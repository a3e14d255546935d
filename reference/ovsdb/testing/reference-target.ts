/**
 * Starts the reference OVSDB server (server.ts, in this process) on the
 * differential test schema, with no database file (non-durable), listening
 * on `punix:DIR/NAME.sock`, for differential tests and benchmarks.
 *
 * The server, database and schema modules are loaded at run time, so the
 * differential test still runs (against ovsdb-server alone, saying so)
 * while the reference server is not built; `missing` says why it could
 * not start.
 */
import { join } from 'node:path';
import type { DatabaseSchema } from '../ovsdb-types.ts';

export interface StartedReference {
  /** `unix:PATH` of its socket. */
  readonly address: string;
  close(): Promise<void>;
}

interface ServerHandle {
  readonly addresses: readonly string[];
  close(): Promise<void>;
}
interface Modules {
  readonly loadDatabaseSchema: (path: string) => DatabaseSchema;
  readonly Database: new (schema: DatabaseSchema) => object;
  readonly OvsdbServer: { start(opts: { databases: { db: object }[]; remotes: readonly string[] }): Promise<ServerHandle> };
}

async function loadModules(): Promise<Modules | string> {
  const here = import.meta.dirname;
  try {
    const [schema, database, server] = (await Promise.all(
      ['schema.ts', 'database.ts', 'server.ts'].map((f) => import(join(here, '..', f))),
    )) as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    const m = { loadDatabaseSchema: schema['loadDatabaseSchema'], Database: database['Database'], OvsdbServer: server['OvsdbServer'] };
    if (typeof m.loadDatabaseSchema !== 'function' || typeof m.Database !== 'function' || typeof m.OvsdbServer !== 'function') {
      return 'reference/ovsdb does not export loadDatabaseSchema, Database and OvsdbServer yet';
    }
    return m as Modules;
  } catch (e) {
    return `the reference server does not load yet: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}

/** Starts the reference server on `schemaPath`, or says why it cannot. */
export async function startReferenceServer(dir: string, schemaPath: string, name = 'ref'): Promise<StartedReference | { missing: string }> {
  const m = await loadModules();
  if (typeof m === 'string') return { missing: m };
  const db = new m.Database(m.loadDatabaseSchema(schemaPath));
  const sock = join(dir, `${name}.sock`);
  const server = await m.OvsdbServer.start({ databases: [{ db }], remotes: [`punix:${sock}`] });
  return { address: `unix:${sock}`, close: () => server.close() };
}
