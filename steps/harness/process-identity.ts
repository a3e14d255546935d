/**
 * Process identity from /proc: "is pid N still the process we started?"
 *
 * Invariant: we only ever signal a pid whose start time (/proc/<pid>/stat
 * field 22) and command line (/proc/<pid>/cmdline) both match what was
 * recorded when it was started, so a recycled pid is never killed.
 * Zombies count as dead.
 *
 * Left out on purpose: process groups and children of recorded processes
 * (daemons the switch forks must record their own pids).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessIdentity {
  readonly pid: number;
  /** Clock ticks since boot, /proc/<pid>/stat field 22. */
  readonly startTime: number;
  readonly cmdline: readonly string[];
}

interface ProcStat {
  readonly state: string;
  readonly startTime: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ...`: comm may contain spaces and parentheses, so
  // split after the last ')'. Field 3 is state, field 22 starttime.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTime = Number(rest[19]);
  return state === undefined || !Number.isFinite(startTime) ? undefined : { state, startTime };
}

function readCmdline(pid: number): string[] | undefined {
  try {
    const parts = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (parts.at(-1) === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

/** The identity of a running (non-zombie) process, or undefined. */
export function identifyProcess(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  const cmdline = readCmdline(pid);
  if (stat === undefined || cmdline === undefined || stat.state === 'Z') return undefined;
  return { pid, startTime: stat.startTime, cmdline };
}

/** True when pid still runs and is the same process as `recorded`. */
export function isSameProcess(recorded: ProcessIdentity): boolean {
  const now = identifyProcess(recorded.pid);
  return (
    now !== undefined &&
    now.startTime === recorded.startTime &&
    now.cmdline.length === recorded.cmdline.length &&
    now.cmdline.every((a, i) => a === recorded.cmdline[i])
  );
}

/** True when a process with this pid and start time is alive (any cmdline). */
export function isAlive(pid: number, startTime: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTime === startTime;
}

/**
 * Stops the recorded process if it is still the same one: SIGTERM, then
 * SIGKILL after `graceMs`. Resolves to what happened; never throws for a
 * process that is already gone.
 */
export async function stopProcess(recorded: ProcessIdentity, graceMs = 2000): Promise<'not-running' | 'terminated' | 'killed'> {
  if (!isSameProcess(recorded)) return 'not-running';
  signal(recorded.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(recorded.pid, recorded.startTime)) return 'terminated';
    await sleep(10);
  }
  if (isSameProcess(recorded)) signal(recorded.pid, 'SIGKILL');
  while (isAlive(recorded.pid, recorded.startTime) && Date.now() < deadline + 2000) await sleep(10);
  return 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone between the check and the signal
  }
}
