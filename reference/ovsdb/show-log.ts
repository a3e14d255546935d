/**
 * `ovsdb-tool show-log [-m]...` for a standalone database file: one line per
 * record (the schema's name, version and checksum; a transaction's date and
 * comment), and with -m the rows each transaction touches, named by their
 * "name" column when they have one; with -mm also every column written.
 *
 * Invariant: the text equals ovsdb-tool 3.1's for the same records, except
 * that tables and columns come in the file's member order where OVS prints
 * them in its hash order. Reading stops at a torn or corrupt tail, which is
 * returned as `error`, prefixed with OVS's error class (ovsdb-tool prints
 * it and exits 1).
 */
import type { DatabaseSchema } from './ovsdb-types.ts';
import { datumFromJson, datumToString } from './datum.ts';
import { ovsdbJsonToString } from './json-text.ts';
import { scanLog } from './log.ts';
import { parseDatabaseSchema } from './schema.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** " %Y-%m-%d %H:%M:%S.mmm" in UTC, as xastrftime_msec with utc. */
function formatDate(ms: number): string {
  const d = new Date(ms < 0x7fffffff ? ms * 1000 : ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return ` ${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

function valueText(schema: DatabaseSchema | undefined, table: string, column: string, value: unknown): string {
  const type = schema?.tables.get(table)?.columns.get(column)?.type;
  if (type) {
    try {
      return datumToString(type, datumFromJson(type, value));
    } catch {
      // not a valid datum of that type (e.g. an oversized diff): show the JSON
    }
  }
  return ovsdbJsonToString(value, true);
}

function printChanges(out: string[], record: Record<string, unknown>, names: Map<string, string>, schema: DatabaseSchema | undefined, verbosity: number): void {
  const diff = record['_is_diff'] === true;
  let tables = 0;
  for (const [table, rows] of Object.entries(record)) {
    if (table.startsWith('_') || !isObject(rows)) continue;
    if (tables++ === 0) out.push('\n');
    for (const [uuid, columns] of Object.entries(rows)) {
      const oldName = names.get(uuid);
      const nameJson = isObject(columns) ? columns['name'] : undefined;
      const newName = nameJson === undefined ? undefined : ovsdbJsonToString(nameJson, true);
      const short = uuid.slice(0, 8);
      if (oldName === undefined) out.push(`  table ${table} insert row ${newName !== undefined ? `${newName} (${short})` : short}:\n`);
      else out.push(`  table ${table} row ${oldName} (${short})${diff ? ' diff' : ''}:\n`);
      if (isObject(columns)) {
        if (verbosity > 1) {
          for (const [column, value] of Object.entries(columns)) out.push(`    ${column}=${valueText(schema, table, column, value)}\n`);
        }
        if (newName !== undefined && oldName !== newName) names.set(uuid, newName);
        else if (oldName === undefined) names.set(uuid, short);
      } else if (columns === null) {
        out.push('    delete row\n');
        names.delete(uuid);
      }
    }
  }
}

/** The show-log text for the file `data` (named `name` in errors), and the error that ended it, if any. */
export function formatShowLog(data: Buffer, name: string, verbosity: number): { text: string; error?: string } {
  const scan = scanLog(data, name);
  const out: string[] = [];
  const names = new Map<string, string>();
  let schema: DatabaseSchema | undefined;
  for (const [i, record] of scan.records.entries()) {
    out.push(`record ${i}:`);
    if (i === 0) {
      try {
        schema = parseDatabaseSchema(record.json);
      } catch (err) {
        return { text: out.join(''), error: err instanceof Error ? err.message : String(err) };
      }
      out.push(` "${schema.name}" schema, version="${schema.version}", cksum="${schema.cksum ?? '(null)'}"\n`);
    } else {
      const date = record.json['_date'];
      if (typeof date === 'number' && Number.isInteger(date)) out.push(formatDate(date));
      const comment = record.json['_comment'];
      if (typeof comment === 'string') out.push(` "${comment}"`);
      if (verbosity > 0) printChanges(out, record.json, names, schema, verbosity);
    }
    out.push('\n');
  }
  return scan.tailError === undefined ? { text: out.join('') } : { text: out.join(''), error: `${scan.tailErrorTag ?? 'syntax error'}: ${scan.tailError}` };
}
