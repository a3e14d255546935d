import t from 'tap';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

t.test('a process loading the watch exits once its parent dies', async (t) => {
  // sh starts node with the watch, prints node's pid, then sh is killed: node must exit on its own.
  const watch = new URL('./parent-watch.ts', import.meta.url).pathname;
  // The child says "ready" once the watch is loaded, so a slow, loaded machine cannot kill sh too early.
  const script = `node --import tsx -e "await import('${watch}'); console.log('ready'); setInterval(() => {}, 1000)" & echo $!; wait`;
  const sh = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  await new Promise<void>((resolve) => {
    sh.stdout.on('data', (b: Buffer) => {
      out += String(b);
      if (out.includes('ready')) resolve();
    });
  });
  const pid = Number(out.split('\n')[0]?.trim());
  t.ok(pid > 0, 'child started');
  sh.kill('SIGKILL');
  // Generous bound (no timing claim): the watch polls once a second; a loaded machine may take longer.
  let alive = true;
  for (let i = 0; i < 300 && alive; i++) {
    await sleep(100);
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
  }
  if (alive) process.kill(pid, 'SIGKILL');
  t.notOk(alive, 'the orphan exited on its own');
});
