/**
 * netdev-dummy/receive: hex input, flows turned into packets (the bytes
 * themselves are checked against Open vSwitch in flow-compose.test.ts),
 * `--qid`/`--len`, OVS's error texts, delivery to the datapath in order.
 */
import t from 'tap';
import { frameFromHex, netdevDummyReceive } from './netdev-dummy-receive.ts';
import { Datapath } from '../datapath/index.ts';
import { parseFlowArgs } from './flow-args.ts';


t.test('hex frames: pairs with blanks between, at least an Ethernet header', async (t) => {
  t.same(frameFromHex('ffffffffffff 020000000001 88b5'), Uint8Array.from([255, 255, 255, 255, 255, 255, 2, 0, 0, 0, 0, 1, 0x88, 0xb5]));
  t.equal(frameFromHex('ffffffffffff020000000001'), undefined, 'shorter than 14 bytes');
  t.equal(frameFromHex('fffffffffffff020000000001 88b5'), undefined, 'odd digit run');
  t.equal(frameFromHex('in_port(1)'), undefined);
});

t.test('the command: errors in OVS words, frames delivered in order', async (t) => {
  const dp = new Datapath();
  t.teardown(() => dp.close());
  await dp.vportNew({ name: 'p1', type: 'dummy' });
  await dp.vportNew({ name: 'p2', type: 'dummy' });
  const args = parseFlowArgs('eth()', '2');
  const flood = args.ok ? dp.flowPut({ key: args.value.key, actions: args.value.actions, create: true, modify: false }) : args;
  t.same(flood.ok, true, 'catch-all flow to p2');
  const frame = 'ffffffffffff02000000000188b5' + '00'.repeat(46);
  t.same(netdevDummyReceive(dp, ['p9', frame]), { ok: false, text: 'no such dummy netdev' });
  t.same(netdevDummyReceive(dp, ['p1', '--qid', '1', frame]), { ok: false, text: 'bad rx queue id.' });
  t.same(netdevDummyReceive(dp, ['p1', 'in_port(1),eth_type(0x0800)', '--len', '20']), { ok: false, text: 'too small packet len' });
  t.match(netdevDummyReceive(dp, ['p1', 'zzz']), { ok: false, text: /^column 1: / });
  t.same(dp.dummySent('p2'), []);
  t.same(netdevDummyReceive(dp, ['p1', '--qid', '0', frame, 'eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x88b5)', 'eth_type(0x88b5)', '--len', '64']), { ok: true, text: '' });
  t.same(dp.dummySent('p2')?.map((f) => f.length), [60, 14, 64], 'in order, through the catch-all flow');
  t.same(netdevDummyReceive(dp, ['ovs-system', frame]).ok, true, 'internal ports take packets too');
  t.equal(dp.dummySent('p2')?.length, 4);
});
