/**
 * Sandbox: one scenario's private L2 rig — a network namespace holding one
 * veth pair per switch port, a run directory, and a cleanup stack.
 *
 * Design (issue 3, DESIGN.md "Harness principles"):
 *  - The namespace `rsw-<workerId>-<6 hex>` holds both ends of every pair:
 *    the switch under test runs inside it (`sandbox.spawn`/`exec`) and opens
 *    the end named exactly as the port (`p1`); the harness sends and
 *    captures on `<port>-h`. Parallel workers have distinct namespaces, so
 *    they never see each other's traffic.
 *  - Host-stack noise is off: IPv6 disabled (all, default, and so every
 *    veth), no addresses, `lo` up, every veth end up at the default MTU.
 *  - destroy() runs the cleanup stack LIFO, stops every process recorded for
 *    the sandbox, deletes the namespace (which destroys its veths) and then
 *    the run directory. It never throws: errors are collected in the
 *    returned report. It is idempotent.
 * Invariant: every resource a sandbox creates is either released by
 * destroy() or findable by reapLeftovers() from its name and run directory.
 * Left out on purpose: packet I/O and capture (a separate module), and the
 * switch itself (adapters).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from './errors.ts';
import {
  addNamespace,
  checkPortName,
  harnessEnd,
  ipBatch,
  listLinks,
  newNamespaceName,
  nsExecArgv,
  type LinkInfo,
} from './netns.ts';
import { identifyProcess, stopProcess } from './process-identity.ts';
import { runCommand, type CommandResult, type RunOptions } from './run-command.ts';
import { DEFAULT_RUN_BASE, RunDir } from './run-dir.ts';

export interface SandboxOptions {
  /** Free text naming the scenario (feature file and line), kept in owner.json. */
  readonly scenarioId: string;
  /** Defaults to $CUCUMBER_WORKER_ID, else "0". */
  readonly workerId?: string;
  /** Switch port names, in OpenFlow port order; each gets a veth pair. */
  readonly ports: readonly string[];
  /** Parent of the run directory; default /tmp/refswitch-sandbox. */
  readonly runBase?: string;
  /** When > 0, create() fails if any frame arrives during this many ms of idleness. */
  readonly idleCheckMs?: number;
}

export interface DestroyReport {
  /** One line per cleanup that failed, in the order they ran. Empty when clean. */
  readonly errors: readonly string[];
}

type Cleanup = () => unknown;

/** The worker id for this process: $CUCUMBER_WORKER_ID or "0". */
export function currentWorkerId(): string {
  return process.env['CUCUMBER_WORKER_ID'] ?? '0';
}

export class Sandbox {
  readonly namespace: string;
  readonly workerId: string;
  readonly scenarioId: string;
  readonly ports: readonly string[];
  readonly runDir: RunDir;
  private readonly cleanups: { label: string; fn: Cleanup }[] = [];
  private destroying: Promise<DestroyReport> | undefined;

  private constructor(options: SandboxOptions, workerId: string) {
    this.workerId = workerId;
    this.scenarioId = options.scenarioId;
    this.ports = [...options.ports];
    this.namespace = newNamespaceName(workerId);
    this.runDir = new RunDir(this.namespace, options.runBase ?? DEFAULT_RUN_BASE);
  }

  /**
   * Builds the rig: run directory (owner record first), namespace, sysctls,
   * veth pairs. On any failure everything created so far is destroyed and a
   * HarnessError is thrown (naming the command, exit code and stderr).
   */
  static async create(options: SandboxOptions): Promise<Sandbox> {
    requireRoot();
    const seen = new Set<string>();
    for (const p of options.ports) {
      checkPortName(p);
      if (seen.has(p)) throw new HarnessError(`port ${JSON.stringify(p)} listed twice`);
      seen.add(p);
    }
    const sb = new Sandbox(options, options.workerId ?? currentWorkerId());
    sb.runDir.createForCurrentProcess(sb.workerId, sb.scenarioId);
    try {
      await addNamespace(sb.namespace);
      await sb.quietHostStack();
      if ((options.idleCheckMs ?? 0) > 0) await sb.assertIdle(options.idleCheckMs ?? 0);
    } catch (e) {
      await sb.destroy();
      throw e;
    }
    return sb;
  }

  private async quietHostStack(): Promise<void> {
    // Defaults first, so the veths created next inherit disable_ipv6=1.
    await this.exec(
      ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      { what: `disable IPv6 in ${this.namespace}` },
    );
    const lines = ['link set lo up'];
    for (const p of this.ports) lines.push(`link add ${p} type veth peer name ${harnessEnd(p)}`);
    for (const p of this.ports) lines.push(`link set ${p} up`, `link set ${harnessEnd(p)} up`);
    await ipBatch(this.namespace, lines, `create veth pairs in ${this.namespace}`);
  }

  /** The interface the harness sends and captures on for `port`. */
  harnessEnd(port: string): string {
    if (!this.ports.includes(port)) throw new HarnessError(`sandbox ${this.namespace} has no port ${JSON.stringify(port)}`);
    return harnessEnd(port);
  }

  /** Registers a cleanup; destroy() runs cleanups last-registered first. */
  defer(label: string, fn: Cleanup): void {
    if (this.destroying !== undefined) throw new HarnessError(`defer(${JSON.stringify(label)}) on destroyed sandbox ${this.namespace}`);
    this.cleanups.push({ label, fn });
  }

  /** Runs argv inside the namespace to completion (see runCommand). */
  exec(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return runCommand(nsExecArgv(this.namespace, argv), { what: `run ${argv[0] ?? ''} in ${this.namespace}`, ...options });
  }

  /**
   * Starts a long-lived process inside the namespace. Its pid is recorded in
   * the run directory (for reaping after a killed run) and a cleanup that
   * stops it (SIGTERM, then SIGKILL after `graceMs`) is pushed on the stack.
   */
  spawn(argv: readonly string[], options: { label?: string; stdio?: StdioOptions; graceMs?: number } = {}): ChildProcess {
    const label = options.label ?? argv[0] ?? 'process';
    if (this.destroying !== undefined) throw new HarnessError(`spawn ${label} in destroyed sandbox ${this.namespace}`);
    const full = nsExecArgv(this.namespace, argv);
    const child = spawn(full[0] ?? 'ip', full.slice(1), { stdio: options.stdio ?? 'ignore' });
    const pid = child.pid;
    if (pid !== undefined) {
      const rec = this.runDir.recordPid(pid, label);
      // `ip netns exec` execs argv in place: record the command line it will have.
      if (rec !== undefined) this.runDir.writePid({ ...rec, cmdline: [...argv] });
    }
    this.defer(`stop ${label}`, async () => {
      await stopChild(child, options.graceMs ?? 2000);
      if (pid !== undefined) this.runDir.forgetPid(pid);
    });
    return child;
  }

  /**
   * Records a process the sandbox did not spawn directly (a daemon that
   * detached and wrote a pidfile) so that destroy() and reapLeftovers() stop
   * it. Its identity is read from /proc now.
   */
  recordPid(pid: number, label: string): void {
    const rec = this.runDir.recordPid(pid, label);
    if (rec === undefined) throw new HarnessError(`recordPid: process ${pid} (${label}) is not running`);
    this.defer(`stop ${label} (pid ${pid})`, async () => {
      await stopProcess(rec);
      this.runDir.forgetPid(pid);
    });
  }

  /** Every link in the namespace with its up flag, MTU and packet counters. */
  links(): Promise<LinkInfo[]> {
    return listLinks(this.namespace);
  }

  /** Throws HarnessError if any veth end receives a frame within `windowMs`. */
  async assertIdle(windowMs: number): Promise<void> {
    const before = await this.links();
    await sleep(windowMs);
    const after = await this.links();
    const moved = after.filter((l) => l.name !== 'lo' && l.rxPackets !== (before.find((b) => b.name === l.name)?.rxPackets ?? 0));
    if (moved.length > 0) {
      const what = moved.map((l) => `${l.name} rx_packets=${l.rxPackets}`).join(', ');
      throw new HarnessError(`idle sandbox ${this.namespace} received frames within ${windowMs} ms: ${what}`);
    }
  }

  get isDestroyed(): boolean {
    return this.destroying !== undefined;
  }

  /** Tears everything down; never throws; later calls return the same report. */
  destroy(): Promise<DestroyReport> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<DestroyReport> {
    const errors: string[] = [];
    const attempt = async (label: string, fn: Cleanup): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        errors.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (let c = this.cleanups.pop(); c !== undefined; c = this.cleanups.pop()) await attempt(c.label, c.fn);
    for (const rec of this.runDir.readPids()) await attempt(`stop ${rec.label} (pid ${rec.pid})`, () => stopProcess(rec));
    await attempt('stop stray processes', () => this.stopStrays(errors));
    await attempt(`delete namespace ${this.namespace}`, () => deleteIfPresent(this.namespace));
    await attempt(`remove ${this.runDir.path}`, () => this.runDir.remove());
    return { errors };
  }

  /** Processes still in the namespace that nobody recorded: a leak, reported and stopped. */
  private async stopStrays(errors: string[]): Promise<void> {
    const r = await runCommand(['ip', 'netns', 'pids', this.namespace], { allowFailure: true });
    const pids = r.stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
    if (pids.length === 0) return;
    errors.push(`unrecorded processes left in ${this.namespace}: ${pids.join(' ')} (stopped)`);
    for (const pid of pids) {
      const id = identifyProcess(pid);
      if (id !== undefined) await stopProcess(id);
    }
  }
}

async function deleteIfPresent(ns: string): Promise<void> {
  const r = await runCommand(['ip', 'netns', 'delete', ns], { allowFailure: true });
  if (r.exitCode !== 0 && !/No such file/i.test(r.stderr)) throw new HarnessError(`delete network namespace ${ns}`, r);
}

function requireRoot(): void {
  if (typeof process.geteuid === 'function' && process.geteuid() !== 0) {
    throw new HarnessError(`sandboxes need root (CAP_NET_ADMIN for ip netns); running as uid ${process.geteuid()}`);
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
