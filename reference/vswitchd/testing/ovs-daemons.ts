/**
 * Open vSwitch 3.1's own daemons for vswitchd tests: a private
 * ovsdb-server on a fresh Open_vSwitch database (initialised like
 * `ovs-vsctl --no-wait init`), optionally ovs-vswitchd with
 * `--enable-dummy=override` (every port an in-memory dummy, no kernel
 * module needed), and a runner for the real `ovs-vsctl`.
 *
 * Invariant: every process is started in the foreground as our child and
 * stopped by its pid (SIGTERM, then SIGKILL after 5 s); nothing is
 * daemonized, nothing outside the given directory is touched.
 *
 * Left out: the kernel datapath, SSL/TCP remotes.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const OVSDB_SERVER = '/usr/sbin/ovsdb-server';
export const OVSDB_TOOL = '/usr/bin/ovsdb-tool';
export const OVS_VSCTL = '/usr/bin/ovs-vsctl';
export const OVS_VSWITCHD = '/usr/sbin/ovs-vswitchd';
export const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

/** Why the real tools cannot run here (a skip reason), or undefined. */
export function ovsMissing(withVswitchd = false): string | undefined {
  for (const f of [OVSDB_SERVER, OVSDB_TOOL, OVS_VSCTL, SCHEMA, ...(withVswitchd ? [OVS_VSWITCHD] : [])]) {
    if (!existsSync(f)) return `${f} is not installed (apt-get install openvswitch-switch)`;
  }
  return undefined;
}

export interface VsctlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real ovs-vsctl against `db` (unix:PATH) with a 20 s --timeout; never rejects. */
export function vsctl(db: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<VsctlResult> {
  return new Promise((resolve) => {
    execFile(OVS_VSCTL, [`--db=${db}`, '--timeout=20', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitForFile(path: string, child: ChildProcess, what: string, stderr: () => string): Promise<void> {
  for (let waited = 0; !existsSync(path); waited += 20) {
    if (child.exitCode !== null || waited > 10_000) {
      await stopChild(child);
      throw new Error(`${what} did not start: ${stderr().trim() || `exit ${String(child.exitCode)}`}`);
    }
    await sleep(20);
  }
}

function startChild(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; stderr: () => string } {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return { child, stderr: () => text };
}

/** ovsdb-server on DIR/conf.db (created, then `init`), listening on DIR/db.sock. */
export class RealOvsdb {
  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
  ) {}

  get db(): string {
    return `unix:${join(this.dir, 'db.sock')}`;
  }

  /** OVS_RUNDIR and friends pointing at the directory (for ovs-vsctl's and ovs-vswitchd's defaults). */
  get env(): NodeJS.ProcessEnv {
    return { OVS_RUNDIR: this.dir, OVS_LOGDIR: this.dir, OVS_DBDIR: this.dir, OVS_SYSCONFDIR: this.dir };
  }

  static async start(dir: string, opts: { init?: boolean } = {}): Promise<RealOvsdb> {
    const dbPath = join(dir, 'conf.db');
    const created = spawnSync(OVSDB_TOOL, ['create', dbPath, SCHEMA], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`ovsdb-tool create failed: ${created.stderr}`);
    const sock = join(dir, 'db.sock');
    const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
    const { child, stderr } = startChild(OVSDB_SERVER, [dbPath, `--remote=punix:${sock}`, `--unixctl=${join(dir, 'ovsdb-server.ctl')}`, '-vconsole:off', '-vsyslog:off', '--no-chdir'], env);
    await waitForFile(sock, child, 'ovsdb-server', stderr);
    const s = new RealOvsdb(child, dir);
    if (opts.init !== false) {
      const r = await vsctl(s.db, ['--no-wait', 'init']);
      if (r.code !== 0) throw new Error(`ovs-vsctl init failed: ${r.stderr}`);
    }
    return s;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** ovs-vswitchd --enable-dummy=override against `db`, its control socket DIR/ovs-vswitchd.ctl. */
export class RealVswitchd {
  private constructor(private readonly child: ChildProcess) {}

  static async start(ovsdb: RealOvsdb): Promise<RealVswitchd> {
    const ctl = join(ovsdb.dir, 'ovs-vswitchd.ctl');
    const { child, stderr } = startChild(
      OVS_VSWITCHD,
      [ovsdb.db, '--enable-dummy=override', `--unixctl=${ctl}`, '-vconsole:off', '-vsyslog:off', `--log-file=${join(ovsdb.dir, 'ovs-vswitchd.log')}`, '--no-chdir'],
      ovsdb.env,
    );
    await waitForFile(ctl, child, 'ovs-vswitchd', stderr);
    return new RealVswitchd(child);
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
