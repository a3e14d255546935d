/**
 * RunDir: a sandbox's directory on disk, /tmp/refswitch-sandbox/<namespace>/.
 *
 * It holds what a later run needs to clean up after a killed one:
 *   owner.json        the owning process (pid + start time), worker, scenario
 *   pids/<pid>.json   every process started for the sandbox (identity as
 *                     recorded from /proc when it was registered)
 * and is the natural place for the switch's own files (OVS run/log/db dirs).
 *
 * Invariant: owner.json is written before the namespace exists and the
 * directory is removed after the namespace is gone, so every live sandbox
 * namespace has an owner record; a namespace without one is a leftover.
 * Left out on purpose: locking — names are random per sandbox and only the
 * owner writes its directory.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifyProcess, type ProcessIdentity } from './process-identity.ts';

export const DEFAULT_RUN_BASE = '/tmp/refswitch-sandbox';

export interface OwnerRecord {
  readonly pid: number;
  readonly startTime: number;
  readonly workerId: string;
  readonly scenarioId: string;
  readonly createdAt: string;
}

export interface PidRecord extends ProcessIdentity {
  readonly label: string;
}

export class RunDir {
  readonly path: string;

  constructor(
    readonly namespace: string,
    readonly base: string = DEFAULT_RUN_BASE,
  ) {
    this.path = join(base, namespace);
  }

  /** Creates the directory and records the current process as owner. */
  createForCurrentProcess(workerId: string, scenarioId: string): void {
    mkdirSync(join(this.path, 'pids'), { recursive: true, mode: 0o700 });
    const me = identifyProcess(process.pid);
    const owner: OwnerRecord = {
      pid: process.pid,
      startTime: me?.startTime ?? -1,
      workerId,
      scenarioId,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(this.path, 'owner.json'), JSON.stringify(owner) + '\n');
  }

  /** The owner record, or undefined when missing or unreadable. */
  readOwner(): OwnerRecord | undefined {
    const o = readJson(join(this.path, 'owner.json'));
    return o !== undefined &&
      typeof o['pid'] === 'number' &&
      typeof o['startTime'] === 'number' &&
      typeof o['workerId'] === 'string' &&
      typeof o['scenarioId'] === 'string' &&
      typeof o['createdAt'] === 'string'
      ? { pid: o['pid'], startTime: o['startTime'], workerId: o['workerId'], scenarioId: o['scenarioId'], createdAt: o['createdAt'] }
      : undefined;
  }

  /** Records a running process; returns its identity, or undefined if it already exited. */
  recordPid(pid: number, label: string): PidRecord | undefined {
    const id = identifyProcess(pid);
    if (id === undefined) return undefined;
    const rec: PidRecord = { ...id, label };
    this.writePid(rec);
    return rec;
  }

  /** Records a process whose identity the caller already knows (e.g. argv after exec). */
  writePid(rec: PidRecord): void {
    writeFileSync(join(this.path, 'pids', `${rec.pid}.json`), JSON.stringify(rec) + '\n');
  }

  forgetPid(pid: number): void {
    rmSync(join(this.path, 'pids', `${pid}.json`), { force: true });
  }

  /** Every valid pid record; malformed files are skipped. */
  readPids(): PidRecord[] {
    let names: string[];
    try {
      names = readdirSync(join(this.path, 'pids'));
    } catch {
      return [];
    }
    const out: PidRecord[] = [];
    for (const n of names) {
      const o = readJson(join(this.path, 'pids', n));
      const cmd = o?.['cmdline'];
      if (
        o !== undefined &&
        typeof o['pid'] === 'number' &&
        typeof o['startTime'] === 'number' &&
        typeof o['label'] === 'string' &&
        Array.isArray(cmd) &&
        cmd.every((a) => typeof a === 'string')
      ) {
        out.push({ pid: o['pid'], startTime: o['startTime'], label: o['label'], cmdline: cmd });
      }
    }
    return out;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Namespace names that have a run directory under `base`. */
export function listRunDirs(base: string = DEFAULT_RUN_BASE): string[] {
  try {
    return readdirSync(base);
  } catch {
    return [];
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
