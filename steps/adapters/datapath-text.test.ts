/**
 * The adapters' datapath text helpers, on text written by hand and on
 * `dpctl/show` as Open vSwitch 3.1 printed it (no switch needed).
 */
import t from 'tap';
import { dpctlFlowArgs, lookupTotal, ofctlMeterSpec, ovsParsableActions, parseDpctlLookups, parseMeterSpec, refMeterSetArgs } from './datapath-text.ts';

const NAMES = new Map([[0, 'ovs-netdev'], [1, 'p2'], [2, 'p3'], [3, 'p1'], [4, 'br0']]);

t.test('dpctlFlowArgs maps port names to datapath numbers and splits key from actions', async (t) => {
  const r = dpctlFlowArgs('recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:set(ipv4(ttl=9)),p2', NAMES);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.value.actions, 'set(ipv4(ttl=9)),1');
  t.match(r.value.key, /^recirc_id\(0\),in_port\(3\),eth\(src=00:00:00:00:00:00\/00:00:00:00:00:00,dst=[^)]*\),eth_type\(0x0800\),ipv4\(/);
  t.match(r.value.key, /dst=10\.0\.0\.2,/, 'the matched field keeps its full mask');
});

t.test('dpctlFlowArgs keeps attributes written empty (the kernel expects udp() after proto=17)', async (t) => {
  const r = dpctlFlowArgs('in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(), actions:drop', NAMES);
  t.ok(r.ok);
  if (!r.ok) return;
  t.match(r.value.key, /,udp\(src=0\/0,dst=0\/0\)$/);
  t.equal(r.value.actions, 'drop');
});

t.test('dpctlFlowArgs names nested outputs, ignores stats, accepts numbers', async (t) => {
  const r = dpctlFlowArgs('in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:9, used:never, actions:clone(p2),sample(sample=50.0%,actions(p3)),check_pkt_len(size=64,gt(p2),le(99))', NAMES);
  t.ok(r.ok);
  if (r.ok) t.equal(r.value.actions, 'clone(1),sample(sample=50.0%,actions(2)),check_pkt_len(size=64,gt(1),le(99))');
});

t.test('dpctlFlowArgs refuses what the scenario wrote badly, naming the column', async (t) => {
  const noActions = dpctlFlowArgs('in_port(p1),eth()', NAMES);
  t.notOk(noActions.ok);
  if (!noActions.ok) t.match(noActions.error, /no "actions:"/);
  const badPort = dpctlFlowArgs('in_port(p9),eth(), actions:p2', NAMES);
  t.notOk(badPort.ok);
  if (!badPort.ok) t.match(badPort.error, /column \d+: .*p9/);
  const empty = dpctlFlowArgs('actions:p2', NAMES);
  t.notOk(empty.ok);
});

t.test('ovsParsableActions writes recirc ids in decimal only', async (t) => {
  t.equal(ovsParsableActions('set(ipv4(ttl=9)),recirc(0x1a),clone(recirc(0x2))'), 'set(ipv4(ttl=9)),recirc(26),clone(recirc(2))');
  t.equal(ovsParsableActions('2,3'), '2,3');
});

t.test('parseDpctlLookups reads Open vSwitch 3.1 dpctl/show', async (t) => {
  const show = 'netdev@ovs-netdev:\n  lookups: hit:12 missed:3 lost:1\n  flows: 2\n  port 0: ovs-netdev (tap)\n  port 1: p2\n';
  const r = parseDpctlLookups(show);
  t.same(r, { ok: true, value: { hit: 12, missed: 3, lost: 1 } });
  if (r.ok) t.equal(lookupTotal(r.value), 16);
  t.notOk(parseDpctlLookups('netdev@ovs-netdev:\n  flows: 2\n').ok);
});

t.test('parseMeterSpec reads the step text; both switches get it in their syntax', async (t) => {
  const m = parseMeterSpec('pktps band=drop rate=1 burst=10');
  t.same(m, { ok: true, value: { unit: 'pktps', bands: [{ type: 'drop', rate: 1, burst: 10 }] } });
  if (!m.ok) return;
  t.equal(ofctlMeterSpec(1, m.value), 'meter=1,pktps,burst,band=type=drop,rate=1,burst_size=10');
  t.same(refMeterSetArgs(0, m.value), ['0', 'pktps', 'band=drop,rate=1,burst=10']);
  const two = parseMeterSpec('kbps band=drop rate=100 band=drop rate=200 burst=50');
  t.ok(two.ok);
  if (two.ok) t.equal(ofctlMeterSpec(3, two.value), 'meter=3,kbps,burst,band=type=drop,rate=100,band=type=drop,rate=200,burst_size=50');
  const noBurst = parseMeterSpec('kbps band=drop rate=8');
  if (noBurst.ok) t.equal(ofctlMeterSpec(2, noBurst.value), 'meter=2,kbps,band=type=drop,rate=8');
  for (const bad of ['bps band=drop rate=1', 'pktps', 'pktps rate=1', 'pktps band=remark rate=1', 'pktps band=drop', 'pktps band=drop rate=-1', 'pktps band=drop rate=1 color=red']) {
    t.notOk(parseMeterSpec(bad).ok, bad);
  }
});
