import t from 'tap';
import { buildPacket } from '../packet/index.ts';
import { formatOdpFlow, parseOdpFlow } from '../flow/index.ts';
import type { OdpAction, OdpKey } from '../flow/index.ts';
import { Datapath } from './datapath.ts';
import type { DpUpcall } from './dpif-types.ts';

function flow(text: string): { key: OdpKey; actions: OdpAction[] } {
  const r = parseOdpFlow(text);
  if (!r.ok) throw new Error(`bad test flow ${text}: ${r.error.message}`);
  return { key: r.flow.key, actions: r.flow.actions };
}

async function dpWithPorts(clock = { now: 1000 }): Promise<Datapath> {
  const dp = new Datapath({ clock: () => clock.now });
  for (const [name, portNo] of [['p1', 1], ['p2', 2], ['p3', 3]] as const) {
    const r = await dp.vportNew({ name, type: 'dummy', portNo });
    if (!r.ok) throw new Error(r.error.message);
  }
  return dp;
}

const udp = buildPacket('Ether(src="50:54:00:00:00:01",dst="50:54:00:00:00:02")/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1,dport=2)');
const tcp = buildPacket('Ether(src="50:54:00:00:00:01",dst="50:54:00:00:00:02")/IP(src="10.0.0.1",dst="10.0.0.3")/TCP(sport=1,dport=80,flags="S")');

t.test('a hit forwards and counts; a miss upcalls with the full key', async (t) => {
  const clock = { now: 1000 };
  const dp = await dpWithPorts(clock);
  const upcalls: DpUpcall[] = [];
  dp.setUpcallHandler((u) => upcalls.push(u));
  const put = dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:2'), create: true, modify: false });
  t.ok(put.ok, put.ok ? '' : put.error.message);
  t.ok(dp.receive('p1', udp).ok);
  t.same(dp.dummySent('p2')?.length, 1);
  t.same(Buffer.from(dp.dummySent('p2')![0]!), Buffer.from(udp));
  clock.now = 1500;
  t.ok(dp.receive('p1', tcp).ok, 'the tcp packet misses (different dst)');
  await new Promise((r) => setImmediate(r));
  t.equal(upcalls.length, 1);
  t.equal(upcalls[0]?.type, 'miss');
  t.match(formatOdpFlow({ key: upcalls[0]!.key, actions: [] }), /in_port\(1\).*ipv4\(src=10\.0\.0\.1,dst=10\.0\.0\.3,proto=6/);
  const info = dp.datapathGet();
  t.same([info.stats.hit, info.stats.missed, info.stats.lost, info.stats.flows, info.stats.masksTotal], [1, 1, 0, 1, 1]);
  const [f] = dp.flowDump();
  t.same(f?.stats, { packets: 1, bytes: udp.length, usedMs: 1000, tcpFlags: 0 });
  t.match(formatOdpFlow({ key: f!.key, actions: [...f!.actions] }), /^in_port\(1\),eth\(\),eth_type\(0x0800\),ipv4\(dst=10\.0\.0\.2,frag=no\), actions:2$/);
  await dp.close();
});

t.test('tcp flags accumulate in the flow stats', async (t) => {
  const dp = await dpWithPorts();
  dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(frag=no), actions:3'), create: true, modify: false });
  dp.receive('p1', tcp);
  dp.receive('p1', buildPacket('Ether()/IP()/TCP(flags="PA")'));
  t.equal(dp.flowDump()[0]?.stats.tcpFlags, 0x002 | 0x008 | 0x010);
  await dp.close();
});

t.test('create/modify semantics: EEXIST, ENOENT, modify keeps or zeroes stats', async (t) => {
  const dp = await dpWithPorts();
  const f = flow('in_port(1),eth(),eth_type(0x0800),ipv4(frag=no), actions:2');
  t.ok(dp.flowPut({ ...f, create: true, modify: false }).ok);
  const again = dp.flowPut({ ...f, create: true, modify: false });
  t.equal(again.ok ? '' : again.error.errno, 'EEXIST');
  dp.receive('p1', udp);
  const mod = dp.flowPut({ key: f.key, actions: flow('in_port(1), actions:3').actions, create: false, modify: true });
  t.ok(mod.ok);
  t.equal(mod.ok && mod.value.stats.packets, 1, 'stats kept');
  dp.receive('p1', udp);
  t.equal(dp.dummySent('p3')?.length, 1, 'new actions apply');
  const z = dp.flowPut({ key: f.key, actions: f.actions, create: false, modify: true, zeroStats: true });
  t.equal(z.ok && z.value.stats.packets, 0, 'stats zeroed');
  const missing = dp.flowPut({ ...flow('in_port(2),eth(),eth_type(0x0800),ipv4(frag=no), actions:1'), create: false, modify: true });
  t.equal(missing.ok ? '' : missing.error.errno, 'ENOENT');
  await dp.close();
});

t.test('get, del by ufid and by key, flush; masks go with their last flow', async (t) => {
  const dp = await dpWithPorts();
  const a = dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:2'), create: true, modify: false });
  const b = dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.3,frag=no), actions:3'), create: true, modify: false });
  dp.flowPut({ ...flow('in_port(2),eth(),eth_type(0x0806),arp(), actions:1'), create: true, modify: false });
  t.ok(a.ok && b.ok);
  t.equal(dp.datapathGet().stats.masksTotal, 2);
  if (!a.ok) return;
  t.equal(dp.flowGet({ ufid: a.value.ufid.toUpperCase() }).ok, true, 'ufid lookups ignore case');
  t.ok(dp.flowDel({ ufid: a.value.ufid }).ok);
  const gone = dp.flowGet({ ufid: a.value.ufid });
  t.equal(gone.ok ? '' : gone.error.errno, 'ENOENT');
  t.ok(dp.flowDel({ key: flow('in_port(2),eth(),eth_type(0x0806),arp()').key }).ok, 'delete by exact key');
  t.equal(dp.datapathGet().stats.masksTotal, 1, 'the ARP mask went with its only flow');
  t.equal(dp.flowFlush(), 1);
  t.same([dp.datapathGet().stats.flows, dp.datapathGet().stats.masksTotal], [0, 0]);
  const bad = dp.flowGet({ ufid: 'not-a-ufid' });
  t.equal(bad.ok ? '' : bad.error.errno, 'EINVAL');
  await dp.close();
});

t.test('bad input: short frames, unknown ports, invalid flows never throw', async (t) => {
  const dp = await dpWithPorts();
  t.ok(dp.receive('p1', new Uint8Array(5)).ok);
  t.equal(dp.coverage().get('datapath_drop_rx_invalid_packet'), 1);
  const r = dp.receive('nope', udp);
  t.equal(r.ok ? '' : r.error.errno, 'ENODEV');
  const inv = dp.flowPut({ ...flow('in_port(1),eth(),ipv4(dst=10.0.0.2), actions:2'), create: true, modify: false });
  t.equal(inv.ok ? '' : inv.error.errno, 'EINVAL', 'ipv4 without eth_type');
  dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(frag=no), actions:9'), create: true, modify: false });
  dp.receive('p1', udp);
  t.equal(dp.coverage().get('datapath_drop_invalid_port'), 1, 'output to a missing port is a named drop');
  await dp.close();
});

t.test('a full upcall queue counts lost', async (t) => {
  const dp = new Datapath({ upcallQueueLength: 2 });
  await dp.vportNew({ name: 'p1', type: 'dummy' });
  dp.setUpcallHandler(() => {});
  for (let i = 0; i < 5; i++) dp.receive('p1', udp);
  const s = dp.datapathGet().stats;
  t.same([s.missed, s.lost], [5, 3]);
  t.equal(dp.coverage().get('datapath_drop_upcall_error'), 3);
  await dp.close();
});

t.test('vports: numbering, errors, port 0', async (t) => {
  const dp = new Datapath({ name: 'dp0' });
  t.same(dp.vportDump().map((p) => [p.portNo, p.name, p.type]), [[0, 'dp0', 'internal']]);
  const a = await dp.vportNew({ name: 'a', type: 'dummy' });
  t.equal(a.ok && a.value.portNo, 1);
  const dup = await dp.vportNew({ name: 'a', type: 'dummy' });
  t.equal(dup.ok ? '' : dup.error.errno, 'EEXIST');
  const busy = await dp.vportNew({ name: 'b', type: 'dummy', portNo: 1 });
  t.equal(busy.ok ? '' : busy.error.errno, 'EBUSY');
  const badOpt = await dp.vportNew({ name: 'c', type: 'dummy', options: new Map([['color', 'red']]) });
  t.equal(badOpt.ok ? '' : badOpt.error.errno, 'EINVAL');
  const nodev = await dp.vportNew({ name: 'nosuchif0', type: 'system' });
  t.equal(nodev.ok ? '' : nodev.error.errno, 'ENODEV');
  const del0 = dp.vportDel(0);
  t.equal(del0.ok ? '' : del0.error.errno, 'EINVAL');
  t.ok(dp.vportDel('a').ok);
  t.same(dp.vportDump().length, 1);
  await dp.close();
});

t.test('packet execute runs actions on a given packet', async (t) => {
  const dp = await dpWithPorts();
  const r = dp.packetExecute({ packet: udp, key: flow('in_port(1)').key, actions: flow('in_port(1), actions:2,3').actions });
  t.ok(r.ok, r.ok ? '' : r.error.message);
  t.same([dp.dummySent('p2')?.length, dp.dummySent('p3')?.length], [1, 1]);
  await dp.close();
});

t.test('masks cache size is settable (power of two or 0)', async (t) => {
  const dp = new Datapath();
  t.equal(dp.datapathGet().masksCacheSize, 256);
  t.ok(dp.datapathSet({ masksCacheSize: 0 }).ok);
  const bad = dp.datapathSet({ masksCacheSize: 100 });
  t.equal(bad.ok ? '' : bad.error.errno, 'EINVAL');
  await dp.close();
});

t.test('ct limits are stored and reported', async (t) => {
  const dp = new Datapath();
  t.ok(dp.ctLimitSet([{ limit: 10 }, { zone: 3, limit: 5 }]).ok);
  const g = dp.ctLimitGet();
  t.same(g.ok && g.value, [{ limit: 10 }, { zone: 3, limit: 5 }]);
  t.ok(dp.ctLimitDel([3]).ok);
  await dp.close();
});

t.test('frames handed in as Buffers are copied, not aliased (Buffer#slice is a view)', async (t) => {
  const dp = await dpWithPorts();
  dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(frag=no), actions:set(eth(dst=50:54:00:00:00:99)),2'), create: true, modify: false });
  const buf = Buffer.from(udp);
  dp.receive('p1', buf);
  t.same(buf, Buffer.from(udp), 'the caller\'s buffer is untouched');
  t.equal(Buffer.from(dp.dummySent('p2')![0]!.subarray(0, 6)).toString('hex'), '505400000099');
  await dp.close();
});

t.test('an ACTION upcall after trunc carries the cut packet', async (t) => {
  const dp = await dpWithPorts();
  const ups: { packet: Uint8Array }[] = [];
  dp.setUpcallHandler((u) => ups.push(u));
  dp.flowPut({ ...flow('in_port(1),eth(),eth_type(0x0800),ipv4(frag=no), actions:trunc(20),userspace(pid=1)'), create: true, modify: false });
  dp.receive('p1', udp);
  await new Promise((r) => setImmediate(r));
  t.equal(ups[0]?.packet.length, 20);
  await dp.close();
});
