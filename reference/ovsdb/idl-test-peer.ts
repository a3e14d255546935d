/**
 * Test support for the client: an OVSDB server with a fresh Open_vSwitch
 * database in a temp dir — the real Open vSwitch ovsdb-server or the
 * reference OvsdbServer on a DatabaseFile — and helpers that drive it with
 * the real ovs-vsctl and read it back with `ovsdb-client dump`.
 *
 * Invariant: every server started here is stopped (by its pid) and its
 * directory removed in the test's teardown. `realOvsdbMissing()` names
 * what is absent so tests can skip visibly.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { datumFromJson, datumEquals } from './datum.ts';
import type { DatabaseSchema, Row } from './ovsdb-types.ts';
import { VSWITCH_SCHEMA_PATH } from './schema.ts';

const TOOLS = ['/usr/sbin/ovsdb-server', '/usr/bin/ovsdb-tool', '/usr/bin/ovsdb-client', '/usr/bin/ovs-vsctl'];

/** Why the real server cannot be used here, or undefined when it can. */
export function realOvsdbMissing(): string | undefined {
  for (const p of [...TOOLS, VSWITCH_SCHEMA_PATH]) if (!existsSync(p)) return `${p} is not installed`;
  return undefined;
}

/** A running server under test: `stop()` ends it (and its clients' connections). */
export interface RealOvsdb {
  readonly dir: string;
  /** `unix:DIR/db.sock` */
  readonly target: string;
  vsctl(...args: string[]): string;
  stop(): void;
}

export interface OvsdbPeer {
  readonly name: string;
  /** Why this server cannot run here (undefined when it can). */
  readonly missing: string | undefined;
  start(t: Teardown): Promise<RealOvsdb>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The servers the client is tested against (ovs-vsctl and ovsdb-client drive and read both). */
export const OVSDB_PEERS: readonly OvsdbPeer[] = [
  { name: 'ovsdb-server', missing: realOvsdbMissing(), start: (t) => startRealOvsdb(t) },
  {
    name: 'reference OvsdbServer',
    missing: realOvsdbMissing() ?? (existsSync(join(HERE, 'server.ts')) ? undefined : 'reference/ovsdb/server.ts does not exist yet'),
    start: (t) => startReferenceOvsdb(t),
  },
];

interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

/** Starts ovsdb-server on a new database; stops it and removes the dir at the test's teardown. */
export async function startRealOvsdb(t: Teardown): Promise<RealOvsdb> {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-idl-'));
  const db = join(dir, 'conf.db');
  const sock = join(dir, 'db.sock');
  execFileSync('ovsdb-tool', ['create', db, VSWITCH_SCHEMA_PATH]);
  const child = spawn('ovsdb-server', [db, `--remote=punix:${sock}`, `--unixctl=${join(dir, 'ctl')}`, '--no-chdir', '-vconsole:off', `--log-file=${join(dir, 'log')}`], { stdio: 'ignore' });
  return finishStart(t, dir, sock, () => child.kill('SIGTERM'));
}

async function finishStart(t: Teardown, dir: string, sock: string, kill: () => void): Promise<RealOvsdb> {
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    kill();
  };
  t.teardown(() => {
    stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 500 && !existsSync(sock); i++) await sleep(10);
  if (!existsSync(sock)) throw new Error(`the server did not create ${sock}`);
  const target = `unix:${sock}`;
  return {
    dir,
    target,
    vsctl: (...args) => execFileSync('ovs-vsctl', [`--db=${target}`, '--no-wait', ...args], { encoding: 'utf8' }),
    stop,
  };
}

/**
 * Starts the reference OvsdbServer on a new DatabaseFile in a child Node
 * process (so a test may block on ovs-vsctl while the server answers);
 * stops it by pid and removes the dir at teardown. The child also exits
 * when its stdin (a pipe from us) closes, so it never outlives the test.
 */
export async function startReferenceOvsdb(t: Teardown): Promise<RealOvsdb> {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-idl-ref-'));
  const path = join(dir, 'conf.db');
  const sock = join(dir, 'db.sock');
  const code = [
    `import { readFileSync } from 'node:fs';`,
    `import { DatabaseFile } from ${JSON.stringify(join(HERE, 'database-file.ts'))};`,
    `import { OvsdbServer } from ${JSON.stringify(join(HERE, 'server.ts'))};`,
    `DatabaseFile.create(${JSON.stringify(path)}, JSON.parse(readFileSync(${JSON.stringify(VSWITCH_SCHEMA_PATH)}, 'utf8')));`,
    `const { file, db } = DatabaseFile.open(${JSON.stringify(path)});`,
    `await OvsdbServer.start({ databases: [{ db, file }], remotes: [${JSON.stringify(`punix:${sock}`)}] });`,
    // Exit with the test process: our stdin closes when it ends, however it ends.
    `process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume();`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'ignore', 'inherit'] });
  return finishStart(t, dir, sock, () => child.kill('SIGTERM'));
}

/** Every table as `ovsdb-client -f json dump` prints it: table → uuid → column → datum JSON. */
export function dumpTables(target: string): Map<string, Map<string, Record<string, unknown>>> {
  const out = execFileSync('ovsdb-client', ['-f', 'json', 'dump', target, 'Open_vSwitch'], { encoding: 'utf8' });
  const tables = new Map<string, Map<string, Record<string, unknown>>>();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const t = JSON.parse(line) as { caption: string; headings: string[]; data: unknown[][] };
    const rows = new Map<string, Record<string, unknown>>();
    for (const cells of t.data) {
      const row: Record<string, unknown> = {};
      t.headings.forEach((h, i) => (row[h] = cells[i]));
      const uuid = row['_uuid'] as [string, string];
      rows.set(uuid[1], row);
    }
    tables.set(t.caption.replace(/ table$/, ''), rows);
  }
  return tables;
}

/** Differences between a replica's tables and a dump (empty when equal), for every column the replica holds. */
export function compareWithDump(
  schema: DatabaseSchema,
  dump: ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>,
  rowsOf: (table: string) => ReadonlyMap<string, Row>,
): string[] {
  const diffs: string[] = [];
  for (const [table, dumped] of dump) {
    const ts = schema.tables.get(table);
    if (!ts) continue;
    const rows = rowsOf(table);
    for (const uuid of dumped.keys()) if (!rows.has(uuid)) diffs.push(`${table} ${uuid}: missing from the replica`);
    for (const [uuid, row] of rows) {
      const d = dumped.get(uuid);
      if (!d) {
        diffs.push(`${table} ${uuid}: in the replica only`);
        continue;
      }
      for (const [column, datum] of row.columns) {
        const type = ts.columns.get(column)?.type;
        if (type && !datumEquals(datum, datumFromJson(type, d[column]))) {
          diffs.push(`${table} ${uuid} ${column}: replica ${JSON.stringify(datum)} dump ${JSON.stringify(d[column])}`);
        }
      }
    }
  }
  return diffs;
}
