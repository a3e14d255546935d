/**
 * Dies with the parent: a cucumber process (coordinator or --parallel worker)
 * whose parent has gone — `refswitch run` killed with SIGKILL, or the
 * coordinator killed under its workers — exits at once instead of running
 * on as an orphan beside the next run.
 *
 * What it leaves (a sandbox mid-scenario, its switch processes) belongs to a
 * dead owner by then, so the next run's reaper removes it (hooks.ts). The
 * check polls `process.ppid` every 250 ms on an unref'd timer, so it never
 * keeps a process alive. Left out: a parent that is the init process from
 * the start (a container's entry point) — then there is nothing to watch.
 */
const POLL_MS = 250;

export function exitWhenOrphaned(exit: (code: number) => void = (code) => process.exit(code)): NodeJS.Timeout | undefined {
  const parent = process.ppid;
  if (parent <= 1) return undefined;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    process.stderr.write(`refswitch: parent process ${parent} is gone; stopping (the next run reaps what this one leaves)\n`);
    exit(137);
  }, POLL_MS);
  timer.unref();
  return timer;
}

exitWhenOrphaned();
