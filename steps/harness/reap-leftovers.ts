/**
 * reapLeftovers: remove what sandboxes of a killed run left behind.
 *
 * A sandbox is found by its name (`rsw-<workerId>-<6 hex>`, as a network
 * namespace and/or a run directory). It is reaped when
 *   - its owner process (pid + start time in owner.json) is dead, or it has
 *     no owner record (owner.json is written before the namespace exists,
 *     so a namespace without one is a leftover); or
 *   - `workerId` is given and the sandbox belongs to that worker — a worker
 *     starting up owns its names — unless the owner is this very process.
 * Reaping stops the processes recorded in the run directory (only those, and
 * only if /proc still shows the same start time and command line), deletes
 * the namespace (its veths go with it) and removes the run directory.
 *
 * Invariant: names that do not parse as sandbox names, and sandboxes of
 * other workers whose owner is alive, are never touched.
 * Left out on purpose: unrecorded processes (Sandbox.destroy handles those
 * while the namespace is still its own).
 */
import { HarnessError } from './errors.ts';
import { listNamespaces, parseNamespaceName } from './netns.ts';
import { identifyProcess, isAlive, stopProcess } from './process-identity.ts';
import { runCommand } from './run-command.ts';
import { DEFAULT_RUN_BASE, listRunDirs, RunDir, type OwnerRecord } from './run-dir.ts';

export interface ReapOptions {
  /** Also reap this worker's sandboxes whose owner is another live process. */
  readonly workerId?: string;
  readonly runBase?: string;
}

export interface ReapReport {
  /** Sandbox names reaped (namespace and/or run directory). */
  readonly reaped: readonly string[];
  /** Processes stopped, as `label (pid N)`. */
  readonly stopped: readonly string[];
  readonly errors: readonly string[];
}

export async function reapLeftovers(options: ReapOptions = {}): Promise<ReapReport> {
  const base = options.runBase ?? DEFAULT_RUN_BASE;
  const namespaces = new Set((await listNamespaces()).filter((n) => parseNamespaceName(n) !== undefined));
  const names = new Set([...namespaces, ...listRunDirs(base).filter((n) => parseNamespaceName(n) !== undefined)]);
  const me = identifyProcess(process.pid);
  const reaped: string[] = [];
  const stopped: string[] = [];
  const errors: string[] = [];
  for (const name of [...names].sort()) {
    const dir = new RunDir(name, base);
    const owner = dir.readOwner();
    if (!shouldReap(name, owner, options.workerId, me?.startTime)) continue;
    reaped.push(name);
    for (const rec of dir.readPids()) {
      try {
        if ((await stopProcess(rec)) !== 'not-running') stopped.push(`${rec.label} (pid ${rec.pid})`);
      } catch (e) {
        errors.push(`stop ${rec.label} (pid ${rec.pid}): ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (namespaces.has(name)) {
      const r = await runCommand(['ip', 'netns', 'delete', name], { allowFailure: true });
      if (r.exitCode !== 0 && !/No such file/i.test(r.stderr)) errors.push(new HarnessError(`reap namespace ${name}`, r).message);
    }
    try {
      dir.remove();
    } catch (e) {
      errors.push(`remove ${dir.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { reaped, stopped, errors };
}

function shouldReap(name: string, owner: OwnerRecord | undefined, workerId: string | undefined, myStartTime: number | undefined): boolean {
  if (owner === undefined) return true;
  if (owner.pid === process.pid && owner.startTime === myStartTime) return false;
  if (!isAlive(owner.pid, owner.startTime)) return true;
  return workerId !== undefined && parseNamespaceName(name)?.workerId === workerId;
}
