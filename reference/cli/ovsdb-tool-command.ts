/**
 * `refswitch ovsdb-tool create DB [SCHEMA]` and
 * `refswitch ovsdb-tool [-m]... show-log DB`: the parts of Open vSwitch's
 * ovsdb-tool that setting up and inspecting a reference database needs.
 *
 * `create` writes a standalone database file holding only the schema
 * (SCHEMA defaults to Open vSwitch's vswitch.ovsschema) and refuses an
 * existing file; `show-log` prints the file's records as ovsdb-tool does.
 * Errors go to stderr prefixed "ovsdb-tool: " with exit code 1; usage
 * errors exit 2. Left out: compact, convert, query, transact, clusters.
 */
import { readFileSync } from 'node:fs';
import { DatabaseFile, formatShowLog, VSWITCH_SCHEMA_PATH } from '../ovsdb/index.ts';
import { UsageError, type Command } from './command.ts';

function fail(message: string): number {
  process.stderr.write(`ovsdb-tool: ${message}\n`);
  return 1;
}

function create(args: readonly string[]): number {
  const [db, schemaPath = VSWITCH_SCHEMA_PATH, ...extra] = args;
  if (db === undefined || extra.length) throw new UsageError('create: expected DB [SCHEMA]');
  let schemaJson: unknown;
  try {
    schemaJson = JSON.parse(readFileSync(schemaPath, 'utf8'));
  } catch (err) {
    return fail(`failed to read schema: "${schemaPath}" could not be read as JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    DatabaseFile.create(db, schemaJson);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  return 0;
}

function showLog(args: readonly string[], verbosity: number): number {
  const [db, ...extra] = args;
  if (db === undefined || extra.length) throw new UsageError('show-log: expected DB');
  let data: Buffer;
  try {
    data = readFileSync(db);
  } catch (err) {
    return fail(`I/O error: ${db}: open failed (${err instanceof Error ? err.message : String(err)})`);
  }
  const { text, error } = formatShowLog(data, db, verbosity);
  process.stdout.write(text);
  return error === undefined ? 0 : fail(error);
}

export const ovsdbToolCommand: Command = {
  name: 'ovsdb-tool',
  usage: ['ovsdb-tool create DB [SCHEMA]   (SCHEMA defaults to vswitch.ovsschema)', 'ovsdb-tool [-m]... show-log DB'],
  async run(argv) {
    let verbosity = 0;
    const rest: string[] = [];
    for (const a of argv) {
      if (/^-m+$/.test(a)) verbosity += a.length - 1;
      else if (a === '--more') verbosity++;
      else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
      else rest.push(a);
    }
    const [sub, ...args] = rest;
    if (sub === 'create') return create(args);
    if (sub === 'show-log') return showLog(args, verbosity);
    throw new UsageError(sub === undefined ? 'missing command (create, show-log)' : `unknown command '${sub}' (known: create, show-log)`);
  },
};
