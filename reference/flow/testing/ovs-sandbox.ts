/**
 * TEST SUPPORT ONLY — a private, throw-away Open vSwitch for cross-checks.
 * Nothing outside tests and golden-recording tools may import this file.
 *
 * What: `startOvsSandbox()` creates a temp directory, a fresh `conf.db`,
 * and starts `ovsdb-server` and `ovs-vswitchd --enable-dummy=override` there
 * (no kernel module, no root, no real interfaces: every port is a dummy
 * netdev). Bridges default to `fail-mode=secure`, so no hidden NORMAL flow
 * exists. The returned `OvsSandbox` runs `ovs-vsctl`/`ovs-appctl`/
 * `ovs-ofctl` against it with OVS_RUNDIR etc. pointing into the temp dir,
 * and `stop()` asks both daemons to exit, kills leftovers by pid (never by
 * name), and removes the directory.
 *
 * Invariants: nothing outside the temp dir is touched; only the two pids
 * this module started are ever signalled; `stop()` is idempotent and safe
 * after a failed start. When the binaries are missing, `findOvs()` says so
 * and `startOvsSandbox()` throws `OvsUnavailableError` with the install hint.
 *
 * Follows /work/shared/notes/running-open-vswitch.md (Open vSwitch 3.1.0).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OVS_INSTALL_HINT = 'Open vSwitch not installed: apt-get install openvswitch-switch';

const BINARIES = ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-appctl', 'ovs-ofctl'] as const;
const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];
const SCHEMA_PATHS = ['/usr/share/openvswitch/vswitch.ovsschema', '/usr/local/share/openvswitch/vswitch.ovsschema'];

export class OvsUnavailableError extends Error {
  override readonly name = 'OvsUnavailableError';
}

export interface OvsInstall {
  readonly bin: Readonly<Record<(typeof BINARIES)[number], string>>;
  readonly schema: string;
}

/**
 * Where the OVS binaries and schema are, or why OVS cannot be used here.
 * `dirs` overrides the directories searched (default: PATH plus the usual sbin/bin).
 */
export function findOvs(dirs: readonly string[] = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SEARCH_PATH]): { ok: true; install: OvsInstall } | { ok: false; reason: string } {
  const bin: Partial<Record<(typeof BINARIES)[number], string>> = {};
  for (const name of BINARIES) {
    const dir = dirs.find((d) => existsSync(join(d, name)));
    if (dir === undefined) return { ok: false, reason: `${OVS_INSTALL_HINT} (no ${name} on PATH)` };
    bin[name] = join(dir, name);
  }
  const schema = SCHEMA_PATHS.find((p) => existsSync(p));
  if (schema === undefined) return { ok: false, reason: `${OVS_INSTALL_HINT} (vswitch.ovsschema not found)` };
  return { ok: true, install: { bin: bin as OvsInstall['bin'], schema } };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface OvsSandboxOptions {
  /** Bridges to create, each with dummy ports `{ name, ofport }`. Default: br0 with p1 → 1. */
  readonly bridges?: ReadonlyArray<{ readonly name: string; readonly ports: ReadonlyArray<{ readonly name: string; readonly ofport: number }> }>;
  /** Per-command timeout (default 20 s). */
  readonly timeoutMs?: number;
}

export interface OvsSandbox {
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  vsctl(args: readonly string[]): Promise<RunResult>;
  appctl(args: readonly string[]): Promise<RunResult>;
  ofctl(args: readonly string[]): Promise<RunResult>;
  /** `ovs-appctl ofproto/trace <bridge> <flow> [packet hex]`: the whole output, or the error text. */
  trace(bridge: string, flow: string, packetHex?: string): Promise<RunResult>;
  /** Stops both daemons and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

function run(file: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr: stderr || (err !== null && typeof err.code !== 'number' ? err.message : '') });
    });
  });
}

async function must(p: Promise<RunResult>, what: string): Promise<RunResult> {
  const r = await p;
  if (r.code !== 0) throw new Error(`ovs-sandbox: ${what} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

function readPid(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : null;
  } catch {
    return null;
  }
}

/** Records the daemon's pid from its pidfile; only positive pids > 1 are ever kept (never a process group or init). */
function rememberPid(pids: number[], pidfile: string): void {
  const pid = readPid(pidfile);
  if (pid === null) throw new Error(`ovs-sandbox: ${pidfile} missing or unreadable after start`);
  pids.push(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/** Starts a private ovsdb-server + ovs-vswitchd (dummy datapath); see the file comment. */
export async function startOvsSandbox(options: OvsSandboxOptions = {}): Promise<OvsSandbox> {
  const found = findOvs();
  if (!found.ok) throw new OvsUnavailableError(found.reason);
  const { bin, schema } = found.install;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-ovs-'));
  const env = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  const exec = (file: string, args: readonly string[]) => run(file, args, env, timeoutMs);
  const pids: number[] = [];
  let stopped = false;
  const sandbox: OvsSandbox = {
    dir,
    env,
    vsctl: (args) => exec(bin['ovs-vsctl'], ['--timeout=20', ...args]),
    appctl: (args) => exec(bin['ovs-appctl'], args),
    ofctl: (args) => exec(bin['ovs-ofctl'], args),
    trace: (bridge, flow, hex) => exec(bin['ovs-appctl'], ['ofproto/trace', bridge, flow, ...(hex === undefined ? [] : [hex])]),
    async stop() {
      if (stopped) return;
      stopped = true;
      await exec(bin['ovs-appctl'], ['-t', 'ovs-vswitchd', 'exit']).catch(() => undefined);
      await exec(bin['ovs-appctl'], ['-t', 'ovsdb-server', 'exit']).catch(() => undefined);
      for (const pid of pids) {
        if (await waitGone(pid, 3000)) continue;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        if (!(await waitGone(pid, 2000))) process.kill(pid, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const db = join(dir, 'conf.db');
    await must(exec(bin['ovsdb-tool'], ['create', db, schema]), 'ovsdb-tool create');
    await must(exec(bin['ovsdb-server'], [db, `--remote=punix:${join(dir, 'db.sock')}`, `--pidfile=${join(dir, 'ovsdb-server.pid')}`,
      `--log-file=${join(dir, 'ovsdb-server.log')}`, '-vconsole:off', '--detach', '--no-chdir']), 'ovsdb-server start');
    rememberPid(pids, join(dir, 'ovsdb-server.pid'));
    await must(sandbox.vsctl(['--no-wait', 'init']), 'ovs-vsctl init');
    await must(exec(bin['ovs-vswitchd'], [`unix:${join(dir, 'db.sock')}`, '--enable-dummy=override', `--pidfile=${join(dir, 'ovs-vswitchd.pid')}`,
      `--log-file=${join(dir, 'ovs-vswitchd.log')}`, '-vconsole:off', '--detach', '--no-chdir']), 'ovs-vswitchd start');
    rememberPid(pids, join(dir, 'ovs-vswitchd.pid'));
    for (const br of options.bridges ?? [{ name: 'br0', ports: [{ name: 'p1', ofport: 1 }] }]) {
      const args = ['add-br', br.name, '--', 'set', 'bridge', br.name, 'fail-mode=secure'];
      for (const p of br.ports) args.push('--', 'add-port', br.name, p.name, '--', 'set', 'interface', p.name, 'type=dummy', `ofport_request=${p.ofport}`);
      await must(sandbox.vsctl(args), `creating bridge ${br.name}`);
    }
  } catch (e) {
    await sandbox.stop();
    throw e;
  }
  return sandbox;
}

/** The text after `Flow: ` in ofproto/trace output, or null when there is none. */
export function traceFlowLine(output: string): string | null {
  const line = output.split('\n').find((l) => l.startsWith('Flow: '));
  return line === undefined ? null : line.slice('Flow: '.length);
}

/** The text after `Megaflow: ` in ofproto/trace output, or null when there is none. */
export function traceMegaflowLine(output: string): string | null {
  const line = output.split('\n').find((l) => l.startsWith('Megaflow: '));
  return line === undefined ? null : line.slice('Megaflow: '.length);
}
