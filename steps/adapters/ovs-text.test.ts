/**
 * Tests for ovs-text.ts on real Open vSwitch 3.1.0 output recorded here
 * (fixtures/README.md says how), plus hand-made action lists for the nested
 * forms a trace rarely shows. No root needed.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  compareFlowEntries, parseDpctlShow, parseOfctlDumpFlows, parseTrace, renameDatapathPorts, toFlowStat,
  type OvsFlowEntry, type OvsTextResult,
} from './ovs-text.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function must<T>(r: OvsTextResult<T>): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const NAMES = new Map([[0, 'ovs-netdev'], [1, 'p2'], [2, 'p3'], [3, 'p1'], [4, 'br0']]);

t.test('dpctl/show: datapath port numbers to names, with and without a type', async (t) => {
  t.same([...must(parseDpctlShow(fixture('ovs-dpctl-show.txt')))], [...NAMES]);
  t.same([...must(parseDpctlShow('netdev@ovs-netdev:\n  port 7: vx0 (vxlan: packet_type=ptap, remote_ip=1.2.3.4)\n'))], [[7, 'vx0']]);
  t.match(parseDpctlShow('netdev@a:\n  port 1: p1\nsystem@b:\n  port 2: p2\n'), { ok: false, error: /2 datapaths/ });
  t.match(parseDpctlShow('netdev@a:\n  port 1: p1\n  port 1: p2\n'), { ok: false, error: /port 1 twice/ });
  t.match(parseDpctlShow(''), { ok: false, error: /0 datapaths/ });
});

t.test('dump-flows, OpenFlow 1.0 + NXM (the default)', async (t) => {
  const entries = must(parseOfctlDumpFlows(fixture('ovs-dump-of10.txt')));
  t.equal(entries.length, 8, 'header skipped, 8 rules');
  t.same(entries[0], {
    table: 0, rule: 'in_port=1', actions: 'output:2', nPackets: 1, nBytes: 56, cookie: '0x0', priority: 32768, flags: [],
  });
  t.same(toFlowStat(entries[1] as OvsFlowEntry), {
    table: 0, rule: 'priority=300,tcp,nw_dst=10.0.0.5,tp_dst=80', actions: 'mod_dl_dst:50:54:00:00:00:05,output:3', nPackets: 1, nBytes: 56,
  });
  t.same(entries[2], {
    table: 0, rule: 'priority=100,udp', actions: 'output:3,output:2', nPackets: 0, nBytes: 0,
    cookie: '0x1234', priority: 100, idleTimeoutS: 30, hardTimeoutS: 60, flags: [],
  }, 'cookie and timeouts kept as properties, not in rule');
  t.same(entries.map((e) => [e.table, e.priority]), [[0, 32768], [0, 300], [0, 100], [0, 50], [0, 10], [0, 0], [1, 5], [2, 32768]]);
  t.same(entries[7], { table: 2, rule: '', actions: 'drop', nPackets: 0, nBytes: 0, cookie: '0x0', priority: 32768, flags: [] }, 'empty match');
});

t.test('dump-flows, OpenFlow 1.3 and 1.5: flags, importance, other action spelling', async (t) => {
  const of13 = must(parseOfctlDumpFlows(fixture('ovs-dump-of13.txt')));
  const of15 = must(parseOfctlDumpFlows(fixture('ovs-dump-of15.txt')));
  const of10 = must(parseOfctlDumpFlows(fixture('ovs-dump-of10.txt')));
  t.same(of13.map((e) => e.rule), of10.map((e) => e.rule), 'same rule identities whatever the version');
  t.same(of15.map((e) => e.rule), of10.map((e) => e.rule));
  t.equal(of13[1]?.actions, 'set_field:50:54:00:00:00:05->eth_dst,output:3');
  t.same(of13[3], { table: 0, rule: 'priority=50,arp', actions: 'NORMAL', nPackets: 0, nBytes: 0, cookie: '0x0', priority: 50, flags: ['send_flow_rem', 'reset_counts'] });
  t.equal(of15[2]?.importance, 7);
  t.same(of15[3]?.flags, ['send_flow_rem', 'reset_counts'], 'flags before idle_age');
});

t.test('dump-flows: repeated reply headers, hard_age, errors', async (t) => {
  const text = [
    'NXST_FLOW reply (xid=0x4):',
    ' cookie=0x0, duration=9.1s, table=0, n_packets=3, n_bytes=180, hard_age=2, idle_age=1, priority=7,ip actions=output:1',
    'NXST_FLOW reply (xid=0x4):',
    ' cookie=0x5, duration=9.1s, table=3, n_packets=0, n_bytes=0, idle_age=9, arp,arp_op=1 actions=drop',
    '',
  ].join('\n');
  t.same(must(parseOfctlDumpFlows(text)).map(toFlowStat), [
    { table: 0, rule: 'priority=7,ip', actions: 'output:1', nPackets: 3, nBytes: 180 },
    { table: 3, rule: 'arp,arp_op=1', actions: 'drop', nPackets: 0, nBytes: 0 },
  ]);
  t.same(must(parseOfctlDumpFlows('')), []);
  t.match(parseOfctlDumpFlows(' cookie=0x0, table=0, n_packets=0, n_bytes=0, priority=1'), { ok: false, error: /line 1: no actions=/ });
  t.match(parseOfctlDumpFlows(' priority=1 actions=drop'), { ok: false, error: /n_packets/ });
  t.match(parseOfctlDumpFlows(' n_packets=0, n_bytes=0, bogus words priority=1 actions=drop'), { ok: false, error: /unexpected "bogus"/ });
});

t.test('compareFlowEntries: table, then highest priority first', async (t) => {
  const entries = must(parseOfctlDumpFlows(fixture('ovs-dump-of10.txt'))).reverse();
  t.same(entries.sort(compareFlowEntries).map((e) => `${e.table}/${e.priority}`), ['0/32768', '0/300', '0/100', '0/50', '0/10', '0/0', '1/5', '2/32768']);
});

t.test('ofproto/trace: megaflow and datapath actions of each pass', async (t) => {
  t.same(must(parseTrace(fixture('ovs-trace-simple.txt'))), [{ megaflow: 'recirc_id=0,eth,ip,in_port=1,nw_frag=no', datapathActions: '1' }]);
  t.same(must(parseTrace(fixture('ovs-trace-ct.txt'))), [
    { megaflow: 'recirc_id=0,eth,icmp,in_port=3,nw_frag=no', datapathActions: 'ct(zone=1),recirc(0x2)' },
    { megaflow: 'recirc_id=0x2,ct_state=+trk,eth,icmp,in_port=3,nw_frag=no', datapathActions: '1' },
  ]);
  t.match(parseTrace('Flow: in_port=1\n'), { ok: false, error: /no Megaflow/ });
  t.match(parseTrace('Datapath actions: 1\n'), { ok: false });
  t.match(parseTrace('Megaflow: a\nMegaflow: b\nDatapath actions: 1\n'), { ok: false });
});

t.test('renameDatapathPorts on real traces', async (t) => {
  const actions = (name: string): string => must(parseTrace(fixture(name)))[0]?.datapathActions ?? '';
  t.equal(renameDatapathPorts(actions('ovs-trace-set.txt'), NAMES), 'p1,set(eth(dst=00:00:00:00:00:01)),p2,set(eth(dst=00:00:00:00:00:00)),ct(commit,zone=5)');
  t.equal(renameDatapathPorts(actions('ovs-trace-clone.txt'), NAMES), 'p1,push_vlan(vid=3,pcp=0),p3', 'vid=3 untouched');
  t.equal(renameDatapathPorts(actions('ovs-trace-flood.txt'), NAMES), 'p3,p2,br0');
  t.equal(renameDatapathPorts(actions('ovs-trace-ct.txt'), NAMES), 'ct(zone=1),recirc(0x2)');
});

t.test('renameDatapathPorts: nested lists and port-valued arguments only', async (t) => {
  const cases: [string, string][] = [
    ['drop', 'drop'],
    ['3', 'p1'],
    ['9', '9'],
    ['clone(set(ipv4(src=10.0.0.1,dst=10.0.0.2)),3),1', 'clone(set(ipv4(src=10.0.0.1,dst=10.0.0.2)),p1),p2'],
    ['clone(clone(2)),push_vlan(vid=1,pcp=3),1', 'clone(clone(p3)),push_vlan(vid=1,pcp=3),p2'],
    ['sample(sample=50.0%,actions(1,clone(2))),3', 'sample(sample=50.0%,actions(p2,clone(p3))),p1'],
    ['check_pkt_len(size=200,gt(1),le(2,3))', 'check_pkt_len(size=200,gt(p2),le(p3,p1))'],
    ['tnl_pop(4),trunc(100),meter(1),lb_output(2),recirc(0x3),hash(l4(0))', 'tnl_pop(br0),trunc(100),meter(1),lb_output(2),recirc(0x3),hash(l4(0))'],
    ['userspace(pid=4,slow_path(action))', 'userspace(pid=4,slow_path(action))'],
    [
      'userspace(pid=0,flow_sample(probability=1,collector_set_id=2,obs_domain_id=3,obs_point_id=4,output_port=1),tunnel_out_port=2)',
      'userspace(pid=0,flow_sample(probability=1,collector_set_id=2,obs_domain_id=3,obs_point_id=4,output_port=p2),tunnel_out_port=p3)',
    ],
    ['userspace(pid=0,ipfix(output_port=3),actions)', 'userspace(pid=0,ipfix(output_port=p1),actions)'],
    ['set(vlan(vid=2)),push_mpls(label=3,tc=0,ttl=64,bos=1,eth_type=0x8847),ct(zone=3,mark=1/0xff)', 'set(vlan(vid=2)),push_mpls(label=3,tc=0,ttl=64,bos=1,eth_type=0x8847),ct(zone=3,mark=1/0xff)'],
    ['clone(1,2', 'clone(1,2'],
    ['1),(2', '1),(2'],
  ];
  for (const [input, want] of cases) t.equal(renameDatapathPorts(input, NAMES), want, input);
});
