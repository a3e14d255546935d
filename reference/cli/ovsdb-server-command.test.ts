/**
 * `refswitch ovsdb-server` as a process, driven by Open vSwitch's own
 * clients: ovsdb-client list-dbs, get-schema, transact, dump and monitor,
 * and ovs-vsctl --no-wait init / add-br / add-port / list. Then SIGTERM:
 * exit 0, pidfile and socket gone, the file readable by ovsdb-tool
 * show-log. And the real ovs-vswitchd (dummy datapath) configured from it,
 * with ovs-vsctl waiting for cur_cfg (no --no-wait). Skips visibly when
 * Open vSwitch's tools or schema are absent.
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(import.meta.dirname, '../../bin/refswitch.js');
const VSWITCH = '/usr/share/openvswitch/vswitch.ovsschema';
const missing =
  spawnSync('ovsdb-client', ['--version']).status !== 0 || spawnSync('ovs-vsctl', ['--version']).status !== 0
    ? 'Open vSwitch (ovsdb-client, ovs-vsctl) is not installed'
    : !existsSync(VSWITCH)
      ? `${VSWITCH} is not installed`
      : false;

const dir = mkdtempSync(join(tmpdir(), 'refswitch-ovsdb-server-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function waitFor(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const exited = (p: ChildProcess): Promise<number | null> => new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (code) => r(code))));

t.test('usage errors exit 2', async (t) => {
  const r = run(process.execPath, [bin, 'ovsdb-server']);
  t.equal(r.status, 2);
  t.match(r.stderr, /expected at least one database file/);
  const bad = run(process.execPath, [bin, 'ovsdb-server', join(dir, 'none.db')]);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /^ovsdb-server: /);
});

t.test('real ovsdb-client and ovs-vsctl against refswitch ovsdb-server', { skip: missing }, async (t) => {
  const db = join(dir, 'conf.db');
  const sock = join(dir, 'db.sock');
  const pidfile = join(dir, 'server.pid');
  t.equal(run(process.execPath, [bin, 'ovsdb-tool', 'create', db, VSWITCH]).status, 0);
  const server = spawn(process.execPath, [bin, 'ovsdb-server', db, `--remote=punix:${sock}`, `--pidfile=${pidfile}`, `--log-file=${join(dir, 'server.log')}`], { stdio: 'inherit' });
  t.teardown(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  await waitFor(() => existsSync(pidfile) && existsSync(sock), 'the server socket');
  const S = `unix:${sock}`;

  t.same(run('ovsdb-client', ['list-dbs', S]).stdout.split('\n'), ['Open_vSwitch', '_Server', '']);
  const schema = JSON.parse(run('ovsdb-client', ['get-schema', S, 'Open_vSwitch']).stdout) as { name: string; cksum: string };
  t.equal(schema.name, 'Open_vSwitch');
  t.equal(schema.cksum, (JSON.parse(readFileSync(VSWITCH, 'utf8')) as { cksum: string }).cksum);

  const vsctl = (...args: string[]): { status: number | null; stdout: string; stderr: string } => run('ovs-vsctl', [`--db=${S}`, '--no-wait', '--timeout=10', ...args]);
  t.equal(vsctl('init').status, 0);
  const monitor = spawn('ovsdb-client', ['monitor', S, 'Open_vSwitch', 'Bridge', 'name,fail_mode'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => monitor.kill());
  let seen = '';
  monitor.stdout.on('data', (d: Buffer) => (seen += d.toString()));
  const added = vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'p1', '--', 'set', 'interface', 'p1', 'type=dummy', 'ofport_request=5');
  t.equal(added.status, 0, added.stderr);
  // The bridge shows up as an insert, or as initial contents if the monitor connected late.
  await waitFor(() => / (insert|initial) +br0 +\[\]/.test(seen), 'the monitor to print the new bridge');
  t.equal(vsctl('set-fail-mode', 'br0', 'secure').status, 0);
  await waitFor(() => /new +br0 +secure/.test(seen), 'the monitor to print the modify');

  t.match(vsctl('list', 'bridge', 'br0').stdout, /name\s+: br0\n/);
  t.equal(vsctl('get', 'interface', 'p1', 'ofport_request').stdout, '5\n');
  t.equal(vsctl('list-ports', 'br0').stdout, 'p1\n');
  const tx = run('ovsdb-client', ['transact', S, '["Open_vSwitch",{"op":"select","table":"Interface","where":[["name","==","p1"]],"columns":["name","type"]}]']);
  t.equal(tx.stdout.trim(), '[{"rows":[{"name":"p1","type":"dummy"}]}]');
  const dump = run('ovsdb-client', ['dump', S, 'Open_vSwitch', 'Interface', 'name', 'type']);
  t.same(
    dump.stdout.split('\n').map((l) => l.trimEnd()),
    ['Interface table', 'name type', '---- --------', 'br0  internal', 'p1   dummy', ''],
  );

  server.kill('SIGTERM');
  t.equal(await exited(server), 0);
  t.notOk(existsSync(pidfile), 'pidfile removed');
  t.notOk(existsSync(sock), 'socket removed');
  const log = run('ovsdb-tool', ['show-log', db]);
  t.equal(log.status, 0, log.stderr);
  t.match(log.stdout, /ovs-vsctl --db=unix:\S+ --no-wait --timeout=10 add-br br0/);
});

const vswitchdMissing = missing || (spawnSync('ovs-vswitchd', ['--version']).status !== 0 ? 'ovs-vswitchd is not installed' : false);

t.test('real ovs-vswitchd (dummy datapath) configures from refswitch ovsdb-server; ovs-vsctl waits for cur_cfg', { skip: vswitchdMissing }, async (t) => {
  const d = mkdtempSync(join(dir, 'vswitchd-'));
  const env = { ...process.env, OVS_RUNDIR: d, OVS_LOGDIR: d, OVS_DBDIR: d, OVS_SYSCONFDIR: d };
  const db = join(d, 'conf.db');
  const sock = join(d, 'db.sock');
  t.equal(run(process.execPath, [bin, 'ovsdb-tool', 'create', db, VSWITCH]).status, 0);
  const server = spawn(process.execPath, [bin, 'ovsdb-server', db, `--remote=punix:${sock}`, `--log-file=${join(d, 'server.log')}`], { stdio: 'inherit' });
  t.teardown(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  await waitFor(() => existsSync(sock), 'the server socket');
  const vsctl = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync('ovs-vsctl', [`--db=unix:${sock}`, '--timeout=20', ...args], { encoding: 'utf8', timeout: 30_000, env });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  t.equal(vsctl('--no-wait', 'init').status, 0);
  const pidfile = join(d, 'ovs-vswitchd.pid');
  const vs = spawnSync('ovs-vswitchd', [`unix:${sock}`, '--enable-dummy=override', `--pidfile=${pidfile}`, `--log-file=${join(d, 'ovs-vswitchd.log')}`, '-vconsole:off', '--detach', '--no-chdir'], { encoding: 'utf8', env, timeout: 30_000 });
  t.equal(vs.status, 0, `ovs-vswitchd --detach started ${vs.status === 0 ? '' : vs.stderr}`);
  t.teardown(() => {
    const pid = existsSync(pidfile) ? readFileSync(pidfile, 'utf8').trim() : '';
    if (pid) spawnSync('ovs-appctl', ['-t', join(d, `ovs-vswitchd.${pid}.ctl`), 'exit'], { env, timeout: 10_000 });
  });
  const added = vsctl('add-br', 'br0', '--', 'add-port', 'br0', 'p1', '--', 'set', 'interface', 'p1', 'type=dummy', 'ofport_request=3');
  t.equal(added.status, 0, `add-br without --no-wait returns once ovs-vswitchd has applied it ${added.stderr}`);
  t.equal(vsctl('get', 'interface', 'p1', 'ofport').stdout, '3\n');
  t.equal(vsctl('get', 'open_vswitch', '.', 'cur_cfg').stdout, vsctl('get', 'open_vswitch', '.', 'next_cfg').stdout);
  t.equal(vsctl('del-br', 'br0').status, 0);
});
