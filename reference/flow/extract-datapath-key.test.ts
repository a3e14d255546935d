// Kernel datapath key extraction (Linux net/openvswitch/flow.c key_extract).
// Packets where the kernel and userspace agree are compared with
// extractFlow; every documented difference is asserted on both sides.
import t from 'tap';
import { FlowKey } from './flow-key.ts';
import { getField } from './field-access.ts';
import { extractFlow } from './extract-flow.ts';
import { extractDatapathKey } from './extract-datapath-key.ts';
import {
  arp, eth, eth8023, ext, frag6, hex, icmp, igmp, ipv4, ipv6, mpls, nd, ndOpt, sctp, tcp, udp,
} from './extract-test-packets.ts';

const md = { inPort: 3, skbPriority: 5, pktMark: 0x77, recircId: 2, dpHash: 9, ctState: 0x21, ctZone: 4, ctMark: 8 };
const dp = new FlowKey();
const us = new FlowKey();
const runDp = (b: readonly number[]) => extractDatapathKey(Uint8Array.from(b), dp, md);
const runUs = (b: readonly number[]) => extractFlow(Uint8Array.from(b), us, md, { vlanLimit: 2 });

const ND_TARGET = 'fe800000000000000000000000000001';
const agreeing: Array<[string, number[]]> = [
  ['tcp', eth(0x0800, ipv4({ proto: 6, tos: 3, ttl: 9 }, tcp(1, 2, 0x1ff)))],
  ['tcp options', eth(0x0800, ipv4({ proto: 6, options: [1, 1, 1, 0] }, tcp(1, 2, 0x18, 7, new Array<number>(8).fill(1))))],
  ['udp first fragment', eth(0x0800, ipv4({ proto: 17, fragWord: 0x2000 }, udp(1, 2)))],
  ['udp later fragment', eth(0x0800, ipv4({ proto: 17, fragWord: 0x2004 }, udp(1, 2)))],
  ['sctp', eth(0x0800, ipv4({ proto: 132 }, sctp(3, 4)))],
  ['icmp', eth(0x0800, ipv4({ proto: 1 }, icmp(0, 0)))],
  ['truncated tcp', eth(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 2).slice(0, 12)))],
  ['ihl 4', eth(0x0800, ipv4({ proto: 6, ihl: 4 }, tcp(1, 2, 2)))],
  ['short ipv4', eth(0x0800, [0x45, 0, 0])],
  ['vlan', eth(0x0800, ipv4({ proto: 17 }, udp(1, 2)), [[0x8100, 0xe00a]])],
  ['qinq', eth(0x86dd, ipv6({ nh: 17 }, udp(1, 2)), [[0x88a8, 1], [0x8100, 2]])],
  ['triple tag', eth(0x0800, [], [[0x88a8, 1], [0x8100, 2], [0x8100, 3]])],
  ['llc', eth8023([0x42, 0x42, 0x03], new Array<number>(30).fill(0))],
  ['snap', eth8023(hex('aaaa03 000000 0806'), arp(1))],
  ['arp', eth(0x0806, arp(2, '00:00:00:00:00:07', '1.2.3.4', '00:00:00:00:00:08', '5.6.7.8'))],
  ['arp op > 255', eth(0x0806, arp(0x1234))],
  ['arp plen 16', eth(0x0806, arp(1, undefined, undefined, undefined, undefined, 1, 0x0800, 6, 16))],
  ['rarp', eth(0x8035, arp(4))],
  ['mpls', eth(0x8847, [...mpls(1, 2, false, 3), ...mpls(4, 5, false, 6), ...mpls(7, 0, false, 8), ...mpls(9, 1, true, 1)])],
  ['mpls truncated', eth(0x8847, [...mpls(1, 2, false, 3), 0])],
  ['ipv6 tcp', eth(0x86dd, ipv6({ nh: 6, tc: 0xff, label: 0xfffff }, tcp(9, 10, 0x11)))],
  ['ipv6 ext chain', eth(0x86dd, ipv6({ nh: 0 }, [...ext(60), ...ext(43, 1), ...ext(17), ...udp(5, 6)]))],
  ['ipv6 first frag', eth(0x86dd, ipv6({ nh: 44 }, [...frag6(6, 0x0001), ...tcp(5, 6, 2)]))],
  ['ipv6 later frag', eth(0x86dd, ipv6({ nh: 44 }, [...frag6(6, 0x0011), ...tcp(5, 6, 2)]))],
  ['icmpv6 echo', eth(0x86dd, ipv6({ nh: 58 }, [128, 0, 0, 0, 0, 0, 0, 0]))],
  ['nd other option', eth(0x86dd, ipv6({ nh: 58 }, nd(136, ND_TARGET, ndOpt(3, '00:00:00:00:00:02', 4))))],
  ['nd zero-length option', eth(0x86dd, ipv6({ nh: 58 }, nd(135, ND_TARGET, [5, 0, 0, 0, 0, 0, 0, 0])))],
  ['nd short target', eth(0x86dd, ipv6({ nh: 58 }, nd(135, ND_TARGET).slice(0, 20)))],
  ['unknown ethertype', eth(0x88cc, [1, 2, 3])],
];

t.test('kernel and userspace agree on well-formed and many malformed packets', (t) => {
  for (const [name, bytes] of agreeing) {
    const a = runDp(bytes);
    const b = runUs(bytes);
    t.equal(a, b, `${name}: same result (${a})`);
    t.equal(dp.toHex(), us.toHex(), `${name}: same key`);
  }
  t.end();
});

t.test('metadata is copied', (t) => {
  runDp(eth(0x0800, ipv4({ proto: 17 }, udp(1, 2))));
  t.same([getField(dp, 'in_port'), getField(dp, 'skb_priority'), getField(dp, 'pkt_mark'), getField(dp, 'recirc_id'),
    getField(dp, 'dp_hash'), getField(dp, 'ct_state'), getField(dp, 'ct_zone'), getField(dp, 'ct_mark')], [3, 5, 0x77, 2, 9, 0x21, 4, 8]);
  t.end();
});

t.test('difference: frames under 14 bytes', (t) => {
  t.equal(runDp([1, 2, 3]), 'truncated-l2', 'kernel rejects (the packet is dropped)');
  t.equal(runUs([1, 2, 3]), 'truncated-l2');
  t.equal(getField(dp, 'in_port'), 3);
  t.end();
});

t.test('difference: SNAP control byte', (t) => {
  const pkt = eth8023(hex('aaaa13 000000 0800'), ipv4({ proto: 17 }, udp(1, 2)));
  runDp(pkt);
  runUs(pkt);
  t.equal(getField(dp, 'dl_type'), 0x0800, 'kernel ignores the control byte');
  t.equal(getField(dp, 'tp_dst'), 2);
  t.equal(getField(us, 'dl_type'), 0x05ff, 'userspace requires 0x03');
  t.end();
});

t.test('difference: IPv4 total length and padding', (t) => {
  const shortTot = eth(0x0800, ipv4({ proto: 17, totLen: 20 }, udp(1, 2)));
  t.equal(runDp(shortTot), 'ok');
  t.equal(getField(dp, 'tp_src'), 1, 'kernel reads UDP from what userspace calls padding');
  t.equal(runUs(shortTot), 'truncated-l4');
  t.equal(getField(us, 'tp_src'), 0);
  const longTot = eth(0x0800, ipv4({ proto: 17, totLen: 1000 }, udp(1, 2)));
  t.equal(runDp(longTot), 'ok', 'kernel does not read total length');
  t.equal(getField(dp, 'nw_src'), 0x0a000001);
  t.equal(runUs(longTot), 'bad-ip-header');
  t.equal(getField(us, 'nw_src'), 0);
  const tinyTot = eth(0x0800, ipv4({ proto: 17, totLen: 8 }, udp(1, 2)));
  t.equal(runDp(tinyTot), 'ok');
  t.equal(runUs(tinyTot), 'bad-ip-header', 'total length < ihl');
  t.end();
});

t.test('difference: IPv6 payload length', (t) => {
  const long = eth(0x86dd, ipv6({ nh: 17, plen: 500 }, udp(1, 2)));
  t.equal(runDp(long), 'ok');
  t.equal(getField(dp, 'tp_dst'), 2);
  t.equal(runUs(long), 'bad-ip-header');
  t.equal(getField(us, 'ipv6_src'), 0n);
  const short = eth(0x86dd, ipv6({ nh: 17, plen: 0 }, udp(1, 2)));
  t.equal(runDp(short), 'ok');
  t.equal(getField(dp, 'tp_dst'), 2);
  t.equal(runUs(short), 'truncated-l4');
  t.end();
});

t.test('difference: IPv6 extension header walk', (t) => {
  // Destination options header claiming 32 bytes with only 8 present.
  const cut = eth(0x86dd, ipv6({ nh: 60, tc: 0x10, label: 5, hlim: 7 }, ext(17, 3).slice(0, 8)));
  t.equal(runDp(cut), 'truncated-l4', 'kernel only needs the first two bytes; the walk ends past the data with proto 17');
  t.equal(getField(dp, 'nw_proto'), 17);
  t.equal(getField(dp, 'tp_src'), 0, 'no UDP header there');
  t.equal(runUs(cut), 'bad-ipv6-ext-header');
  t.same([getField(us, 'nw_proto'), getField(us, 'ipv6_label'), getField(us, 'nw_ttl')], [0, 0, 0], 'userspace keeps only addresses');
  t.equal(getField(us, 'ipv6_src'), getField(dp, 'ipv6_src'));

  const oneByte = eth(0x86dd, ipv6({ nh: 60, tc: 0x10, label: 5, hlim: 7 }, [17]));
  t.equal(runDp(oneByte), 'bad-ipv6-ext-header');
  t.same([getField(dp, 'nw_proto'), getField(dp, 'ipv6_label'), getField(dp, 'nw_ttl'), getField(dp, 'nw_tos')], [59, 5, 7, 0x10],
    'kernel keeps label/hlimit/tclass with proto 59 (NONE)');

  const atomic = eth(0x86dd, ipv6({ nh: 44 }, [...frag6(17, 0), ...udp(1, 2)]));
  runDp(atomic);
  runUs(atomic);
  t.equal(getField(dp, 'nw_frag'), 1, 'kernel: any fragment header with offset 0 is a first fragment');
  t.equal(getField(us, 'nw_frag'), 0, 'userspace: offset/flags word 0 is no fragment');
  t.equal(getField(dp, 'tp_src'), 1);

  const laterThenExt = eth(0x86dd, ipv6({ nh: 44 }, [...frag6(60, 0x0100), ...ext(17), ...udp(1, 2)]));
  t.equal(runDp(laterThenExt), 'bad-ipv6-ext-header');
  t.same([getField(dp, 'nw_frag'), getField(dp, 'nw_proto')], [1, 59], 'kernel: ipv6_find_hdr gives up → first, proto 59');
  t.equal(runUs(laterThenExt), 'ok');
  t.same([getField(us, 'nw_frag'), getField(us, 'nw_proto')], [3, 44], 'userspace: later, proto 44');
  t.end();
});

t.test('difference: L4 dispatch (IGMP, ICMP in IPv6, ICMPv6 in IPv4)', (t) => {
  const ig = eth(0x0800, ipv4({ proto: 2 }, igmp(0x11, '0.0.0.0')));
  runDp(ig);
  runUs(ig);
  t.equal(getField(dp, 'tp_src'), 0, 'kernel ignores IGMP');
  t.equal(getField(us, 'tp_src'), 0x11);
  const icmpIn6 = eth(0x86dd, ipv6({ nh: 1 }, icmp(8, 0)));
  runDp(icmpIn6);
  runUs(icmpIn6);
  t.equal(getField(dp, 'tp_src'), 0);
  t.equal(getField(us, 'tp_src'), 8);
  const icmp6In4 = eth(0x0800, ipv4({ proto: 58 }, [129, 0, 0, 0, 0, 0, 0, 0]));
  runDp(icmp6In4);
  runUs(icmp6In4);
  t.equal(getField(dp, 'tp_src'), 0);
  t.equal(getField(us, 'tp_src'), 129);
  t.end();
});

t.test('difference: ND options type and VLAN limit', (t) => {
  const ns = eth(0x86dd, ipv6({ nh: 58 }, nd(135, ND_TARGET, ndOpt(1, '00:00:00:00:00:09'))));
  runDp(ns);
  runUs(ns);
  t.equal(getField(dp, 'nd_sll'), 9n);
  t.equal(getField(dp, 'tcp_flags'), 0, 'kernel has no nd_options_type');
  t.equal(getField(us, 'tcp_flags'), 1);
  const dup = eth(0x86dd, ipv6({ nh: 58 }, nd(135, ND_TARGET, [...ndOpt(1, '00:00:00:00:00:01'), ...ndOpt(1, '00:00:00:00:00:02')])));
  t.equal(runDp(dup), 'bad-nd-options');
  t.equal(runUs(dup), 'bad-nd-options');
  t.same([getField(dp, 'nd_target'), getField(dp, 'nd_sll'), getField(us, 'nd_target'), getField(us, 'nd_sll')], [0n, 0n, 0n, 0n], 'both clear target and SLL');
  t.same([getField(dp, 'tcp_flags'), getField(us, 'tcp_flags')], [0, 1], 'userspace keeps the options type of the first SLL');
  const qinq = eth(0x0800, ipv4({ proto: 17 }, udp(1, 2)), [[0x8100, 1], [0x8100, 2]]);
  runDp(qinq);
  extractFlow(Uint8Array.from(qinq), us, md, { vlanLimit: 1 });
  t.equal(getField(dp, 'dl_type'), 0x0800, 'kernel always parses two tags');
  t.equal(getField(us, 'dl_type'), 0x8100, 'userspace with vlan-limit 1 stops after one');
  t.end();
});

t.test('never throws on any truncation', (t) => {
  let n = 0;
  for (const [, bytes] of agreeing) {
    for (let i = 0; i <= bytes.length; i++) {
      runDp(bytes.slice(0, i));
      n++;
    }
  }
  t.ok(n > 1000, `${n} truncations`);
  t.end();
});
