import t from 'tap';
import { formatOdpActions } from './odp-actions.ts';
import type { OdpAction } from './odp-actions.ts';
import { parseOdpActionList } from './odp-actions-parse.ts';
import { OdpScanner } from './odp-text-scanner.ts';

function parse(text: string): OdpAction[] | string {
  const sc = new OdpScanner(text);
  const r = parseOdpActionList(sc, { depth: 0 });
  return r ?? `error at ${sc.error?.column}: ${sc.error?.message} (${sc.error?.token})`;
}

function roundTrip(text: string): string {
  const r = parse(text);
  return typeof r === 'string' ? r : formatOdpActions(r);
}

t.test('actions OVS 3.1 prints but cannot read back still round trip (format_odp_action syntax)', async (t) => {
  for (const s of [
    'push_mpls(label=10,tc=1,ttl=64,bos=1,eth_type=0x8847)',
    'pop_mpls(eth_type=0x800)',
    'hash(l4(0)),recirc(0x1)',
    'hash(sym_l4(42))',
    'push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),pop_eth',
    'recirc(0x2a)',
    'userspace(pid=1,slow_path(cfm,lacp))',
    'tnl_pop(4)',
    'pop_nsh()',
  ]) {
    t.equal(roundTrip(s), s, s);
  }
});

t.test('printing rules of format_odp_action', async (t) => {
  t.equal(roundTrip(''), 'drop', 'empty list prints drop');
  t.equal(roundTrip('drop'), 'drop');
  t.same(parse('drop'), [], 'drop alone is the empty list');
  t.equal(roundTrip('recirc(7)'), 'recirc(0x7)', 'recirc prints %#x');
  t.equal(roundTrip('push_vlan(tpid=0x8100,vid=5,pcp=1)'), 'push_vlan(vid=5,pcp=1)', 'tpid only when not 0x8100');
  t.equal(roundTrip('push_vlan(vid=0,pcp=0)'), 'push_vlan(vid=0,pcp=0)', 'push_vlan prints vid/pcp even when zero (exact mask)');
  t.equal(roundTrip('push_vlan(vid=0,pcp=0,cfi=0)'), 'push_vlan(vid=0,pcp=0,cfi=0)');
  t.equal(roundTrip('set(ipv4(ttl=7))'), 'set(ipv4(ttl=7))', 'masked set prints only masked fields');
  t.equal(roundTrip('set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0,ttl=64,frag=no))'), 'set(ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6,tos=0,ttl=64,frag=no))',
    'full set prints every field');
  t.equal(roundTrip('set(tcp(src=1/0xff))'), 'set(tcp(src=1/0xff))');
  t.equal(roundTrip('set(skb_mark(0x5))'), 'set(skb_mark(0x5))');
  t.equal(roundTrip('set(eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00))'), 'set(eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00))');
  t.equal(roundTrip('ct'), 'ct');
  t.equal(roundTrip('ct()'), 'ct');
  t.equal(roundTrip('ct(zone=0,commit)'), 'ct(commit)', 'zone 0 is not printed; fixed option order');
  t.equal(roundTrip('ct(nat(dst=10.0.0.1-10.0.0.1:80-80))'), 'ct(nat(dst=10.0.0.1:80))', 'equal range ends print once');
  t.equal(roundTrip('ct(nat(src,persistent))'), 'ct(nat(src))', 'nat flags need an address, as nl_msg_put_ct_nat drops them');
  t.equal(roundTrip('ct(nat(dst=2001:db8::1))'), 'ct(nat(dst=2001:db8::1))', 'no brackets without a port');
  t.equal(roundTrip('ct(mark=0x1)'), 'ct(mark=0x1/0xffffffff)');
  t.equal(roundTrip('sample(sample=12.5%,actions(1))'), 'sample(sample=12.5%,actions(1))');
  t.equal(roundTrip('check_pkt_len(size=100,gt(drop),le(drop))'), 'check_pkt_len(size=100,gt(drop),le(drop))');
  t.equal(roundTrip('clone(clone(1))'), 'clone(clone(1))');
  t.equal(roundTrip('userspace(pid=1,userdata(01))'), 'userspace(pid=1,userdata(0100000000000000))', 'userdata padded to 8 bytes');
  t.equal(roundTrip('userspace(pid=9,controller(reason=0,dont_send=1,continuation=0,recirc_id=3,rule_cookie=0xabc,controller_id=2,max_len=128))'),
    'userspace(pid=9,controller(reason=0,dont_send=1,continuation=0,recirc_id=3,rule_cookie=0xabc,controller_id=2,max_len=128))');
  t.equal(roundTrip('1, 2,\t3'), '1,2,3', 'delimiters');
});

t.test('action errors name the failing action', async (t) => {
  for (const [s, column] of [
    ['1,frob', 3], ['push_vlan(vid=4096,pcp=0)', 1], ['ct(commit,force_commit)', 1], ['clone(1', 1], ['set(encap())', 1],
    ['sample(sample=101%,actions(1))', 1], ['2 3x', 4], ['trunc(x)', 1], ['ct(nat(src=10.0.0.9-10.0.0.1))', 1],
  ] as const) {
    const r = parse(s);
    t.type(r, 'string', s);
    t.match(r, new RegExp(`^error at ${column}:`), s);
  }
});
