/**
 * RunDir: owner and pid records round-trip; malformed records are skipped.
 * Uses a temporary base directory; no root needed.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { identifyProcess } from './process-identity.ts';
import { listRunDirs, RunDir } from './run-dir.ts';

t.test('owner record, pid records, removal', async (t) => {
  const base = t.testdir({});
  const dir = new RunDir('rsw-0-abcdef', base);
  t.equal(dir.readOwner(), undefined, 'no owner before creation');
  dir.createForCurrentProcess('0', 'features/x.feature:12');
  const owner = dir.readOwner();
  t.equal(owner?.pid, process.pid);
  t.equal(owner?.startTime, identifyProcess(process.pid)?.startTime);
  t.equal(owner?.scenarioId, 'features/x.feature:12');
  t.same(listRunDirs(base), ['rsw-0-abcdef']);

  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await sleep(30);
  const rec = dir.recordPid(child.pid ?? -1, 'sleeper');
  t.same(rec?.cmdline, ['sleep', '30']);
  writeFileSync(join(dir.path, 'pids', 'junk.json'), '{"pid": "nope"');
  t.same(dir.readPids(), [rec], 'malformed record skipped');
  t.equal(dir.recordPid(2 ** 22 + 12345, 'ghost'), undefined, 'a dead pid is not recorded');
  dir.forgetPid(child.pid ?? -1);
  t.same(dir.readPids(), []);

  dir.remove();
  t.notOk(existsSync(dir.path));
  t.same(listRunDirs(join(base, 'missing')), [], 'missing base lists nothing');
});
