import t from 'tap';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

t.test('a process loading the watch exits once its parent dies', async (t) => {
  // sh starts node with the watch, prints node's pid, then sh is killed: node must exit on its own.
  const watch = new URL('./parent-watch.ts', import.meta.url).pathname;
  const script = `node --import tsx -e "await import('${watch}'); setInterval(() => {}, 1000)" & echo $!; wait`;
  const sh = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => sh.stdout.once('data', (b: Buffer) => resolve(Number(String(b).trim()))));
  t.ok(pid > 0, 'child started');
  await sleep(1000);
  sh.kill('SIGKILL');
  let alive = true;
  for (let i = 0; i < 40 && alive; i++) {
    await sleep(100);
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
  }
  if (alive) process.kill(pid, 'SIGKILL');
  t.notOk(alive, 'the orphan exited within 4 s');
});
