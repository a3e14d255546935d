import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeRecord, LogWriter, recordFromText, replaceLog, scanLog } from './log.ts';
import { LockFile, lockFilePath } from './lock-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'refswitch-log-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a record is header + compact JSON line, length and sha1 of the line', async (t) => {
  const rec = composeRecord({ a: 1, b: ['set', []] }).toString('utf8');
  const body = '{"a":1,"b":["set",[]]}\n';
  const sha = createHash('sha1').update(body).digest('hex');
  t.equal(rec, `OVSDB JSON ${body.length} ${sha}\n${body}`);
  const scan = scanLog(Buffer.from(rec), 'x');
  t.same(scan.records.map((r) => r.json), [{ a: 1, b: ['set', []] }]);
  t.equal(scan.validBytes, rec.length);
  t.equal(scan.tailError, undefined);
});

t.test('recordFromText builds the same record as composeRecord (multi-byte text too)', async (t) => {
  for (const json of [{ a: 1 }, { s: 'x\ny "é" €😀' }, { long: 'z'.repeat(100_000) }]) {
    t.same(recordFromText(JSON.stringify(json)), composeRecord(json));
  }
});

t.test('queued records reach the file only at flush, all in one write', async (t) => {
  const path = join(dir, 'queued.log');
  const w = LogWriter.create(path, [{ s: 1 }]);
  const base = w.size;
  w.queue(recordFromText('{"a":1}'), false);
  w.queue(recordFromText('{"b":2}'), true);
  t.equal(statSync(path).size, base, 'nothing written before flush');
  t.equal(w.size, base);
  t.ok(w.pendingBytes > 0);
  w.flush();
  t.equal(w.pendingBytes, 0);
  t.equal(statSync(path).size, w.size);
  t.same(scanLog(readFileSync(path), path).records.map((r) => r.json), [{ s: 1 }, { a: 1 }, { b: 2 }]);
  w.flush();
  t.equal(statSync(path).size, w.size, 'an empty flush writes nothing');
  w.close();
});

t.test('truncating at every byte offset of the last record keeps the records before it', async (t) => {
  const first = composeRecord({ name: 'db', tables: {} });
  const second = composeRecord({ T: { 'a6c1e5b4-0000-4000-8000-000000000001': { s: 'x\ny "é"' } }, _date: 1 });
  const full = Buffer.concat([first, second]);
  t.equal(scanLog(full, 'f').records.length, 2);
  let bad = 0;
  for (let cut = first.length; cut < full.length; cut++) {
    const scan = scanLog(full.subarray(0, cut), 'f');
    if (scan.records.length !== 1 || scan.validBytes !== first.length || (cut > first.length && scan.tailError === undefined)) bad++;
  }
  t.equal(bad, 0, 'every cut yields exactly the first record and a tail error');
});

t.test('corrupt tails are reported in ovsdb-server words', async (t) => {
  const good = composeRecord({ a: 1 });
  const flipped = Buffer.from(composeRecord({ b: 2 }));
  flipped[flipped.length - 3] = (flipped[flipped.length - 3] ?? 0) ^ 1;
  t.match(scanLog(Buffer.concat([good, flipped]), 'db').tailError, /^db: 8 bytes starting at offset \d+ have SHA-1 hash [0-9a-f]{40} but should have hash [0-9a-f]{40}$/);
  t.match(scanLog(Buffer.concat([good, Buffer.from('garbage\n')]), 'db').tailError, `db: parse error at offset ${good.length} in header line "garbage"`);
  const arr = Buffer.from(`OVSDB JSON 3 ${createHash('sha1').update('[]\n').digest('hex')}\n[]\n`);
  t.match(scanLog(Buffer.concat([good, arr]), 'db').tailError, /are not a JSON object$/);
  t.match(scanLog(good.subarray(0, 30), 'db').tailError, /parse error at offset 0/);
  t.match(scanLog(good.subarray(0, good.length - 1), 'db').tailError, /error reading 8 bytes starting at offset \d+ \(End of file\)/);
});

t.test('LogWriter appends whole records and truncates a torn tail on open', async (t) => {
  const path = join(dir, 'w.db');
  const w = LogWriter.create(path, [{ s: 1 }]);
  w.append({ t: 2 }, true);
  w.close();
  const size = statSync(path).size;
  writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('OVSDB JSON 99')]));
  const scan = scanLog(readFileSync(path), path);
  t.equal(scan.validBytes, size);
  const w2 = LogWriter.open(path, scan.validBytes);
  w2.append({ u: 3 }, false);
  w2.close();
  t.same(scanLog(readFileSync(path), path).records.map((r) => r.json), [{ s: 1 }, { t: 2 }, { u: 3 }]);
  t.throws(() => LogWriter.create(path, []), /EEXIST/);
});

t.test('replaceLog swaps the file atomically and keeps writing to the new one', async (t) => {
  const path = join(dir, 'r.db');
  LogWriter.create(path, [{ s: 1 }, { a: 1 }, { b: 2 }]).close();
  const w = replaceLog(path, [{ s: 1 }, { snapshot: true }]);
  w.append({ c: 3 }, true);
  w.close();
  t.same(scanLog(readFileSync(path), path).records.map((r) => r.json), [{ s: 1 }, { snapshot: true }, { c: 3 }]);
  t.notOk(existsSync(`${path}.tmp~`));
});

t.test('lock file: .NAME.~lock~, a second holder is refused, release frees it', async (t) => {
  const db = join(dir, 'l.db');
  t.equal(lockFilePath(db), join(dir, '.l.db.~lock~'));
  const lock = LockFile.acquire(db);
  t.throws(() => LockFile.acquire(db), /l\.db: failed to lock lockfile \(Resource temporarily unavailable\).*this process/);
  const other = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('${join(import.meta.dirname, 'lock-file.ts')}').then((m) => m.LockFile.acquire(${JSON.stringify(db)}))`], { encoding: 'utf8' });
  t.match(other.stderr, `already locked by pid ${process.pid}`, 'another process sees our pid');
  lock.release();
  LockFile.acquire(db).release();
  t.equal(readFileSync(lockFilePath(db), 'utf8'), '', 'released lock file is empty, as OVS leaves it');
});

const ovsMissing =
  spawnSync('ovsdb-server', ['--version']).status !== 0
    ? 'ovsdb-server (Open vSwitch) is not installed'
    : !existsSync('/usr/share/openvswitch/vswitch.ovsschema')
      ? 'vswitch.ovsschema is not installed'
      : false;

t.test('lock file: a lock held by real ovsdb-tool/ovsdb-server is seen', { skip: ovsMissing }, async (t) => {
  const db = join(dir, 'ovs.db');
  execFileSync('ovsdb-tool', ['create', db, '/usr/share/openvswitch/vswitch.ovsschema']);
  const sock = join(dir, 'ovs.sock');
  const ctl = join(dir, 'ovs.ctl');
  const pidfile = join(dir, 'ovs.pid');
  execFileSync('ovsdb-server', [db, `--remote=punix:${sock}`, `--unixctl=${ctl}`, `--pidfile=${pidfile}`, '-vconsole:off', '--detach', '--no-chdir']);
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  try {
    t.throws(() => LockFile.acquire(db), new RegExp(`already locked by pid ${pid}`));
  } finally {
    process.kill(pid, 'SIGTERM');
  }
});
