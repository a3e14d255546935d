/**
 * Runs Open vSwitch's own ovsdb-server (the oracle of differential tests
 * and benchmarks) on a private database in a directory of the caller's:
 * `ovsdb-tool create DIR/NAME.db SCHEMA` (or an existing file), then
 * `ovsdb-server` in the foreground with `punix:DIR/NAME.sock`, its control socket in DIR, no
 * log on the console. `stop()` ends exactly the process it started.
 *
 * Left out: clustered databases, SSL/TCP remotes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REAL_OVSDB_SERVER = '/usr/sbin/ovsdb-server';
export const REAL_OVSDB_TOOL = '/usr/bin/ovsdb-tool';

/** Why Open vSwitch's ovsdb-server cannot run here, or undefined when it can. */
export function realOvsdbServerMissing(): string | undefined {
  for (const bin of [REAL_OVSDB_SERVER, REAL_OVSDB_TOOL]) if (!existsSync(bin)) return `${bin} is not installed (package openvswitch-switch)`;
  return undefined;
}

export class RealOvsdbServer {
  private constructor(
    private readonly child: ChildProcess,
    /** `unix:PATH` of its socket. */
    readonly address: string,
    readonly dbPath: string,
  ) {}

  /** Creates DIR/NAME.db from `schemaPath` and starts the server on it; rejects with its stderr if it does not come up. */
  static async start(dir: string, schemaPath: string, name = 'real'): Promise<RealOvsdbServer> {
    const dbPath = join(dir, `${name}.db`);
    const created = spawnSync(REAL_OVSDB_TOOL, ['create', dbPath, schemaPath], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`ovsdb-tool create failed: ${created.stderr}`);
    return RealOvsdbServer.open(dir, dbPath, name);
  }

  /** Starts the server on an existing database file, its socket and control socket DIR/NAME.sock and DIR/NAME.ctl. */
  static async open(dir: string, dbPath: string, name: string): Promise<RealOvsdbServer> {
    const sock = join(dir, `${name}.sock`);
    const child = spawn(
      REAL_OVSDB_SERVER,
      [dbPath, `--remote=punix:${sock}`, `--unixctl=${join(dir, `${name}.ctl`)}`, '-vconsole:off', '-vsyslog:off', '--no-chdir'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let waited = 0; !(await acceptsConnections(sock)); waited += 10) {
      if (child.exitCode !== null || waited > 5000) {
        child.kill('SIGTERM');
        throw new Error(`ovsdb-server did not start: ${stderr.trim() || `exit ${child.exitCode}`}`);
      }
      await sleep(10);
    }
    return new RealOvsdbServer(child, `unix:${sock}`, dbPath);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to the server this object started; resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** True once something accepts connections on the unix socket `path` (the file appears before the server listens). */
export function acceptsConnections(path: string): Promise<boolean> {
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
