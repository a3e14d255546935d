// set / set_masked on real packets: the rewritten frame must equal the
// packet the builder makes with the new field values (the builder computes
// every checksum from scratch, so equality proves the incremental updates),
// decode without checksum complaints, and leave pkt.key equal to a fresh
// extraction.
import t from 'tap';
import { buildPacket, decodePacket } from '../packet/index.ts';
import { executeActions } from './execute-actions.ts';
import { RecordingHost, isKeyFresh, packetFrom, parseActions } from './testing/recording-host.ts';

const E = 'Ether(src="02:00:00:00:00:01",dst="02:00:00:00:00:02")';

/** Runs `actions` followed by output:2 on `expr`; returns the frame sent, the host, and whether the key stayed fresh. */
function run(expr: string, actions: string): { frame: Uint8Array | undefined; host: RecordingHost; keyFresh: boolean } {
  const host = new RecordingHost();
  const pkt = packetFrom(buildPacket(expr));
  executeActions(host, pkt, parseActions(`${actions},2`), 0);
  return { frame: host.framesTo(2)[0], host, keyFresh: isKeyFresh(pkt) };
}

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '(none)');

const cases: Array<[string, string, string, string]> = [
  ['eth src/dst', `${E}/IP()/UDP()`, 'set(eth(src=0a:00:00:00:00:0a,dst=0a:00:00:00:00:0b))',
    'Ether(src="0a:00:00:00:00:0a",dst="0a:00:00:00:00:0b")/IP()/UDP()'],
  ['eth dst masked', `${E}/IP()/UDP()`, 'set(eth(dst=ff:00:00:00:00:ff/ff:00:00:00:00:ff))',
    'Ether(src="02:00:00:00:00:01",dst="ff:00:00:00:00:ff")/IP()/UDP()'],
  ['ipv4 src, tcp', `${E}/IP(src="10.0.0.1")/TCP(sport=1000)`, 'set(ipv4(src=192.168.7.9))', `${E}/IP(src="192.168.7.9")/TCP(sport=1000)`],
  ['ipv4 dst, udp', `${E}/IP(dst="10.0.0.1")/UDP()/Raw(load="hello")`, 'set(ipv4(dst=172.16.5.4))', `${E}/IP(dst="172.16.5.4")/UDP()/Raw(load="hello")`],
  ['ipv4 src masked', `${E}/IP(src="10.1.2.3")/TCP()`, 'set(ipv4(src=192.168.0.0/255.255.0.0))', `${E}/IP(src="192.168.2.3")/TCP()`],
  ['ipv4 icmp (no pseudo header)', `${E}/IP(src="1.1.1.1")/ICMP()`, 'set(ipv4(src=2.2.2.2))', `${E}/IP(src="2.2.2.2")/ICMP()`],
  ['ipv4 sctp (no pseudo header)', `${E}/IP(src="1.1.1.1")/SCTP()`, 'set(ipv4(src=2.2.2.2))', `${E}/IP(src="2.2.2.2")/SCTP()`],
  ['ipv4 tos and ttl', `${E}/IP(tos=0,ttl=64)/TCP()`, 'set(ipv4(tos=0xb8,ttl=9))', `${E}/IP(tos=0xb8,ttl=9)/TCP()`],
  ['ipv4 tos masked (DSCP only)', `${E}/IP(tos=3)/TCP()`, 'set(ipv4(tos=0x28/0xfc))', `${E}/IP(tos=0x2b)/TCP()`],
  ['ipv4 with options', `${E}/IP(src="1.2.3.4",options=[IPOption_NOP(),IPOption_NOP(),IPOption_NOP(),IPOption_EOL()])/TCP()`,
    'set(ipv4(src=4.3.2.1,ttl=1))', `${E}/IP(src="4.3.2.1",ttl=1,options=[IPOption_NOP(),IPOption_NOP(),IPOption_NOP(),IPOption_EOL()])/TCP()`],
  ['vlan-tagged ipv4', `${E}/Dot1Q(vlan=7)/IP(dst="9.9.9.9")/UDP()`, 'set(ipv4(dst=8.8.8.8))', `${E}/Dot1Q(vlan=7)/IP(dst="8.8.8.8")/UDP()`],
  ['ipv6 src, tcp', `${E}/IPv6(src="2001:db8::1")/TCP()`, 'set(ipv6(src=2001:db8::99))', `${E}/IPv6(src="2001:db8::99")/TCP()`],
  ['ipv6 dst, udp', `${E}/IPv6(dst="2001:db8::1")/UDP()/Raw(load="x")`, 'set(ipv6(dst=fe80::1234:5678))', `${E}/IPv6(dst="fe80::1234:5678")/UDP()/Raw(load="x")`],
  ['ipv6 src, icmpv6', `${E}/IPv6(src="2001:db8::1")/ICMPv6EchoRequest(id=7)`, 'set(ipv6(src=2001:db8::2))', `${E}/IPv6(src="2001:db8::2")/ICMPv6EchoRequest(id=7)`],
  ['ipv6 tclass, label, hlimit', `${E}/IPv6(tc=0,fl=0,hlim=64)/TCP()`, 'set(ipv6(label=0xabcde,tclass=0xb8,hlimit=3))',
    `${E}/IPv6(tc=0xb8,fl=0xabcde,hlim=3)/TCP()`],
  ['ipv6 label masked', `${E}/IPv6(fl=0x12345)/TCP()`, 'set(ipv6(label=0xff/0xff))', `${E}/IPv6(fl=0x123ff)/TCP()`],
  ['ipv6 behind extension headers', `${E}/IPv6(src="::1")/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/UDP()`, 'set(ipv6(src=::2))',
    `${E}/IPv6(src="::2")/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/UDP()`],
  ['tcp ports', `${E}/IP()/TCP(sport=1,dport=2)/Raw(load="abc")`, 'set(tcp(src=4000,dst=5000))', `${E}/IP()/TCP(sport=4000,dport=5000)/Raw(load="abc")`],
  ['tcp dst masked', `${E}/IP()/TCP(dport=0x1234)`, 'set(tcp(dst=0xff/0xff))', `${E}/IP()/TCP(dport=0x12ff)`],
  ['udp ports', `${E}/IP()/UDP(sport=1,dport=2)`, 'set(udp(src=53,dst=5353))', `${E}/IP()/UDP(sport=53,dport=5353)`],
  ['udp over ipv6', `${E}/IPv6()/UDP(sport=1)`, 'set(udp(src=9))', `${E}/IPv6()/UDP(sport=9)`],
  ['sctp ports', `${E}/IP()/SCTP(sport=5,dport=6)`, 'set(sctp(src=100,dst=200))', `${E}/IP()/SCTP(sport=100,dport=200)`],
  ['sctp over ipv6', `${E}/IPv6()/SCTP(sport=5)`, 'set(sctp(src=7))', `${E}/IPv6()/SCTP(sport=7)`],
  ['icmp type/code', `${E}/IP()/ICMP(type=8,code=0,id=5)`, 'set(icmp(type=0,code=0))', `${E}/IP()/ICMP(type=0,code=0,id=5)`],
  ['icmpv6 type', `${E}/IPv6()/ICMPv6EchoRequest(id=1,seq=2)`, 'set(icmpv6(type=129))', `${E}/IPv6()/ICMPv6EchoReply(id=1,seq=2)`],
  ['arp fields', `${E}/ARP(op=1,hwsrc="02:00:00:00:00:01",psrc="1.1.1.1",pdst="2.2.2.2")`,
    'set(arp(sip=9.9.9.9,tip=8.8.8.8,op=2,sha=0a:0a:0a:0a:0a:0a,tha=0b:0b:0b:0b:0b:0b))',
    `${E}/ARP(op=2,hwsrc="0a:0a:0a:0a:0a:0a",psrc="9.9.9.9",hwdst="0b:0b:0b:0b:0b:0b",pdst="8.8.8.8")`],
  ['arp op > 255', `${E}/ARP(op=1)`, 'set(arp(op=0x1234))', `${E}/ARP(op=0x1234)`],
  ['nd target and sll', `${E}/IPv6(dst="ff02::1")/ICMPv6ND_NS(tgt="fe80::1")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")`,
    'set(nd(target=fe80::99,sll=0a:00:00:00:00:0a))',
    `${E}/IPv6(dst="ff02::1")/ICMPv6ND_NS(tgt="fe80::99")/ICMPv6NDOptSrcLLAddr(lladdr="0a:00:00:00:00:0a")`],
  ['nd tll on an advertisement', `${E}/IPv6()/ICMPv6ND_NA(tgt="fe80::1")/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:01")`,
    'set(nd(tll=0c:00:00:00:00:0c))', `${E}/IPv6()/ICMPv6ND_NA(tgt="fe80::1")/ICMPv6NDOptDstLLAddr(lladdr="0c:00:00:00:00:0c")`],
  ['nd sll absent: target only', `${E}/IPv6()/ICMPv6ND_NS(tgt="fe80::1")`, 'set(nd(target=fe80::2,sll=0a:00:00:00:00:0a))',
    `${E}/IPv6()/ICMPv6ND_NS(tgt="fe80::2")`],
];

t.test('each rewrite gives the packet the builder makes, and keeps the key fresh', (t) => {
  for (const [name, before, actions, after] of cases) {
    const { frame, host, keyFresh } = run(before, actions);
    t.equal(hex(frame), hex(buildPacket(after)), `${name}: bytes`);
    t.same(frame ? decodePacket(frame).issues : ['no frame'], [], `${name}: decodes cleanly`);
    t.same(host.drops, [], `${name}: no drop`);
    t.ok(keyFresh, `${name}: pkt.key equals a fresh extraction`);
  }
  t.end();
});

t.test('unmasked set writes every sub-field but proto and frag', (t) => {
  const { frame, keyFresh } = run(`${E}/IP(src="1.1.1.1",dst="2.2.2.2",tos=0,ttl=64)/TCP()`,
    'set(ipv4(src=3.3.3.3,dst=4.4.4.4,proto=17,tos=0x10,ttl=5,frag=later))');
  t.equal(hex(frame), hex(buildPacket(`${E}/IP(src="3.3.3.3",dst="4.4.4.4",tos=0x10,ttl=5)/TCP()`)));
  t.ok(keyFresh);
  t.end();
});

t.test('checksums the kernel leaves alone or carries through', (t) => {
  const zero = run(`${E}/IP(src="1.1.1.1")/UDP(sport=1,chksum=0)`, 'set(ipv4(src=2.2.2.2)),set(udp(src=7))');
  t.equal(hex(zero.frame), hex(buildPacket(`${E}/IP(src="2.2.2.2")/UDP(sport=7,chksum=0)`)), 'a zero UDP checksum stays zero (IPv4)');
  const zero6 = run(`${E}/IPv6(src="::1")/UDP(chksum=0)`, 'set(ipv6(src=::2))');
  t.equal(hex(zero6.frame), hex(buildPacket(`${E}/IPv6(src="::2")/UDP(chksum=0)`)), 'a zero UDP checksum stays zero over IPv6 too (kernel)');
  const badTcp = run(`${E}/IP(src="1.1.1.1")/TCP(chksum=0x1234)`, 'set(ipv4(src=2.2.2.2))');
  const goodTcp = buildPacket(`${E}/IP(src="2.2.2.2")/TCP()`);
  const orig = buildPacket(`${E}/IP(src="1.1.1.1")/TCP()`);
  const err = (0x1234 - ((orig[50]! << 8) | orig[51]!)) & 0xffff;
  const got = ((badTcp.frame![50]! << 8) | badTcp.frame![51]!);
  t.equal((got - ((goodTcp[50]! << 8) | goodTcp[51]!)) & 0xffff, err, 'a wrong TCP checksum stays wrong by the same amount');
  const badSctp = run(`${E}/IP()/SCTP(sport=5,chksum=0x11111111)`, 'set(sctp(src=6))');
  const fixed = buildPacket(`${E}/IP()/SCTP(sport=6)`);
  const before = buildPacket(`${E}/IP()/SCTP(sport=5)`);
  const x = (b: Uint8Array): number => b.subarray(42, 46).reduce((a, v) => a * 256 + v, 0);
  t.equal((x(badSctp.frame!) ^ x(fixed)) >>> 0, (0x11111111 ^ x(before)) >>> 0, 'a wrong SCTP CRC stays wrong by the same bits');
  const later = run(`${E}/IP(src="1.1.1.1",frag=10,proto=6)/Raw(load="abcdefghijklmnopqrstuvwx")`, 'set(ipv4(src=2.2.2.2))');
  t.equal(hex(later.frame), hex(buildPacket(`${E}/IP(src="2.2.2.2",frag=10,proto=6)/Raw(load="abcdefghijklmnopqrstuvwx")`)),
    'a later fragment: IP header only, no transport checksum touched');
  t.ok(later.keyFresh);
  t.end();
});

t.test('IPv6 destination behind a routing header with segments left: transport checksum untouched', (t) => {
  const before = buildPacket(`${E}/IPv6(dst="::1")/IPv6ExtHdrRouting(addresses=["::5"],segleft=1)/UDP()`);
  const { frame } = run(`${E}/IPv6(dst="::1")/IPv6ExtHdrRouting(addresses=["::5"],segleft=1)/UDP()`, 'set(ipv6(dst=::2))');
  t.equal(hex(frame?.subarray(frame.length - 8)), hex(before.subarray(before.length - 8)), 'UDP header unchanged');
  const done = run(`${E}/IPv6(dst="::1")/IPv6ExtHdrRouting(addresses=["::5"],segleft=0)/UDP()`, 'set(ipv6(dst=::2))');
  t.equal(hex(done.frame), hex(buildPacket(`${E}/IPv6(dst="::2")/IPv6ExtHdrRouting(addresses=["::5"],segleft=0)/UDP()`)),
    'no segments left: the checksum follows the new destination');
  t.end();
});

t.test('packets without the header end in action-error and stop', (t) => {
  const refused: Array<[string, string]> = [
    [`${E}/IPv6()/TCP()`, 'set(ipv4(ttl=1))'],
    [`${E}/IP()/TCP()`, 'set(ipv6(hlimit=1))'],
    [`${E}/IP()/UDP()`, 'set(tcp(src=1))'],
    [`${E}/IP()/TCP()`, 'set(udp(src=1))'],
    [`${E}/IPv6()/ICMPv6EchoRequest()`, 'set(icmp(type=1))'],
    [`${E}/IP()/ICMP()`, 'set(icmpv6(type=1))'],
    [`${E}/IPv6()/ICMPv6EchoRequest()`, 'set(nd(target=::1))'],
    [`${E}/IP()/TCP()`, 'set(arp(op=1))'],
    [`${E}/IP(frag=10,proto=6)/Raw(load="abcdefghijklmnopqrstuvwx")`, 'set(tcp(src=1))'],
    [`${E}/ARP(ptype=0x86dd,plen=16)`, 'set(arp(op=2))'],
    [`${E}/IP()/TCP()`, 'set(vlan(vid=5))'],
  ];
  for (const [expr, actions] of refused) {
    const { frame, host } = run(expr, actions);
    t.same(host.drops, ['action-error'], `${expr} ${actions}: action-error`);
    t.equal(frame, undefined, 'nothing sent after the failed action');
  }
  const short = packetFrom(buildPacket(`${E}/IP()/TCP()`).subarray(0, 40));
  const host = new RecordingHost();
  executeActions(host, short, parseActions('set(tcp(src=1)),2'), 0);
  t.same(host.drops, ['action-error'], 'a truncated TCP header');
  t.end();
});

t.test('skb_priority and skb_mark change metadata and key, masked', (t) => {
  const host = new RecordingHost();
  const pkt = packetFrom(buildPacket(`${E}/IP()/TCP()`), { skbMark: 0xff00 });
  executeActions(host, pkt, parseActions('set(skb_priority(0x7)),set(skb_mark(0x12/0xff)),2'), 0);
  t.equal(pkt.md.skbPriority, 7);
  t.equal(pkt.md.skbMark, 0xff12);
  t.ok(isKeyFresh(pkt));
  t.end();
});

t.test('a stale key is left alone by rewrites', (t) => {
  const pkt = packetFrom(buildPacket(`${E}/IP(src="1.1.1.1")/TCP()`));
  pkt.keyValid = false;
  const keyBefore = pkt.key.toHex();
  executeActions(new RecordingHost(), pkt, parseActions('set(ipv4(src=2.2.2.2)),2'), 0);
  t.equal(pkt.key.toHex(), keyBefore);
  t.equal(pkt.keyValid, false);
  t.end();
});
