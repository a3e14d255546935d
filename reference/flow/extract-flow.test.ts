// Userspace extraction (flow_extract semantics). Expected values are the
// header fields the packets were built with (RFC layouts); the same packets
// are checked against Open vSwitch itself in extract-flow.ovs.test.ts.
import t from 'tap';
import { FlowKey } from './flow-key.ts';
import { getField } from './field-access.ts';
import { extractFlow } from './extract-flow.ts';
import {
  arp, eth, eth8023, ext, frag6, hex, icmp, igmp, ipv4, ipv6, mpls, nd, ndOpt, sctp, tcp, udp,
} from './extract-test-packets.ts';

const md = { inPort: 7 };
const MAC = '00:00:00:00:00:0c';
const key = new FlowKey();
const run = (bytes: readonly number[], vlanLimit = 2) => extractFlow(Uint8Array.from(bytes), key, md, { vlanLimit });

t.test('TCP over IPv4: addresses, tos, ttl, ports, flags', (t) => {
  // 00:00:00:00:00:01 > 00:00:00:00:00:02, 10.0.0.1.1234 > 10.0.0.2.80: Flags [S]
  t.equal(run(eth(0x0800, ipv4({ proto: 6, tos: 0xb9, ttl: 33 }, tcp(1234, 80, 0x002)))), 'ok');
  t.equal(getField(key, 'in_port'), 7);
  t.equal(getField(key, 'dl_src'), 0x000000000001n);
  t.equal(getField(key, 'dl_dst'), 0x000000000002n);
  t.equal(getField(key, 'dl_type'), 0x0800);
  t.equal(getField(key, 'vlan_tci'), 0);
  t.equal(getField(key, 'nw_src'), 0x0a000001);
  t.equal(getField(key, 'nw_dst'), 0x0a000002);
  t.equal(getField(key, 'nw_tos'), 0xb8);
  t.equal(getField(key, 'nw_ecn'), 1);
  t.equal(getField(key, 'nw_ttl'), 33);
  t.equal(getField(key, 'nw_proto'), 6);
  t.equal(getField(key, 'nw_frag'), 0);
  t.equal(getField(key, 'tp_src'), 1234);
  t.equal(getField(key, 'tp_dst'), 80);
  t.equal(getField(key, 'tcp_flags'), 0x002);
  t.equal(run(eth(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 0xfff)))), 'ok');
  t.equal(getField(key, 'tcp_flags'), 0xfff, 'all 12 flag bits (NS through FIN)');
  t.end();
});

t.test('UDP, SCTP, ICMP, IGMP', (t) => {
  t.equal(run(eth(0x0800, ipv4({ proto: 17 }, udp(53, 5353)))), 'ok');
  t.same([getField(key, 'tp_src'), getField(key, 'tp_dst')], [53, 5353]);
  t.equal(run(eth(0x0800, ipv4({ proto: 132 }, sctp(9, 10)))), 'ok');
  t.same([getField(key, 'tp_src'), getField(key, 'tp_dst')], [9, 10]);
  t.equal(run(eth(0x0800, ipv4({ proto: 1 }, icmp(8, 3)))), 'ok');
  t.same([getField(key, 'icmp_type'), getField(key, 'icmp_code')], [8, 3]);
  t.equal(run(eth(0x0800, ipv4({ proto: 2 }, igmp(0x16, '224.1.1.1')))), 'ok');
  t.same([getField(key, 'tp_src'), getField(key, 'tp_dst')], [0x16, 0], 'userspace reads IGMP type/code');
  t.end();
});

t.test('truncated and malformed L4', (t) => {
  t.equal(run(eth(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 2).slice(0, 19)))), 'truncated-l4');
  t.equal(getField(key, 'tp_src'), 0);
  t.equal(getField(key, 'nw_proto'), 6, 'L3 kept');
  t.equal(run(eth(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 2, 4)))), 'truncated-l4', 'data offset < 5');
  t.equal(run(eth(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 2, 6)))), 'truncated-l4', 'options past the data');
  t.equal(run(eth(0x0800, ipv4({ proto: 6 }, tcp(1, 2, 2, 6, [1, 1, 1, 1])))), 'ok');
  t.equal(run(eth(0x0800, ipv4({ proto: 17 }, udp(1, 2).slice(0, 7)))), 'truncated-l4');
  t.equal(run(eth(0x0800, ipv4({ proto: 132 }, sctp(1, 2).slice(0, 11)))), 'truncated-l4');
  t.equal(run(eth(0x0800, ipv4({ proto: 1 }, icmp(8, 0).slice(0, 7)))), 'truncated-l4');
  t.end();
});

t.test('IPv4 header checks and Ethernet padding', (t) => {
  const good = eth(0x0800, ipv4({ proto: 17 }, udp(1, 2)));
  t.equal(run(good.slice(0, 14 + 19)), 'truncated-l3');
  t.equal(getField(key, 'dl_type'), 0x0800);
  t.equal(getField(key, 'nw_src'), 0);
  t.equal(run(eth(0x0800, ipv4({ proto: 17, ihl: 4 }, udp(1, 2)))), 'bad-ip-header');
  t.equal(getField(key, 'nw_src'), 0, 'ihl < 5: no L3 fields');
  t.equal(run(eth(0x0800, ipv4({ proto: 17, ihl: 15 }, udp(1, 2)))), 'bad-ip-header', 'ihl beyond the frame');
  t.equal(run(eth(0x0800, ipv4({ proto: 17, totLen: 100 }, udp(1, 2)))), 'bad-ip-header', 'total length beyond frame');
  t.equal(run(eth(0x0800, ipv4({ proto: 17, totLen: 19 }, udp(1, 2)))), 'bad-ip-header', 'total length < ihl');
  t.equal(getField(key, 'nw_ttl'), 0);
  // Total length covers only the IP header; the UDP header sits in "padding".
  t.equal(run(eth(0x0800, ipv4({ proto: 17, totLen: 20 }, udp(1, 2)))), 'truncated-l4');
  t.equal(getField(key, 'nw_src'), 0x0a000001);
  t.equal(getField(key, 'tp_src'), 0, 'padding is never parsed as L4');
  // 60-byte frame with padding after a complete packet.
  t.equal(run([...eth(0x0800, ipv4({ proto: 17 }, udp(1, 2))), ...new Array<number>(18).fill(0xee)]), 'ok');
  t.equal(getField(key, 'tp_dst'), 2);
  t.equal(run(eth(0x0800, ipv4({ proto: 6, options: [1, 1, 1, 0] }, tcp(5, 6, 0x10)))), 'ok', 'IP options skipped');
  t.equal(getField(key, 'tp_src'), 5);
  t.end();
});

t.test('IPv4 fragments', (t) => {
  t.equal(run(eth(0x0800, ipv4({ proto: 17, fragWord: 0x2000 }, udp(1, 2)))), 'ok');
  t.equal(getField(key, 'nw_frag'), 1, 'first');
  t.equal(getField(key, 'tp_src'), 1);
  t.equal(run(eth(0x0800, ipv4({ proto: 17, fragWord: 0x0010 }, udp(1, 2)))), 'ok');
  t.equal(getField(key, 'nw_frag'), 3, 'later');
  t.equal(getField(key, 'tp_src'), 0, 'no ports for later fragments');
  t.equal(getField(key, 'nw_proto'), 17);
  t.equal(run(eth(0x0800, ipv4({ proto: 17, fragWord: 0x4000 }, udp(1, 2)))), 'ok');
  t.equal(getField(key, 'nw_frag'), 0, 'DF alone is not a fragment');
  t.end();
});

t.test('VLAN tags, CFI bit, vlan limit', (t) => {
  t.equal(run(eth(0x0800, ipv4({ proto: 17 }, udp(1, 2)), [[0x8100, 0xa005]])), 'ok');
  t.equal(getField(key, 'vlan_tci'), 0xb005, 'CFI set to mark presence');
  t.equal(getField(key, 'dl_vlan'), 5);
  t.equal(getField(key, 'dl_vlan_pcp'), 5);
  const qinq = eth(0x0800, ipv4({ proto: 17 }, udp(1, 2)), [[0x88a8, 0x0064], [0x8100, 0x00c8]]);
  t.equal(run(qinq), 'ok');
  t.equal(key.view.getUint16(144), 0x88a8);
  t.equal(key.view.getUint16(146), 0x1064);
  t.equal(key.view.getUint16(148), 0x8100);
  t.equal(key.view.getUint16(150), 0x10c8);
  t.equal(getField(key, 'tp_dst'), 2);
  t.equal(run(qinq, 1), 'ok');
  t.equal(getField(key, 'dl_type'), 0x8100, 'vlan-limit=1: the inner TPID becomes dl_type');
  t.equal(key.view.getUint16(150), 0);
  t.equal(getField(key, 'nw_src'), 0);
  t.equal(run(eth(0x8100, [0x00, 0x05, 0x08, 0x00])), 'truncated-l3', 'tag with ethertype but no IPv4');
  t.equal(getField(key, 'vlan_tci'), 0x1005);
  t.equal(run(eth(0x8100, [0x00, 0x05])), 'ok', 'tag without a following type is not taken');
  t.equal(getField(key, 'vlan_tci'), 0);
  t.equal(getField(key, 'dl_type'), 0x8100);
  t.end();
});

t.test('802.3, LLC and SNAP', (t) => {
  t.equal(run(eth8023([0x42, 0x42, 0x03], new Array<number>(40).fill(0))), 'ok');
  t.equal(getField(key, 'dl_type'), 0x05ff, 'STP over LLC: no ethertype');
  t.equal(run(eth8023(hex('aaaa03 000000 0800'), ipv4({ proto: 17 }, udp(1, 2)))), 'ok');
  t.equal(getField(key, 'dl_type'), 0x0800, 'SNAP with an ethertype');
  t.equal(getField(key, 'tp_src'), 1);
  t.equal(run(eth8023(hex('aaaa13 000000 0800'), ipv4({ proto: 17 }, udp(1, 2)))), 'ok');
  t.equal(getField(key, 'dl_type'), 0x05ff, 'control byte must be 0x03 in userspace');
  t.equal(run(eth8023(hex('aaaa03 00000c 2000'), []) ), 'ok');
  t.equal(getField(key, 'dl_type'), 0x05ff, 'non-zero OUI');
  t.equal(run(eth8023(hex('aaaa03 000000 0100'), [])), 'ok');
  t.equal(getField(key, 'dl_type'), 0x05ff, 'SNAP type < 0x600');
  t.equal(run(eth8023(hex('aaaa03 0000'), [])), 'ok');
  t.equal(getField(key, 'dl_type'), 0x05ff, 'SNAP header cut short');
  t.end();
});

t.test('short frames', (t) => {
  for (let n = 0; n < 14; n++) {
    t.equal(run(new Array<number>(n).fill(0xab)), 'truncated-l2', `${n} bytes`);
    t.equal(getField(key, 'dl_src'), 0n);
    t.equal(getField(key, 'in_port'), 7, 'metadata still set');
  }
  t.equal(run(new Array<number>(14).fill(0xab)), 'ok');
  t.equal(getField(key, 'dl_type'), 0xabab);
  t.end();
});

t.test('MPLS label stack', (t) => {
  t.equal(run(eth(0x8847, [...mpls(100, 1, false, 64), ...mpls(200, 2, false, 63), ...mpls(300, 3, false, 62), ...mpls(400, 4, true, 61)])), 'ok');
  t.equal(getField(key, 'mpls_label'), 100);
  t.equal(getField(key, 'mpls_tc'), 1);
  t.equal(getField(key, 'mpls_bos'), 0);
  t.equal(getField(key, 'mpls_ttl'), 64);
  t.equal(key.view.getUint32(160), ((300 << 12) | (3 << 9) | 62) >>> 0, 'third entry kept, fourth dropped');
  t.equal(run(eth(0x8848, [...mpls(5, 0, true, 1), ...ipv4({ proto: 17 }, udp(1, 2))])), 'ok');
  t.equal(getField(key, 'mpls_bos'), 1);
  t.equal(getField(key, 'nw_src'), 0, 'nothing past the stack');
  t.equal(run(eth(0x8847, [...mpls(5, 0, false, 1), 0, 0])), 'truncated-l3');
  t.equal(getField(key, 'mpls_label'), 5);
  t.end();
});

t.test('ARP and RARP', (t) => {
  t.equal(run(eth(0x0806, arp(1, '00:00:00:00:00:01', '10.0.0.1', '00:00:00:00:00:00', '10.0.0.9'))), 'ok');
  t.equal(getField(key, 'arp_op'), 1);
  t.equal(getField(key, 'arp_spa'), 0x0a000001);
  t.equal(getField(key, 'arp_tpa'), 0x0a000009);
  t.equal(getField(key, 'arp_sha'), 1n);
  t.equal(getField(key, 'arp_tha'), 0n);
  t.equal(run(eth(0x8035, arp(3, '00:00:00:00:00:01', '0.0.0.0', '00:00:00:00:00:05', '0.0.0.0'))), 'ok');
  t.equal(getField(key, 'arp_op'), 3);
  t.equal(getField(key, 'arp_tha'), 5n);
  t.equal(run(eth(0x0806, arp(0x101))), 'ok');
  t.equal(getField(key, 'arp_op'), 0, 'opcode > 0xff not kept');
  t.equal(getField(key, 'arp_spa'), 0x0a000001);
  t.equal(run(eth(0x0806, arp(1, undefined, undefined, undefined, undefined, 6))), 'unsupported-arp');
  t.equal(getField(key, 'arp_spa'), 0);
  t.equal(run(eth(0x0806, arp(1, undefined, undefined, undefined, undefined, 1, 0x0800, 8))), 'unsupported-arp');
  t.equal(run(eth(0x0806, arp(1, undefined, undefined, undefined, undefined, 1, 0x0800, 6, 16))), 'unsupported-arp');
  t.equal(run(eth(0x0806, arp(1).slice(0, 27))), 'truncated-l3');
  t.end();
});

t.test('IPv6: header, padding, extension headers, fragments', (t) => {
  t.equal(run(eth(0x86dd, ipv6({ nh: 6, tc: 0xb9, label: 0xabcde, hlim: 9 }, tcp(80, 81, 0x12)))), 'ok');
  t.equal(getField(key, 'ipv6_src'), 0x20010db8000000000000000000000001n);
  t.equal(getField(key, 'ipv6_dst'), 0x20010db8000000000000000000000002n);
  t.equal(getField(key, 'ipv6_label'), 0xabcde);
  t.equal(getField(key, 'nw_tos'), 0xb8);
  t.equal(getField(key, 'nw_ecn'), 1);
  t.equal(getField(key, 'nw_ttl'), 9);
  t.equal(getField(key, 'tcp_flags'), 0x12);
  const ah = [44, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]; // AH: (1 + 2) * 4 = 12 bytes
  const chain = ipv6({ nh: 0 }, [...ext(60, 1), ...ext(43), ...ext(51, 2), ...ah, ...frag6(17, 0x0001), ...udp(7, 8)]);
  t.equal(run(eth(0x86dd, chain)), 'ok');
  t.equal(getField(key, 'nw_proto'), 17, 'hop-by-hop, dest opts, routing, AH, fragment walked');
  t.equal(getField(key, 'nw_frag'), 1, 'first fragment (M set)');
  t.equal(getField(key, 'tp_src'), 7);
  t.equal(run(eth(0x86dd, ipv6({ nh: 44 }, [...frag6(17, 0x0008), ...udp(7, 8)]))), 'ok');
  t.equal(getField(key, 'nw_frag'), 3);
  t.equal(getField(key, 'nw_proto'), 44, 'later fragment: proto 44');
  t.equal(getField(key, 'tp_src'), 0);
  t.equal(run(eth(0x86dd, ipv6({ nh: 44 }, [...frag6(17, 0x0000), ...udp(7, 8)]))), 'ok');
  t.equal(getField(key, 'nw_frag'), 0, 'atomic fragment is not a fragment in userspace');
  t.equal(run(eth(0x86dd, ipv6({ nh: 60, tc: 4, label: 1 }, ext(17, 3).slice(0, 16)))), 'bad-ipv6-ext-header');
  t.equal(getField(key, 'ipv6_src'), 0x20010db8000000000000000000000001n, 'addresses kept');
  t.same([getField(key, 'nw_proto'), getField(key, 'ipv6_label'), getField(key, 'nw_ttl'), getField(key, 'nw_tos')], [0, 0, 0, 0]);
  t.equal(run(eth(0x86dd, ipv6({ nh: 17, plen: 100 }, udp(1, 2)))), 'bad-ip-header', 'payload length beyond the frame');
  t.equal(getField(key, 'ipv6_src'), 0n);
  t.equal(run(eth(0x86dd, ipv6({ nh: 17, plen: 4 }, udp(1, 2)))), 'truncated-l4', 'UDP beyond the payload length');
  t.equal(run(eth(0x86dd, ipv6({ nh: 17 }, udp(1, 2)).slice(0, 39))), 'truncated-l3');
  t.equal(run(eth(0x86dd, ipv6({ nh: 59 }, []))), 'ok');
  t.equal(getField(key, 'nw_proto'), 59);
  t.end();
});

t.test('ICMPv6 and neighbour discovery', (t) => {
  const v6 = (body: number[]) => eth(0x86dd, ipv6({ nh: 58, hlim: 255 }, body));
  t.equal(run(v6([128, 0, 0, 0, 0, 1, 0, 1])), 'ok');
  t.same([getField(key, 'icmpv6_type'), getField(key, 'icmpv6_code')], [128, 0]);
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', ndOpt(1, '00:11:22:33:44:55')))), 'ok');
  t.equal(getField(key, 'nd_target'), 0xfe800000000000000000000000000001n);
  t.equal(getField(key, 'nd_sll'), 0x001122334455n);
  t.equal(getField(key, 'nd_tll'), 0n);
  t.equal(getField(key, 'tcp_flags'), 1, 'nd_options_type kept in tcp_flags');
  t.equal(run(v6(nd(136, 'fe800000000000000000000000000002', [...ndOpt(2, '00:00:00:00:00:0a'), ...ndOpt(1, '00:00:00:00:00:0b')]))), 'ok');
  t.equal(getField(key, 'nd_tll'), 0x0an);
  t.equal(getField(key, 'nd_sll'), 0x0bn, 'SLL in an NA is still stored');
  t.equal(getField(key, 'tcp_flags'), 2, 'first option type');
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', [...ndOpt(1, '00:00:00:00:00:01'), ...ndOpt(1, '00:00:00:00:00:02')]))), 'bad-nd-options');
  t.equal(getField(key, 'nd_target'), 0n, 'duplicate SLL clears target');
  t.equal(getField(key, 'nd_sll'), 0n);
  t.equal(getField(key, 'icmpv6_type'), 135);
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', [...ndOpt(1, '00:00:00:00:00:00'), ...ndOpt(1, '00:00:00:00:00:02')]))), 'ok');
  t.equal(getField(key, 'nd_sll'), 2n, 'a zero first SLL does not count');
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', [...ndOpt(1, '00:00:00:00:00:03'), 1, 0, 0, 0, 0, 0, 0, 0]))), 'bad-nd-options');
  t.equal(getField(key, 'nd_sll'), 3n, 'zero-length option stops the walk keeping what was found');
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', ndOpt(1, '00:00:00:00:00:04', 2)))), 'ok');
  t.equal(getField(key, 'nd_sll'), 0n, '16-byte SLL option skipped');
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', ndOpt(1, '00:00:00:00:00:04')).slice(0, 20))), 'truncated-l4');
  t.equal(getField(key, 'nd_target'), 0n);
  t.equal(getField(key, 'icmpv6_type'), 135);
  t.equal(run(v6(nd(135, 'fe800000000000000000000000000001', [], 1))), 'ok');
  t.equal(getField(key, 'nd_target'), 0n, 'code != 0 is not ND');
  t.end();
});

t.test('never throws: every truncation of every sample', (t) => {
  const samples = [
    eth(0x0800, ipv4({ proto: 6, options: [1, 1, 1, 0] }, tcp(1, 2, 0x18, 6, [1, 1, 1, 1]))),
    eth(0x86dd, ipv6({ nh: 0 }, [...ext(44), ...frag6(58, 0x0001), ...nd(135, 'fe800000000000000000000000000001', ndOpt(1, MAC))])),
    eth(0x0806, arp(2), [[0x88a8, 1], [0x8100, 2]]),
    eth(0x8847, [...mpls(1, 0, false, 1), ...mpls(2, 0, true, 1)]),
    eth8023(hex('aaaa03 000000 86dd'), ipv6({ nh: 17 }, udp(1, 2))),
  ];
  let calls = 0;
  for (const s of samples) {
    for (let n = 0; n <= s.length; n++) {
      for (const limit of [1, 2]) {
        const r = run(s.slice(0, n), limit);
        calls++;
        if (typeof r !== 'string') t.fail(`no result for length ${n}`);
      }
    }
  }
  t.ok(calls > 300, `${calls} truncated packets extracted without throwing`);
  t.end();
});
