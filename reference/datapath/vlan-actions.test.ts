// push_vlan / pop_vlan: wire bytes (the new tag outermost, CFI cleared on
// the wire), and the key kept equal to a fresh extraction or marked stale.
import t from 'tap';
import { FlowOffset } from '../flow/index.ts';
import { buildPacket } from '../packet/index.ts';
import { executeActions } from './execute-actions.ts';
import { RecordingHost, isKeyFresh, packetFrom, parseActions } from './testing/recording-host.ts';

const E = 'Ether(src="02:00:00:00:00:01",dst="02:00:00:00:00:02")';
const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '(none)');

function run(expr: string, actions: string) {
  const host = new RecordingHost();
  const pkt = packetFrom(buildPacket(expr));
  executeActions(host, pkt, parseActions(`${actions},2`), 0);
  return { frame: host.framesTo(2)[0], pkt, host };
}

t.test('push_vlan inserts the tag after the MACs with CFI cleared on the wire', (t) => {
  const r = run(`${E}/IP()/UDP()`, 'push_vlan(vid=10,pcp=5)');
  t.equal(hex(r.frame), hex(buildPacket(`${E}/Dot1Q(vlan=10,prio=5)/IP()/UDP()`)));
  t.ok(isKeyFresh(r.pkt), 'key follows');
  t.equal(r.pkt.key.view.getUint16(FlowOffset.vlan0_tci), 0x1000 | (5 << 13) | 10, 'key TCI has CFI set (present)');
  t.end();
});

t.test('push_vlan onto a tagged frame goes outside; 802.1ad TPID', (t) => {
  const r = run(`${E}/Dot1Q(vlan=20)/IP()/UDP()`, 'push_vlan(tpid=0x88a8,vid=30,pcp=0)');
  t.equal(hex(r.frame), hex(buildPacket(`${E}/Dot1AD(vlan=30)/Dot1Q(vlan=20)/IP()/UDP()`)));
  t.ok(isKeyFresh(r.pkt), 'vlan0 → vlan1 shift matches extraction');
  const three = run(`${E}/Dot1AD(vlan=1)/Dot1Q(vlan=2)/IP()/UDP()`, 'push_vlan(vid=3,pcp=0)');
  t.equal(hex(three.frame), hex(buildPacket(`${E}/Dot1Q(vlan=3)/Dot1AD(vlan=1)/Dot1Q(vlan=2)/IP()/UDP()`)));
  t.equal(three.pkt.keyValid, false, 'a third tag hides L3 from the extractor: key marked stale');
  t.end();
});

t.test('pop_vlan removes the outer tag; untagged frames are left alone', (t) => {
  const r = run(`${E}/Dot1AD(vlan=1)/Dot1Q(vlan=2)/IPv6()/TCP()`, 'pop_vlan');
  t.equal(hex(r.frame), hex(buildPacket(`${E}/Dot1Q(vlan=2)/IPv6()/TCP()`)));
  t.ok(isKeyFresh(r.pkt));
  const twice = run(`${E}/Dot1Q(vlan=2)/IP()/TCP()`, 'pop_vlan,pop_vlan');
  t.equal(hex(twice.frame), hex(buildPacket(`${E}/IP()/TCP()`)), 'second pop is a no-op');
  t.ok(isKeyFresh(twice.pkt));
  t.same(twice.host.drops, []);
  const three = run(`${E}/Dot1AD(vlan=1)/Dot1Q(vlan=2)/Dot1Q(vlan=3)/IP()/TCP()`, 'pop_vlan');
  t.equal(three.pkt.keyValid, false, 'uncovering a third tag marks the key stale');
  t.end();
});

t.test('push then pop restores the frame; set after push finds IPv4 behind the tag', (t) => {
  const r = run(`${E}/IP(ttl=9)/TCP()`, 'push_vlan(vid=4,pcp=0),set(ipv4(ttl=8)),pop_vlan');
  t.equal(hex(r.frame), hex(buildPacket(`${E}/IP(ttl=8)/TCP()`)));
  t.ok(isKeyFresh(r.pkt));
  t.end();
});

t.test('frames without MACs: action-error', (t) => {
  for (const action of ['push_vlan(vid=1,pcp=0)', 'pop_vlan']) {
    const host = new RecordingHost();
    const pkt = packetFrom(new Uint8Array(10));
    executeActions(host, pkt, parseActions(action), 0);
    t.same(host.drops, ['action-error'], action);
  }
  t.end();
});
