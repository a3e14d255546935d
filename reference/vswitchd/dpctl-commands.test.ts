/**
 * dpctl commands over the reference Datapath with dummy ports (traffic
 * injected with receive()): option parsing, datapath
 * arguments, show (plain and -s), add/mod/del/get flows with their error
 * lines, dump-flows (-m, --names, filter=, type=), flow files, add-if and
 * del-if. Layouts follow what ovs-vswitchd 3.1 printed for the same
 * commands (recorded in the comments), with the Linux datapath's name/type
 * lines and `refswitch` as the program name.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDpctlOptions } from './dpctl-context.ts';
import { runDpctl, type DpctlTarget } from './dpctl-commands.ts';
import { Datapath } from '../datapath/index.ts';
import { frameFromFlowText } from './netdev-dummy-receive.ts';

async function setup(t: Test): Promise<{ dp: Datapath; target: DpctlTarget; clock: { ms: number }; dir: string }> {
  const clock = { ms: 100000 };
  const dir = mkdtempSync(join(tmpdir(), 'dpctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dp = new Datapath({ clock: () => clock.ms });
  dp.setUpcallHandler(() => undefined);
  t.teardown(() => dp.close());
  await dp.vportNew({ name: 'br0', type: 'internal' });
  await dp.vportNew({ name: 'p1', type: 'dummy', portNo: 5 });
  await dp.vportNew({ name: 'p2', type: 'dummy', options: new Map([['tx_pcap', join(dir, 'x.pcap')], ['rxq_pcap', join(dir, 'r.pcap')]]) });
  return { dp, clock, dir, target: { dpif: dp, dpName: 'ovs-system', now: () => clock.ms, programName: 'refswitch' } };
}

const FLOW = 'in_port(5),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no)';

t.test('options are stripped as dpctl_unixctl_handler does', async (t) => {
  t.same(parseDpctlOptions(['-ms', '--names', 'x', '-m']), { ok: true, opts: { verbosity: 1, statistics: true, zeroStats: false, mayCreate: false, names: true }, rest: ['x', '-m'] });
  t.same(parseDpctlOptions(['-m']), { ok: true, opts: { verbosity: 1, statistics: false, zeroStats: false, mayCreate: false, names: true }, rest: [] });
  t.same(parseDpctlOptions(['-m', '--no-names', '-']), { ok: true, opts: { verbosity: 1, statistics: false, zeroStats: false, mayCreate: false, names: false }, rest: ['-'] });
  t.same(parseDpctlOptions(['-x']), { ok: false, text: 'Unrecognized option -x' });
  t.same(parseDpctlOptions(['--bogus']), { ok: false, text: 'Unrecognized option --bogus' });
});

/** Injects the packet composed from `flow` on `port`. */
function send(dp: Datapath, port: string, flow: string): void {
  const f = frameFromFlowText(flow);
  if (!f.ok) throw new Error(f.message);
  const r = dp.receive(port, f.frame);
  if (!r.ok) throw new Error(r.error.message);
}

const PKT = 'eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2),tcp_flags(syn)';
const PKT_BYTES = 54;

t.test('show, plain and -s', async (t) => {
  const { dp, target, dir } = await setup(t);
  const pcaps = `rxq_pcap=${dir}/r.pcap, tx_pcap=${dir}/x.pcap`;
  await runDpctl(target, 'add-flow', [FLOW, '2']);
  send(dp, 'p1', PKT);
  send(dp, 'p1', PKT.replace('dst=10.0.0.2', 'dst=10.0.0.9'));
  const r = await runDpctl(target, 'show', []);
  t.equal(r.ok, true);
  t.match(r.text, new RegExp('^' + [
    'system@ovs-system:',
    '  lookups: hit:1 missed:1 lost:0',
    '  flows: 1',
    '  masks: hit:\\d+ total:1 hit/pkt:\\d+\\.\\d\\d',
    '  cache: hit:\\d+ hit-rate:\\d+\\.\\d\\d%',
    '  caches:',
    '    masks-cache: size:256',
    '  port 0: ovs-system \\(internal\\)',
    '  port 1: br0 \\(internal\\)',
    `  port 2: p2 \\(dummy: ${pcaps.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`,
    '  port 5: p1 \\(dummy\\)',
    '',
  ].join('\n') + '$'));
  t.same(await runDpctl(target, 'show', ['system@ovs-system']), r);
  t.same(await runDpctl(target, 'show', ['ovs-system']), r);
  t.same(await runDpctl(target, 'show', ['foo']), { ok: false, text: 'refswitch: opening datapath foo failed (No such device)\n' });
  const s = await runDpctl(target, 'show', ['-s']);
  t.match(s.text, '  port 0: ovs-system (internal)\n    RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n    TX packets:0 errors:0 dropped:0 aborted:0 carrier:0\n    collisions:0\n    RX bytes:0  TX bytes:0\n  port 1:');
  t.match(s.text, `  port 5: p1 (dummy)\n    RX packets:2 errors:0 dropped:0 overruns:0 frame:0\n`);
  t.match(s.text, `  port 2: p2 (dummy: ${pcaps})\n    RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n    TX packets:1 errors:0 dropped:0 aborted:0 carrier:0\n    collisions:0\n    RX bytes:0  TX bytes:${PKT_BYTES}\n`);
  t.same(await runDpctl(target, 'dump-dps', []), { ok: true, text: 'system@ovs-system\n' });
});

t.test('add-flow, dump-flows, get-flow, mod-flow, del-flow', async (t) => {
  const { dp, target, clock } = await setup(t);
  t.same(await runDpctl(target, 'add-flow', [FLOW, '2']), { ok: true, text: '' });
  // ovs-vswitchd 3.1: "ovs-vswitchd: updating flow table (File exists)"
  const again = await runDpctl(target, 'add-flow', [FLOW, '2']);
  t.equal(again.ok, false);
  t.match(again.text, /^refswitch: updating flow table \(File exists\)\n {2}flow .* exists\n$/);
  t.same(await runDpctl(target, 'dump-flows', []), { ok: true, text: `${FLOW}, packets:0, bytes:0, used:never, actions:2\n` });
  t.same(await runDpctl(target, 'dump-flows', ['--names']), { ok: true, text: 'in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), packets:0, bytes:0, used:never, actions:p2\n' });
  send(dp, 'p1', PKT);
  send(dp, 'p1', PKT.replace('tcp_flags(syn)', 'tcp_flags(ack)'));
  clock.ms += 1500;
  const ufid = dp.flowDump()[0]?.ufid ?? '';
  const m = await runDpctl(target, 'dump-flows', ['-m', 'system@ovs-system']);
  t.match(m.text, new RegExp(`^ufid:${ufid}, .*in_port\\(p1\\).*, packets:2, bytes:${PKT_BYTES + 118}, used:1\\.500s, flags:S\\., dp:ovs, actions:p2\\n$`));
  const line = `${FLOW}, packets:2, bytes:${PKT_BYTES + 118}, used:1.500s, flags:S., actions:2\n`;
  t.same(await runDpctl(target, 'get-flow', [`ufid:${ufid}`]), { ok: true, text: line });
  t.same(await runDpctl(target, 'mod-flow', ['-s', FLOW, 'drop']), { ok: true, text: `packets:2, bytes:${PKT_BYTES + 118}, used:1.500s, flags:S.\n` });
  t.same(await runDpctl(target, 'mod-flow', ['--clear', FLOW, '1,2']), { ok: true, text: '' });
  t.match((await runDpctl(target, 'dump-flows', [])).text, /packets:0, bytes:0, used:never, actions:1,2\n$/);
  const missing = 'in_port(5),eth(),eth_type(0x86dd),ipv6(frag=no)';
  t.match(await runDpctl(target, 'mod-flow', [missing, '1']), { ok: false, text: /^refswitch: updating flow table \(No such file or directory\)\n/ });
  t.same(await runDpctl(target, 'mod-flow', ['--may-create', missing, '1']), { ok: true, text: '' });
  // ovs-vswitchd 3.1: "deleting flow (No such file or directory)" then "Perhaps you need to specify a UFID?"
  t.match(await runDpctl(target, 'del-flow', ['in_port(1),eth(),eth_type(0x86dd),ipv6(frag=no)']), {
    ok: false,
    text: /^refswitch: deleting flow \(No such file or directory\)\n {2}.*\nPerhaps you need to specify a UFID\?\n$/,
  });
  t.same(await runDpctl(target, 'del-flow', ['-s', FLOW]), { ok: true, text: 'packets:0, bytes:0, used:never\n' });
  t.same(await runDpctl(target, 'del-flow', [`ufid:${ufid}`]).then((r) => r.ok), false);
  t.same(await runDpctl(target, 'del-flows', []), { ok: true, text: '' });
  t.equal(dp.flowDump().length, 0);
});

t.test('flow argument errors', async (t) => {
  const { target } = await setup(t);
  const bad = await runDpctl(target, 'add-flow', ['in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=nox)', '2']);
  t.equal(bad.ok, false);
  t.match(bad.text, /^refswitch: parsing flow key \(column 58: bad value for frag \(at 'nox'\)\) \(Invalid argument\)\n$/);
  t.match(await runDpctl(target, 'add-flow', [FLOW, 'bogus']), { ok: false, text: /^refswitch: parsing actions \(Invalid argument\)\n {2}column 1: .*\n$/ });
  t.match(await runDpctl(target, 'add-flow', [FLOW, 'p2']), { ok: false, text: /^refswitch: parsing actions \(Invalid argument\)\n/, }, 'no port names in actions, as OVS');
  t.match(await runDpctl(target, 'add-flow', [FLOW + ', actions:2', '2']), { ok: false, text: /^refswitch: parsing flow key \(column \d+: unexpected 'actions:'/ });
  t.match(await runDpctl(target, 'add-flow', ['ufid:zz ' + FLOW, '2']), { ok: false, text: /^refswitch: parsing flow ufid \(Invalid argument\)/ });
  t.match(await runDpctl(target, 'add-flow', ['in_port(p9),eth()', '2']), { ok: false, text: /^refswitch: parsing flow key/ });
  t.match(await runDpctl(target, 'add-flow', ['in_port(1),eth(),ipv4(dst=10.0.0.2,frag=no)', '2']), {
    ok: false,
    text: /^refswitch: updating flow table \(Invalid argument\)\n {2}key, column 18: ipv4\(…\) needs eth_type\(0x0800\)/,
  });
  t.match(await runDpctl(target, 'add-flow', [FLOW, '2,set(tcp(src=1))']), {
    ok: false,
    text: /^refswitch: updating flow table \(Invalid argument\)\n {2}actions, column 3: /,
  });
  t.same(await runDpctl(target, 'add-flow', ['foo@bar', FLOW, '2']), { ok: false, text: 'refswitch: datapath not found (Invalid argument)\n' });
  t.same(await runDpctl(target, 'add-flow', ['ovs-system', FLOW, '2']), { ok: true, text: '' });
  t.same(await runDpctl(target, 'add-flow', ['in_port(p2),packet_type(ns=0,id=0),eth(),eth_type(0x0806),arp()', '5,1']), { ok: true, text: '' }, 'port name in the key; packet_type dropped as dpif-netlink does');
  t.match((await runDpctl(target, 'dump-flows', [])).text, /\nin_port\(2\),eth\(\),eth_type\(0x0806\), packets:0/);
  t.match(await runDpctl(target, 'del-flow', ['in_port(1),eth(),eth_type(0x08zz)']), { ok: false, text: /^refswitch: column \d+: .* \(Invalid argument\)\n$/ });
  t.same(await runDpctl(target, 'get-flow', ['1234']), { ok: false, text: 'refswitch: parsing flow ufid\n' });
  t.same(await runDpctl(target, 'get-flow', ['ufid:zz']), { ok: false, text: 'refswitch: parsing flow ufid (Invalid argument)\n' });
  t.match(await runDpctl(target, 'get-flow', ['ufid:5a03a90d-deff-40af-970e-99c55937f8b0']), { ok: false, text: /^refswitch: getting flow \(No such file or directory\)\n/ });
  t.same(await runDpctl(target, 'dump-flows', ['foo']), { ok: false, text: 'refswitch: datapath not found (Invalid argument)\n' });
  t.same(await runDpctl(target, 'dump-flows', ['-x']), { ok: false, text: 'Unrecognized option -x' });
  t.same(await runDpctl(target, 'nope', []), { ok: false, text: "unknown command 'nope'; use --help for help\n" });
});

t.test('dump-flows filter= and type=', async (t) => {
  const { target } = await setup(t);
  await runDpctl(target, 'add-flow', [FLOW, '2']);
  await runDpctl(target, 'add-flow', ['in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.0.0.3,frag=no)', '5']);
  const lines = async (args: string[]): Promise<string[]> => (await runDpctl(target, 'dump-flows', args)).text.split('\n').filter(Boolean);
  t.equal((await lines([])).length, 2);
  t.same(await lines(['filter=ip,nw_dst=10.0.0.3']), ['in_port(2),eth(),eth_type(0x0800),ipv4(dst=10.0.0.3,frag=no), packets:0, bytes:0, used:never, actions:5']);
  t.equal((await lines(['filter=in_port=5'])).length, 1);
  t.equal((await lines(['filter=arp'])).length, 0, 'an exact-matched field that disagrees excludes the flow');
  t.equal((await lines(['filter=tcp,tp_dst=80'])).length, 2, 'fields the flows wildcard do not exclude them (as OVS)');
  t.equal((await lines(['type=ovs'])).length, 2);
  t.equal((await lines(['type=tc,offloaded'])).length, 0);
  t.same(await runDpctl(target, 'dump-flows', ['type=bogus']), { ok: false, text: 'refswitch: Failed to parse type (bogus) (Invalid argument)\n' });
  t.match(await runDpctl(target, 'dump-flows', ['filter=foo']), { ok: false, text: /^refswitch: Failed to parse filter \(/ });
  t.equal((await lines(['pmd=-1', 'ovs-system'])).length, 2);
});

t.test('flow files: add-flows, mod-flows, del-flows FILE', async (t) => {
  const { dp, target } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'dpctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'flows.txt');
  const arp = 'in_port(2),eth(),eth_type(0x0806),arp()';
  writeFileSync(file, `# comment\n${FLOW} 2\n\nadd ${arp} 5 # trailing\nmodify ${FLOW} 1\n`);
  t.same(await runDpctl(target, 'add-flows', [file]), { ok: true, text: '' });
  t.equal(dp.flowDump().length, 2);
  t.match((await runDpctl(target, 'dump-flows', [])).text, /ipv4\(dst=10\.0\.0\.2,frag=no\), packets:0, bytes:0, used:never, actions:1\n/);
  writeFileSync(file, `delete ${FLOW}\n${arp} 5\n`);
  t.same(await runDpctl(target, 'del-flows', [file]), { ok: false, text: 'refswitch: Failed parsing line number 2, skipped!\n' });
  t.equal(dp.flowDump().length, 1);
  t.same(await runDpctl(target, 'del-flows', [join(dir, 'nope')]), { ok: false, text: `refswitch: Opening file "${join(dir, 'nope')}" failed (No such file or directory)\n` });
});

t.test('add-if and del-if', async (t) => {
  const { dp, target } = await setup(t);
  t.same(await runDpctl(target, 'add-if', ['ovs-system', `p7,type=dummy,port_no=9`]), { ok: true, text: '' });
  t.match(dp.vportGet('p7'), { ok: true, value: { portNo: 9, name: 'p7', type: 'dummy' } });
  t.same(await runDpctl(target, 'add-if', ['ovs-system', 'p6,type=bogus']), { ok: false, text: 'refswitch: p6: failed to open network device (Address family not supported by protocol)\n' });
  t.match(await runDpctl(target, 'add-if', ['ovs-system', 'p7,type=dummy']), { ok: false, text: /^refswitch: adding p7 to ovs-system failed \(File exists\)\n/ });
  t.same(await runDpctl(target, 'add-if', ['ovs-system', ',']), { ok: false, text: 'refswitch: , is not a valid network device name\n' });
  t.same(await runDpctl(target, 'add-if', ['foo', 'p8']), { ok: false, text: 'refswitch: opening datapath (No such device)\n' });
  t.same(await runDpctl(target, 'del-if', ['ovs-system', 'p9']), { ok: false, text: 'refswitch: no port named p9\n' });
  t.match(await runDpctl(target, 'del-if', ['ovs-system', '0']), { ok: false, text: /^refswitch: deleting port 0 from ovs-system failed \(Invalid argument\)\n/ });
  t.same(await runDpctl(target, 'del-if', ['ovs-system', 'p7', '2']), { ok: true, text: '' });
  t.same(dp.vportDump().map((p) => p.name), ['ovs-system', 'br0', 'p1']);
});
