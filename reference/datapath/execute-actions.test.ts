// Action execution control flow: outputs and copies, trunc, drop accounting,
// upcalls, meters, recirculation, clone/sample/check_pkt_len, the deferred
// FIFO and the recursion limit (Linux net/openvswitch/actions.c).
import t from 'tap';
import { FlowOffset } from '../flow/index.ts';
import { buildPacket } from '../packet/index.ts';
import type { DpPacket } from './action-host.ts';
import { DEFERRED_FIFO_SIZE, RECURSION_LIMIT, executeActions, setSampleRandom } from './execute-actions.ts';
import { RecordingHost, isKeyFresh, packetFrom, parseActions } from './testing/recording-host.ts';

const E = 'Ether(src="02:00:00:00:00:01",dst="02:00:00:00:00:02")';
const UDP = buildPacket(`${E}/IP(src="10.0.0.1",dst="10.0.0.2")/UDP(sport=1000,dport=2000)/Raw(load="${'x'.repeat(100)}")`);

function run(actions: string, opts: { depth?: number; host?: RecordingHost; data?: Uint8Array } = {}) {
  const host = opts.host ?? new RecordingHost();
  const pkt = packetFrom((opts.data ?? UDP).slice());
  executeActions(host, pkt, parseActions(actions), opts.depth ?? 0);
  return { host, pkt };
}

t.test('output: copies except the last, which hands the packet over', (t) => {
  const { host, pkt } = run('2,set(ipv4(ttl=1)),3');
  const [a, b] = host.outputs;
  t.equal(a?.port, 2);
  t.equal(a?.frame[22], 64, 'the first copy keeps the TTL it had when sent');
  t.equal(b?.frame[22], 1);
  t.equal(b?.frame, pkt.data, 'the last output gets the packet bytes themselves');
  t.same(host.drops, []);
  t.end();
});

t.test('output to a missing port drops that copy and goes on', (t) => {
  const { host } = run('9,2,9');
  t.same(host.log, ['drop:invalid-port', 'output:2', 'drop:invalid-port']);
  t.end();
});

t.test('trunc cuts the next output only, never below 14 bytes', (t) => {
  const { host } = run('trunc(60),2,3,trunc(5),4,trunc(5000),5');
  t.same(host.outputs.map((o) => [o.port, o.frame.length]), [[2, 60], [3, UDP.length], [4, 14], [5, UDP.length]]);
  const up = run('trunc(50),userspace(pid=1),2');
  t.equal(up.host.upcalls[0]?.cutlen, 50, 'the upcall sees the cut length');
  t.equal(up.host.upcalls[0]?.frame.length, 50);
  t.equal(up.host.outputs[0]?.frame.length, UDP.length, 'and it resets after the upcall');
  t.end();
});

t.test('drop accounting: empty list, explicit drop, running out after an output', (t) => {
  t.same(run('drop').host.drops, ['last-action'], 'empty list (printed drop)');
  t.same(run('set(ipv4(ttl=3))').host.drops, ['last-action'], 'no output at all');
  t.same(run('2,set(ipv4(ttl=3))').host.drops, [], 'ran out after an output: normal end');
  t.same(run('userspace(pid=1)').host.drops, [], 'ran out after an upcall');
  const ex = run('2,drop,3');
  t.same(ex.host.log, ['output:2', 'drop:explicit'], 'explicit drop stops the list');
  t.same(run('9,set(ipv4(ttl=3))').host.drops, ['invalid-port', 'last-action'], 'a failed copy is not leaving');
  t.same(run('clone(2),set(ipv4(ttl=3))').host.drops, [], 'a clone that sent counts as leaving');
  t.same(run('clone(set(ipv4(ttl=3))),2').host.drops, ['last-action'], 'a clone that sent nothing drops its copy');
  t.same(run('2,clone(set(ipv4(ttl=3)))').host.drops, [], 'a last clone inherits the earlier output');
  t.end();
});

t.test('userspace: pid, cookie, the list being run when asked, upcall-lost continues', (t) => {
  const { host } = run('clone(userspace(pid=7,userdata(0a0b),actions),3),userspace(pid=8)');
  const [inner, outer] = host.upcalls;
  t.equal(inner?.info.pid, 7);
  t.same(inner?.info.cookie, { type: 'userdata', bytes: Uint8Array.from([0x0a, 0x0b, 0, 0, 0, 0, 0, 0]) });
  t.same(inner?.info.actions, parseActions('userspace(pid=7,userdata(0a0b),actions),3'), 'the nested list, as the kernel passes it');
  t.notOk(outer !== undefined && 'actions' in outer.info, 'no actions without the flag');
  const lost = new RecordingHost();
  lost.upcallOk = false;
  run('userspace(pid=1),2', { host: lost });
  t.same(lost.log, ['upcall:1', 'drop:upcall-lost', 'output:2']);
  t.end();
});

t.test('meter: a drop band ends the list', (t) => {
  const host = new RecordingHost();
  host.meters.set(1, { unit: 'pktps', bands: [{ type: 'drop', rate: 1, burst: 1 }] }, 0);
  run('meter(1),2', { host });
  run('meter(1),2', { host });
  run('meter(7),3', { host });
  t.same(host.log, ['output:2', 'drop:meter', 'output:3'], 'second packet in the same ms is dropped; unknown meter passes');
  t.end();
});

t.test('recirc: a copy with recirc_id, at depth + 1, reextracting a stale key first', (t) => {
  const { host, pkt } = run('recirc(0x5),set(ipv4(ttl=3)),2');
  const r = host.recircs[0];
  t.equal(r?.depth, 1);
  t.equal(r?.pkt.md.recircId, 5);
  t.equal(r?.pkt.key.view.getUint32(FlowOffset.recirc_id), 5);
  t.equal(r?.pkt.data[22], 64, 'the copy does not see later rewrites');
  t.equal(pkt.md.recircId, 0, 'the original keeps its recirc_id');
  t.ok(r && isKeyFresh(r.pkt), 'the recirculated key is fresh');
  const stale = run('push_vlan(tpid=0x88a8,vid=1,pcp=0),push_vlan(vid=2,pcp=0),push_vlan(vid=3,pcp=0),recirc(1)');
  t.equal(stale.host.reextracts, 1, 'stale key re-extracted before recirculating');
  t.equal(stale.host.recircs[0]?.pkt, stale.pkt, 'the last recirc hands the packet itself over');
  t.same(stale.host.drops, []);
  t.end();
});

t.test('deferral: depth ≥ 3 work waits for the outermost call; the FIFO holds 9', (t) => {
  const host = new RecordingHost();
  const pkt = packetFrom(UDP.slice());
  executeActions(host, pkt, parseActions('recirc(1),clone(set(ipv4(ttl=2)),4),2'), 3);
  t.same(host.log, ['output:2', 'recirc:1@1', 'output:4'], 'deferred recirc drained at depth 1, deferred clone after it');
  const many = Array.from({ length: DEFERRED_FIFO_SIZE }, (_, i) => `recirc(${i + 1})`).join(',');
  const full = run(`${many},2`, { depth: 3 });
  t.equal(full.host.recircs.length, DEFERRED_FIFO_SIZE - 1);
  t.same(full.host.drops, ['deferred-limit']);
  t.same(run('recirc(1),clone(2),2', { depth: 2 }).host.log, ['recirc:1@3', 'output:2', 'output:2'], 'depth 2 still runs at once');
  t.same(run('clone(2),3', { depth: 4 }).host.log, ['output:2', 'output:3'], 'a clone that cannot change the flow never defers');
  t.end();
});

t.test('a recirculation loop is bounded by the FIFO, not the stack', (t) => {
  const host = new RecordingHost();
  const loop = parseActions('recirc(1)');
  host.onRecirculate = (p: DpPacket, depth: number) => executeActions(host, p, loop, depth);
  executeActions(host, packetFrom(UDP.slice()), loop, 0);
  t.equal(host.recircs.length, 3 + (DEFERRED_FIFO_SIZE - 1) * 3, 'three immediate passes per FIFO entry');
  t.same(host.drops, ['deferred-limit']);
  t.end();
});

t.test('recursion limit', (t) => {
  t.same(run('2', { depth: RECURSION_LIMIT }).host.log, ['drop:recursion-limit']);
  t.same(run('2', { depth: RECURSION_LIMIT - 1 }).host.log, ['output:2']);
  t.end();
});

t.test('clone: nested changes stay in the copy', (t) => {
  const { host, pkt } = run('clone(set(ipv4(dst=1.1.1.1)),push_vlan(vid=5,pcp=0),2),3');
  t.equal(host.outputs[0]?.frame.length, UDP.length + 4);
  t.equal(host.outputs[1]?.frame, pkt.data);
  t.equal(Buffer.from(pkt.data).toString('hex'), Buffer.from(UDP).toString('hex'));
  t.ok(isKeyFresh(pkt));
  t.end();
});

t.test('sample: probability against the injected random source', (t) => {
  const at = (v: number, prob: string, actions = '2') => {
    setSampleRandom(() => v);
    return run(`sample(sample=${prob}%,actions(${actions})),3`).host.log;
  };
  t.same(at(0xffffffff, '100'), ['output:2', 'output:3'], '100% always runs');
  t.same(at(0, '0'), ['output:3'], '0% never runs');
  t.same(at(0x80000000, '50'), ['output:2', 'output:3'], 'draw ≤ probability runs');
  t.same(at(0x80000001, '50'), ['output:3'], 'draw > probability does not');
  setSampleRandom(() => 0xffffffff);
  t.same(run('sample(sample=50%,actions(2))').host.drops, ['last-action'], 'a last sample not taken drops the packet');
  t.same(run('sample(sample=100%,actions(set(ipv4(ttl=3))))').host.drops, [], 'lists inside a sample end silently');
  setSampleRandom();
  t.end();
});

t.test('check_pkt_len compares the whole frame length', (t) => {
  const len = UDP.length;
  t.same(run(`check_pkt_len(size=${len},gt(2),le(3))`).host.log, ['output:3'], 'equal is le');
  t.same(run(`check_pkt_len(size=${len - 1},gt(2),le(3)),4`).host.log, ['output:2', 'output:4']);
  t.end();
});

t.test('hash: dp_hash in metadata and key, symmetric for sym_l4, never 0', (t) => {
  const fwd = run('hash(sym_l4(0)),hash(l4(0)),2');
  const rev = packetFrom(buildPacket(`${E}/IP(src="10.0.0.2",dst="10.0.0.1")/UDP(sport=2000,dport=1000)/Raw(load="${'x'.repeat(100)}")`));
  const host = new RecordingHost();
  executeActions(host, rev, parseActions('hash(sym_l4(0))'), 0);
  const symFwd = run('hash(sym_l4(0))').pkt.md.dpHash;
  t.equal(rev.md.dpHash, symFwd, 'both directions hash alike');
  t.not(fwd.pkt.md.dpHash, symFwd, 'l4 is not symmetric');
  t.equal(fwd.pkt.key.view.getUint32(FlowOffset.dp_hash), fwd.pkt.md.dpHash);
  t.not(run('hash(l4(1))').pkt.md.dpHash, run('hash(l4(2))').pkt.md.dpHash, 'the basis matters');
  t.ok(isKeyFresh(fwd.pkt));
  t.end();
});

t.test('actions the datapath does not execute end in action-error', (t) => {
  for (const a of ['ct', 'ct_clear', 'push_mpls(label=1,tc=0,ttl=64,bos=1,eth_type=0x8847)', 'pop_mpls(eth_type=0x800)', 'pop_eth',
    'push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)', 'set(recirc_id(1))', 'set(in_port(1))']) {
    t.same(run(`${a},2`).host.log, ['drop:action-error'], a);
  }
  t.end();
});
