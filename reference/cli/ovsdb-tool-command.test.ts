/**
 * `refswitch ovsdb-tool create|show-log` through the real command line, and
 * its show-log text against Open vSwitch's ovsdb-tool for the same file
 * (lines compared per record as sets: OVS prints tables and columns in hash
 * order). The Open vSwitch comparison skips visibly when it is absent.
 */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from './command.ts';
import { ovsdbToolCommand } from './ovsdb-tool-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'refswitch-ovsdb-tool-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const bin = resolve(import.meta.dirname, '../../bin/refswitch.js');
const VSWITCH = '/usr/share/openvswitch/vswitch.ovsschema';

/** Runs the command in-process, capturing its output; a UsageError is exit code 2 as in main. */
async function refswitch(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  let status: number;
  try {
    status = await ovsdbToolCommand.run(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    status = 2;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}

const ovsMissing = spawnSync('ovsdb-tool', ['--version']).status !== 0 ? 'Open vSwitch (ovsdb-tool) is not installed' : !existsSync(VSWITCH) ? `${VSWITCH} is not installed` : false;

/** Each record's lines, sorted, so hash-ordered output compares with ours. */
function byRecord(text: string): string[][] {
  return text.split(/(?=^record \d+:)/m).map((block) => block.split('\n').filter((l) => l !== '').sort());
}

t.test('create writes a schema-only file, refuses an existing one; usage errors exit 2', async (t) => {
  const schema = join(dir, 's.ovsschema');
  writeFileSync(schema, JSON.stringify({ name: 'S', version: '1.0.0', tables: { T: { columns: { c: { type: 'integer' } } } } }));
  const db = join(dir, 's.db');
  const made = spawnSync(process.execPath, [bin, 'ovsdb-tool', 'create', db, schema], { encoding: 'utf8' });
  t.equal(made.status, 0, made.stderr);
  t.match(readFileSync(db, 'utf8'), /^OVSDB JSON \d+ [0-9a-f]{40}\n\{.*"name":"S"/);
  const again = await refswitch('create', db, schema);
  t.equal(again.status, 1);
  t.match(again.stderr, /^ovsdb-tool: .*s\.db: create failed/);
  const show = await refswitch('show-log', db);
  t.equal(show.stdout, 'record 0: "S" schema, version="1.0.0", cksum="(null)"\n\n');
  const missing = await refswitch('create', join(dir, 'x.db'), join(dir, 'nope.ovsschema'));
  t.match(missing.stderr, /^ovsdb-tool: failed to read schema: ".*nope\.ovsschema" could not be read as JSON/);
  t.equal((await refswitch('frobnicate')).status, 2);
  t.equal((await refswitch('create')).status, 2);
});

t.test('create defaults to vswitch.ovsschema; show-log -m equals ovsdb-tool\'s', { skip: ovsMissing }, async (t) => {
  const db = join(dir, 'conf.db');
  t.equal((await refswitch('create', db)).status, 0);
  t.equal((await refswitch('show-log', db)).stdout, execFileSync('ovsdb-tool', ['show-log', db], { encoding: 'utf8' }));
  execFileSync('ovsdb-tool', ['transact', db, JSON.stringify(['Open_vSwitch', { op: 'insert', table: 'Open_vSwitch', row: { bridges: ['named-uuid', 'b'] } }, { op: 'insert', table: 'Bridge', 'uuid-name': 'b', row: { name: 'br0', other_config: ['map', [['a', 'b']]] } }, { op: 'comment', comment: 'first' }])]);
  execFileSync('ovsdb-tool', ['transact', db, JSON.stringify(['Open_vSwitch', { op: 'update', table: 'Bridge', where: [], row: { other_config: ['map', [['c', 'd']]], fail_mode: 'secure' } }])]);
  execFileSync('ovsdb-tool', ['transact', db, JSON.stringify(['Open_vSwitch', { op: 'update', table: 'Open_vSwitch', where: [], row: { bridges: ['set', []] } }])]);
  t.match(execFileSync('ovsdb-tool', ['show-log', db], { encoding: 'utf8' }), /record 3:/, 'the three transactions are in the file');
  for (const m of ['-m', '-mm']) {
    const ours = await refswitch(m, 'show-log', db);
    t.equal(ours.status, 0, ours.stderr);
    t.same(byRecord(ours.stdout), byRecord(execFileSync('ovsdb-tool', [m, 'show-log', db], { encoding: 'utf8' })), `show-log ${m}`);
  }
  writeFileSync(db, readFileSync(db).subarray(0, -4));
  const torn = await refswitch('show-log', db);
  const real = spawnSync('ovsdb-tool', ['show-log', db], { encoding: 'utf8' });
  t.equal(torn.status, 1);
  t.equal(torn.stdout, real.stdout, 'records before a torn tail');
  t.equal(torn.stderr, real.stderr, 'the error');
});
