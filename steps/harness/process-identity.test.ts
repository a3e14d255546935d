/**
 * Process identity: a recorded process is recognised by pid + start time +
 * command line, stopped when it is the same, left alone when it is not.
 * Uses only processes the test starts; no root needed.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { identifyProcess, isAlive, isSameProcess, stopProcess } from './process-identity.ts';

async function startSleeper(args: string[] = ['30']): Promise<{ pid: number; kill: () => void }> {
  const child = spawn('sleep', args, { stdio: 'ignore' });
  await sleep(30);
  return { pid: child.pid ?? -1, kill: () => child.kill('SIGKILL') };
}

t.test('identify a running process; a wrong start time or command line is not the same process', async (t) => {
  const s = await startSleeper();
  t.teardown(s.kill);
  const id = identifyProcess(s.pid);
  t.same(id?.cmdline, ['sleep', '30']);
  if (id === undefined) return;
  t.ok(isSameProcess(id));
  t.ok(isAlive(id.pid, id.startTime));
  t.notOk(isSameProcess({ ...id, startTime: id.startTime + 1 }), 'recycled pid (other start time)');
  t.notOk(isSameProcess({ ...id, cmdline: ['sleep', '31'] }), 'other command line');
  t.equal(await stopProcess({ ...id, cmdline: ['ovs-vswitchd'] }), 'not-running', 'not signalled when it is not ours');
  t.ok(isSameProcess(id), 'still running');
});

t.test('stopProcess terminates, and a process that ignores SIGTERM is killed', async (t) => {
  const s = await startSleeper();
  t.teardown(s.kill);
  const id = identifyProcess(s.pid);
  if (id === undefined) return t.fail('sleeper not running');
  t.equal(await stopProcess(id), 'terminated');
  t.equal(identifyProcess(s.pid), undefined);

  const stubborn = spawn('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done'], { stdio: 'ignore' });
  t.teardown(() => stubborn.kill('SIGKILL'));
  await sleep(50);
  const sid = identifyProcess(stubborn.pid ?? -1);
  if (sid === undefined) return t.fail('stubborn not running');
  t.equal(await stopProcess(sid, 200), 'killed');
  t.notOk(isAlive(sid.pid, sid.startTime));
});

t.test('a pid that does not exist is not running', async (t) => {
  t.equal(identifyProcess(2 ** 22 + 12345), undefined);
  t.equal(await stopProcess({ pid: 2 ** 22 + 12345, startTime: 1, cmdline: ['x'] }), 'not-running');
});
