/**
 * `refswitch switch`: argument parsing, and the real process end to end
 * (rootless: dummy ports in a temp run dir) driven by the REAL
 * /usr/bin/ovs-appctl — dpctl/show, add-flow, netdev-dummy/receive then
 * dump-flows stats and the packet in the output port's tx_pcap, a miss
 * counted in coverage, SIGTERM — and a start that fails on a port. The
 * switch configures itself from its own OVSDB server, so the process parts
 * skip with the reason when ovs-appctl or the Open_vSwitch schema is not
 * installed.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './command.ts';
import { parsePortSpec, parseSwitchArgs } from './switch-command.ts';

const APPCTL = '/usr/bin/ovs-appctl';
const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
const noSchema = existsSync(SCHEMA) ? false : `${SCHEMA} not installed (the switch's own OVSDB server creates its database from it; apt-get install openvswitch-common)`;
const noAppctl = existsSync(APPCTL) ? noSchema : `${APPCTL} not installed (apt-get install openvswitch-common)`;
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/refswitch.js');

t.test('port specs and switch arguments', async (t) => {
  t.same(parsePortSpec('p1'), { name: 'p1', type: 'system', options: new Map() });
  t.same(parsePortSpec('p2,type=dummy,port_no=7,tx_pcap=/tmp/a.pcap,rxq_pcap=/tmp/b.pcap'), {
    name: 'p2', type: 'dummy', portNo: 7, options: new Map([['tx_pcap', '/tmp/a.pcap'], ['rxq_pcap', '/tmp/b.pcap']]),
  });
  t.throws(() => parsePortSpec('p1,type=veth'), UsageError);
  t.throws(() => parsePortSpec('p1,port_no=0'), /port_no must be a number from 1/);
  t.throws(() => parsePortSpec('p1,mtu=1500'), /unknown option 'mtu=1500'/);
  t.throws(() => parsePortSpec(',type=dummy'), /expected NAME/);
  const c = parseSwitchArgs(['--rundir', 'run', '--bridge', 'br0', '--port', 'p1,type=dummy', '--port', 'p2,type=internal', '--datapath', 'dp0']);
  t.same(c, { rundir: resolve('run'), datapathName: 'dp0', bridges: ['br0'], ports: [parsePortSpec('p1,type=dummy'), parsePortSpec('p2,type=internal')], ovsdb: {} });
  t.same(parseSwitchArgs(['--rundir', 'run', '--db', 'unix:x/db.sock']).ovsdb, { remote: `unix:${resolve('x/db.sock')}` });
  t.throws(() => parseSwitchArgs(['--rundir', 'x', '--db', 'tcp:1.2.3.4:6640']), /--db tcp:1.2.3.4:6640: expected unix:PATH/);
  t.throws(() => parseSwitchArgs([]), /--rundir DIR is required/);
  t.throws(() => parseSwitchArgs(['--rundir', 'x', 'extra']), /unexpected argument 'extra'/);
  t.throws(() => parseSwitchArgs(['--rundir', 'x', '--bridge', 'p1', '--port', 'p1,type=dummy']), /port name 'p1' used twice/);
  t.throws(() => parseSwitchArgs(['--rundir', 'x', '--bridge', 'ovs-system']), /used twice/);
});

function appctl(sock: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(APPCTL, ['-t', sock, ...args], { timeout: 10000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Polls until the pidfile exists (written after the socket listens), the child exits, or 20 s pass. */
async function waitReady(dir: string, exited: () => boolean): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(join(dir, 'refswitch.pid'))) return true;
    if (exited()) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

t.test('the switch process with dummy ports, driven by ovs-appctl', { skip: noAppctl }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'refsw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pcap = join(dir, 'p2.pcap');
  const child = spawn(process.execPath, [BIN, 'switch', '--rundir', dir, '--bridge', 'br0', '--port', 'p1,type=dummy,port_no=1', '--port', `p2,type=dummy,port_no=2,tx_pcap=${pcap}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r((exitCode = code))));
  t.teardown(() => {
    if (exitCode === undefined && child.pid !== undefined) child.kill('SIGKILL');
  });
  t.ok(await waitReady(dir, () => exitCode !== undefined), `switch ready (stderr: ${stderr})`);
  const sock = join(dir, 'refswitch.ctl');
  t.match(stderr, `refswitch switch: control socket ${sock} (pid ${child.pid})`);
  t.match((await appctl(sock, ['dpctl/show'])).stdout, /^system@ovs-system:\n  lookups: hit:0 missed:0 lost:0\n  flows: 0\n[\s\S]*  port 0: ovs-system \(internal\)\n  port 1: p1 \(dummy\)\n  port 2: p2 \(dummy: tx_pcap=.*\)\n  port 3: br0 \(internal\)\n$/);
  const key = 'in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no)';
  t.same(await appctl(sock, ['dpctl/add-flow', key, '2']), { code: 0, stdout: '', stderr: '' });
  const flow = 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)';
  t.same(await appctl(sock, ['time/stop']), { code: 0, stdout: '', stderr: '' });
  t.same(await appctl(sock, ['netdev-dummy/receive', 'p1', flow]), { code: 0, stdout: '', stderr: '' });
  t.same(await appctl(sock, ['time/warp', '1000']), { code: 0, stdout: 'warped\n', stderr: '' });
  t.same(await appctl(sock, ['dpctl/dump-flows']), { code: 0, stdout: `${key}, packets:1, bytes:106, used:1.000s, actions:2\n`, stderr: '' });
  const miss = 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)';
  t.same(await appctl(sock, ['netdev-dummy/receive', 'p1', miss]), { code: 0, stdout: '', stderr: '' });
  t.match((await appctl(sock, ['dpctl/show'])).stdout, /lookups: hit:1 missed:1 lost:0\n/);
  t.same(await appctl(sock, ['coverage/read-counter', 'upcall_miss_no_handler']), { code: 0, stdout: '1\n', stderr: '' });
  const bytes = readFileSync(pcap);
  t.equal(bytes.length, 24 + 16 + 106, 'the packet went out of p2 into its tx_pcap');
  child.kill('SIGTERM');
  t.equal(await exited, 0);
  t.notOk(existsSync(sock), 'socket removed');
  t.notOk(existsSync(join(dir, 'refswitch.pid')), 'pidfile removed');
});

t.test('a port that cannot be opened: exit 1 with the reason', { skip: noSchema }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'refsw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await new Promise<{ code: number; stderr: string }>((done) => {
    execFile(process.execPath, [BIN, 'switch', '--rundir', dir, '--port', 'no-such-veth0'], { timeout: 20000 }, (err, _out, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr });
    });
  });
  t.equal(r.code, 1);
  t.match(r.stderr, /^refswitch switch: cannot open port no-such-veth0 \(type system\): /);
  t.notOk(existsSync(join(dir, 'refswitch.ctl')));
});
