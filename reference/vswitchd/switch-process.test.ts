/**
 * The switch process end to end, rootless: a temp run dir, dummy and
 * internal ports on the reference Datapath, and the REAL
 * /usr/bin/ovs-appctl as the client (those parts skip with the reason when
 * it is not installed; the rest drives the server's dispatch directly).
 * Covers start (port numbering, pidfile, log, socket), dpctl/show,
 * add-flow, dump-flows, del-flows, list-commands, an error reply (exit code
 * 2, text on stderr), netdev-dummy/receive, coverage/show, time/warp and
 * `used:` ageing, exit, and a start that fails on a port.
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwitchProcess, SwitchStartError, type SwitchConfig } from './switch-process.ts';
import { Datapath } from '../datapath/index.ts';
import { WarpClock } from './warp-clock.ts';

const APPCTL = '/usr/bin/ovs-appctl';
const noAppctl = existsSync(APPCTL) ? false : `${APPCTL} not installed (apt-get install openvswitch-common)`;

async function startSwitch(t: Test, extra: Partial<SwitchConfig> = {}): Promise<{ sw: SwitchProcess; dp: Datapath; dir: string; real: { ms: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'refsw-'));
  let dp: Datapath | undefined;
  const real = { ms: 5_000_000 };
  const sw = await SwitchProcess.start(
    {
      rundir: dir,
      bridges: ['br0'],
      ports: [
        { name: 'p1', type: 'dummy' },
        { name: 'p2', type: 'dummy', portNo: 2, options: new Map([['tx_pcap', join(dir, 'p2.pcap')]]) },
      ],
      ...extra,
    },
    { createDatapath: (o) => (dp = new Datapath(o)), clock: new WarpClock(() => real.ms), pid: 4242 },
  );
  t.teardown(async () => {
    await sw.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  if (!dp) throw new Error('no datapath');
  return { sw, dp, dir, real };
}

function appctl(sock: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(APPCTL, ['-t', sock, ...args], { timeout: 10000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

t.test('start: ports numbered, pidfile, log, socket; stop cleans up', async (t) => {
  const { sw, dp, dir } = await startSwitch(t);
  t.same(dp.vportDump().map((p) => [p.portNo, p.name, p.type]), [[0, 'ovs-system', 'internal'], [1, 'br0', 'internal'], [2, 'p2', 'dummy'], [3, 'p1', 'dummy']]);
  t.equal(readFileSync(join(dir, 'refswitch.pid'), 'utf8'), '4242\n');
  t.ok(existsSync(join(dir, 'refswitch.ctl')));
  t.match(readFileSync(join(dir, 'refswitch.log'), 'utf8'), /\|00001\|refswitch\|INFO\|refswitch 0\.1\.0 .* starting, datapath system@ovs-system/);
  await sw.stop();
  await sw.done;
  t.notOk(existsSync(join(dir, 'refswitch.ctl')), 'socket removed');
  t.notOk(existsSync(join(dir, 'refswitch.pid')), 'pidfile removed');
  t.match(await dp.vportNew({ name: 'x', type: 'dummy' }), { ok: false, error: { errno: 'ENODEV' } }, 'datapath closed');
  t.match(readFileSync(join(dir, 'refswitch.log'), 'utf8'), /\|refswitch\|INFO\|exiting\n$/);
});

t.test('a port that cannot be opened stops the start, leaving nothing behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'refsw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let dp: Datapath | undefined;
  const err = await SwitchProcess.start({ rundir: dir, bridges: ['br0'], ports: [{ name: 'nosuchveth9', type: 'system' }] }, { createDatapath: (o) => (dp = new Datapath(o)) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof SwitchStartError);
  t.match(String(err), /^SwitchStartError: cannot open port nosuchveth9 \(type system\): .*\(E[A-Z]+\)$/);
  t.match(await dp?.vportNew({ name: 'x', type: 'dummy' }), { ok: false, error: { errno: 'ENODEV' } }, 'datapath closed');
  t.notOk(existsSync(join(dir, 'refswitch.ctl')));
  t.notOk(existsSync(join(dir, 'refswitch.pid')));
});

t.test('commands without a client: version, coverage, time, dummy receive', async (t) => {
  const { sw, dp, real } = await startSwitch(t, { datapathName: 'dp0' });
  t.match((await sw.server.dispatch('version', [])).text, /^refswitch 0\.1\.0 \(control interface of Open vSwitch 3\.1\.0\)\n$/);
  t.match((await sw.server.dispatch('dpctl/show', [])).text, /^system@dp0:\n/);
  t.same(await sw.server.dispatch('time/warp', ['0']), { ok: false, text: 'invalid MSECS\n' });
  t.same(await sw.server.dispatch('time/stop', []), { ok: true, text: '' });
  const before = sw.clock.now();
  real.ms += 60_000;
  t.equal(sw.clock.now(), before, 'stopped');
  t.same(await sw.server.dispatch('time/warp', ['1000', '100']), { ok: true, text: 'warped\n' });
  t.equal(sw.clock.now(), before + 1000);
  t.same(await sw.server.dispatch('netdev-dummy/receive', ['p1', 'eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x88b5)']), { ok: true, text: '' });
  t.match(dp.vportGet('p1'), { ok: true, value: { stats: { rxPackets: 1 } } });
  t.same(await sw.server.dispatch('netdev-dummy/receive', ['p9', 'ffffffffffff02000000000188b5']), { ok: false, text: 'no such dummy netdev\n' });
  await new Promise((resolve) => setImmediate(resolve)); // upcalls are delivered after the datapath's batch
  t.same(await sw.server.dispatch('coverage/read-counter', ['upcall_miss_no_handler']), { ok: true, text: '1\n' }, 'the miss was counted');
  sw.coverage.inc('upcall_miss_no_handler', 2);
  const cov = await sw.server.dispatch('coverage/show', []);
  t.match(cov.text, /^Event coverage, avg rate over last: 5 seconds, last minute, last hour, {2}hash=[0-9a-f]{8}:\n/);
  t.match(cov.text, /\nupcall_miss_no_handler +[0-9.]+\/sec +[0-9.]+\/sec +[0-9.]+\/sec {3}total: 3\n/);
  t.match(cov.text, /\nunixctl_received +.*total: \d+\n/);
  t.match(cov.text, /\n\d+ events never hit\n$/);
  t.same(await sw.server.dispatch('coverage/read-counter', ['upcall_miss_no_handler']), { ok: true, text: '3\n' });
  t.same(await sw.server.dispatch('coverage/read-counter', ['nope']), { ok: false, text: 'No such counter\n' });
});

t.test('the real ovs-appctl against the switch', { skip: noAppctl }, async (t) => {
  const { sw, dp } = await startSwitch(t);
  const sock = sw.socketPath;
  const show = await appctl(sock, ['dpctl/show']);
  t.equal(show.code, 0);
  t.equal(show.stdout, [
    'system@ovs-system:',
    '  lookups: hit:0 missed:0 lost:0',
    '  flows: 0',
    '  masks: hit:0 total:0 hit/pkt:0.00',
    '  cache: hit:0 hit-rate:0.00%',
    '  caches:',
    '    masks-cache: size:256',
    '  port 0: ovs-system (internal)',
    '  port 1: br0 (internal)',
    `  port 2: p2 (dummy: tx_pcap=${join(dirOf(sock), 'p2.pcap')})`,
    '  port 3: p1 (dummy)',
    '',
  ].join('\n'));
  const flow = 'in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no)';
  t.same(await appctl(sock, ['dpctl/add-flow', flow, '2']), { code: 0, stdout: '', stderr: '' });
  const dup = await appctl(sock, ['dpctl/add-flow', flow, '2']);
  t.equal(dup.code, 2, 'error reply: exit code 2');
  t.equal(dup.stdout, '');
  t.match(dup.stderr, new RegExp(`^refswitch: updating flow table \\(File exists\\)\\n.*\\novs-appctl: ${sock}: server returned an error\\n$`));
  const pkt = 'eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)';
  t.same(await appctl(sock, ['time/stop']), { code: 0, stdout: '', stderr: '' });
  t.same(await appctl(sock, ['netdev-dummy/receive', 'p1', pkt, pkt]), { code: 0, stdout: '', stderr: '' });
  t.same(await appctl(sock, ['time/warp', '2500']), { code: 0, stdout: 'warped\n', stderr: '' });
  t.same(await appctl(sock, ['dpctl/dump-flows']), { code: 0, stdout: 'in_port(3),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), packets:2, bytes:212, used:2.500s, actions:2\n', stderr: '' });
  t.equal(dp.dummySent('p2')?.length, 2, 'both packets went out of p2');
  t.same(await appctl(sock, ['dpctl/del-flows']), { code: 0, stdout: '', stderr: '' });
  t.same(await appctl(sock, ['dpctl/dump-flows']), { code: 0, stdout: '', stderr: '' });
  const list = await appctl(sock, ['list-commands']);
  t.match(list.stdout, /^The available commands are:\n {2}coverage\/read-counter {3}COUNTER\n/);
  for (const c of ['dpctl/add-flow          [dp] flow actions', 'dpctl/show              [-s] [dp...]', 'exit                    [--cleanup]', 'netdev-dummy/receive    name [--qid queue_id] packet|flow [--len packet_len]', 'time/warp               [large_msecs] msecs']) {
    t.ok(list.stdout.includes(`\n  ${c}\n`), c);
  }
  const bad = await appctl(sock, ['bogus/command']);
  t.same(bad, { code: 2, stdout: '', stderr: `"bogus/command" is not a valid command (use "list-commands" to see a list of valid commands)\novs-appctl: ${sock}: server returned an error\n` });
  t.same(await appctl(sock, ['netdev-dummy/receive', 'p1', 'ffffffffffff02000000000188b5']), { code: 0, stdout: '', stderr: '' });
  t.match(dp.vportGet('p1'), { ok: true, value: { stats: { rxPackets: 3 } } });
  t.same(await appctl(sock, ['exit']), { code: 0, stdout: '', stderr: '' });
  await sw.done;
  t.notOk(existsSync(sock));
});

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

t.test('dpif/meter-set, -get, -del drive the METER family; meter(N) drops beyond the bucket; revalidator/wait answers', { skip: noAppctl }, async (t) => {
  const { sw, dp } = await startSwitch(t);
  const sock = sw.socketPath;
  t.same(await appctl(sock, ['dpif/meter-set', '0', 'pktps', 'band=drop,rate=1,burst=2']), { code: 0, stdout: '', stderr: '' });
  const bad = await appctl(sock, ['dpif/meter-set', '0', 'mbps', 'band=drop,rate=1']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /meter unit "mbps" must be kbps or pktps/);
  const badBand = await appctl(sock, ['dpif/meter-set', '1', 'kbps', 'band=remark,rate=1']);
  t.match(badBand.stderr, /band type must be drop/);
  t.equal((await appctl(sock, ['dpctl/add-flow', 'in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no)', 'meter(0),2'])).code, 0);
  const frame = '5054000000025054000000010800450000200000000040117ac00a0000010a0000020001000200080000';
  for (let i = 0; i < 5; i++) t.equal((await appctl(sock, ['netdev-dummy/receive', 'p1', frame])).code, 0);
  t.equal((await appctl(sock, ['revalidator/wait'])).code, 0);
  t.equal(dp.dummySent('p2')?.length, 2, 'a bucket of 2 packets at 1 pktps (clock stands still)');
  t.match((await appctl(sock, ['dpif/meter-get', '0'])).stdout, /^meter 0: packets_in:5 bytes_in:\d+\n {2}band 0: packets:3 bytes:\d+\n$/);
  t.equal(dp.coverage().get('datapath_drop_meter'), 3);
  t.equal((await appctl(sock, ['dpif/meter-del', '0'])).code, 0);
  t.equal((await appctl(sock, ['dpif/meter-get', '0'])).code, 2, 'gone');
});
