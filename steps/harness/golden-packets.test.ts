/**
 * Tests for golden-packets.ts and golden-packet-mask.ts. Packets are built
 * with the project's builder (cross-checked against scapy 2.5 in
 * reference/packet); field positions are checked against the header layouts
 * of the specs (Ethernet II, RFC 791, RFC 768, RFC 9293, RFC 8200, RFC 4443).
 */
import t from 'tap';
import { buildPacket } from '../../reference/packet/index.ts';
import { dontCareMask, parseDontCares } from './golden-packet-mask.ts';
import { comparePackets, hexdumpDiff } from './golden-packets.ts';
import type { PacketCompareResult, PacketComparison } from './golden-packets.ts';

const ETH = "Ether(src='00:00:00:00:00:01',dst='00:00:00:00:00:02')";
const icmp = (ttl: number, dst = '10.0.0.2'): Uint8Array => buildPacket(`${ETH}/IP(src='10.0.0.1',dst='${dst}',ttl=${ttl})/ICMP()`);
const udp = (sport: number): Uint8Array => buildPacket(`${ETH}/IP(src='10.0.0.1',dst='10.0.0.2')/UDP(sport=${sport},dport=53)/b'abc'`);

function ok(r: PacketCompareResult): PacketComparison {
  if (!r.ok) throw new Error(r.message);
  return r;
}

/** Byte offsets whose mask is non-zero, with the mask bits. */
function maskedBytes(bytes: Uint8Array, names: string[]): Record<number, number> {
  const p = parseDontCares(names);
  if (!p.ok) throw new Error(p.message);
  const out: Record<number, number> = {};
  dontCareMask(bytes, p.specs).forEach((m, i) => {
    if (m) out[i] = m;
  });
  return out;
}

t.test('field names map to the bytes the specs give them', async (t) => {
  const v4 = icmp(64);
  t.same(maskedBytes(v4, ['eth.dst']), { 0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff });
  t.same(maskedBytes(v4, ['eth.src']), { 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff });
  t.same(maskedBytes(v4, ['ip.ttl']), { 22: 0xff }, 'RFC 791: TTL is byte 8 of the IPv4 header');
  t.same(maskedBytes(v4, ['ip.checksum']), { 24: 0xff, 25: 0xff });
  t.same(maskedBytes(v4, ['ip.chksum']), { 24: 0xff, 25: 0xff }, 'scapy name');
  t.same(maskedBytes(v4, ['ip.id']), { 18: 0xff, 19: 0xff });
  t.same(maskedBytes(v4, ['ip.flags']), { 20: 0xe0 }, 'three flag bits');
  t.same(maskedBytes(v4, ['icmp.checksum']), { 36: 0xff, 37: 0xff });
  t.same(maskedBytes(udp(1), ['udp.checksum']), { 40: 0xff, 41: 0xff }, 'RFC 768: checksum at bytes 6-7');
  const tcp = buildPacket(`${ETH}/IP()/TCP(sport=1,dport=2)`);
  t.same(maskedBytes(tcp, ['tcp.checksum']), { 50: 0xff, 51: 0xff }, 'TCP checksum at bytes 16-17');
  const v6 = buildPacket(`${ETH}/IPv6(src='2001:db8::1',dst='2001:db8::2',hlim=64)/ICMPv6EchoRequest()`);
  t.same(maskedBytes(v6, ['ipv6.hlim']), { 21: 0xff }, 'RFC 8200: hop limit is byte 7');
  t.same(maskedBytes(v6, ['ipv6.tc']), { 14: 0x0f, 15: 0xf0 });
  t.same(maskedBytes(v6, ['icmpv6.checksum']), { 56: 0xff, 57: 0xff }, 'RFC 4443: checksum at bytes 2-3');
  t.same(maskedBytes(v6, ['ip.ttl']), {}, 'absent layer masks nothing');
});

t.test('raw masks by byte range and by hex bits', async (t) => {
  const v4 = icmp(64);
  t.same(maskedBytes(v4, ['@22:1']), { 22: 0xff });
  t.same(maskedBytes(v4, ['@0x18:2']), { 24: 0xff, 25: 0xff });
  t.same(maskedBytes(v4, ['@14/0f']), { 14: 0x0f });
  t.same(maskedBytes(v4, ['@20/e000']), { 20: 0xe0 });
  t.same(maskedBytes(v4, ['@40:8']), { 40: 0xff, 41: 0xff }, 'a mask past the end is cut');
  t.same(maskedBytes(v4, ['@42:1']), {});
});

t.test('bad don\'t-care names are errors naming the choices', async (t) => {
  const r = comparePackets([icmp(64)], [icmp(64)], { ignore: ['ip.tll'] });
  t.equal(r.ok, false);
  t.match(!r.ok && r.message, /unknown field "tll" of IP .*known: .*ttl/);
  t.match(parseDontCares(['foo.ttl']), { ok: false, message: /unknown layer "foo"/ });
  t.match(parseDontCares(['ttl']), { ok: false, message: /<layer>\.<field>/ });
  t.match(parseDontCares(['@x:1']), { ok: false, message: /bad raw mask/ });
});

t.test('a TTL change: ip.ttl alone is not enough, ip.ttl + ip.checksum is', async (t) => {
  const e = icmp(64);
  const a = icmp(63);
  t.notOk(ok(comparePackets([e], [a])).equal);
  const ttlOnly = ok(comparePackets([e], [a], { ignore: ['ip.ttl'] }));
  t.notOk(ttlOnly.equal, 'the checksum changed too; ip.ttl does not imply it');
  t.same(ttlOnly.mismatched, [{ expected: 0, actual: 0, offsets: [24] }], 'checksum 0x66de became 0x67de');
  t.ok(ok(comparePackets([e], [a], { ignore: ['ip.ttl', 'ip.checksum'] })).equal);
  t.ok(ok(comparePackets([e], [a], { ignore: ['@22:1', '@24:2'] })).equal);
  const other = ok(comparePackets([e], [icmp(63, '10.0.0.3')], { ignore: ['ip.ttl', 'ip.checksum'] }));
  t.notOk(other.equal, 'a real difference outside the don\'t-cares is still seen');
  t.same(other.mismatched[0]?.offsets, [33]);
});

t.test('inner and outer headers are both masked', async (t) => {
  const e = buildPacket(`${ETH}/IP(src='1.1.1.1',dst='2.2.2.2',ttl=9)/IP(src='10.0.0.1',dst='10.0.0.2',ttl=64)/UDP(sport=1,dport=2)`);
  const a = buildPacket(`${ETH}/IP(src='1.1.1.1',dst='2.2.2.2',ttl=8)/IP(src='10.0.0.1',dst='10.0.0.2',ttl=63)/UDP(sport=1,dport=2)`);
  t.notOk(ok(comparePackets([e], [a], { ignore: ['ip.ttl'] })).equal);
  t.ok(ok(comparePackets([e], [a], { ignore: ['ip.ttl', 'ip.checksum'] })).equal);
});

t.test('ordered and unordered (multiset) comparison', async (t) => {
  const [a, b, c] = [udp(1), udp(2), udp(3)];
  t.ok(ok(comparePackets([a, b, c], [a, b, c])).equal);
  const ordered = ok(comparePackets([a, b, c], [c, a, b]));
  t.notOk(ordered.equal);
  t.equal(ordered.mismatched.length, 3);
  t.ok(ok(comparePackets([a, b, c], [c, a, b], { order: 'unordered' })).equal);
  const multiset = ok(comparePackets([a, a, b], [a, b, b], { order: 'unordered' }));
  t.notOk(multiset.equal, 'counts matter');
  t.same(multiset.missing, [1]);
  t.same(multiset.unexpected, [2]);
  const extra = ok(comparePackets([a], [a, b]));
  t.same([extra.missing, extra.unexpected], [[], [1]]);
  const none = ok(comparePackets([a, b], []));
  t.same(none.missing, [0, 1]);
  t.match(none.diffText, /2 missing/);
});

t.test('the diff shows summaries and marks the differing bytes', async (t) => {
  const e = icmp(64);
  const a = icmp(63);
  const r = ok(comparePackets([udp(1), e], [udp(1), a], { ignore: ['ip.ttl'], expectedSource: 'x.golden/out.pcap', actualSource: 'port p2' }));
  const lines = r.diffText.split('\n');
  t.equal(lines[0], '--- expected x.golden/out.pcap: 2 packet(s)');
  t.equal(lines[1], '+++ actual port p2: 2 packet(s)');
  t.equal(lines[2], '@@ ordered; ignoring ip.ttl; 0 missing, 0 unexpected, 1 differing @@');
  t.match(lines[3], /^ {2}#1 {2}00:00:00:00:00:01 > 00:00:00:00:00:02, ethertype IPv4 .*UDP, length 3$/);
  t.match(lines[4], /^- #2 {2}.*ICMP echo request/);
  t.match(lines[5], /^\+ #2 {2}.*ICMP echo request/);
  t.equal(lines[6], "first difference: expected #2 vs actual #2: 1 byte(s) differ in IP.chksum; 1 don't-care byte(s) differ");
  t.equal(lines[7], '- 0x0010:  001c 0001 0000 4001 66de 0a00 0001 0a00');
  t.equal(lines[8], '+ 0x0010:  001c 0001 0000 3f01 67de 0a00 0001 0a00');
  t.equal(lines[9], '                          ~~   ^^', 'ttl is don\'t-care, the checksum\'s low byte counts');
  t.equal(ok(comparePackets([e], [e])).diffText, '');
});

t.test('length differences and odd bytes never throw', async (t) => {
  const e = icmp(64);
  const cut = e.subarray(0, 30);
  const r = ok(comparePackets([e], [cut], { ignore: ['ip.ttl', 'ip.checksum', 'icmp.checksum'] }));
  t.notOk(r.equal);
  t.same(r.mismatched[0]?.offsets, [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41]);
  t.match(hexdumpDiff(e, cut, []).join('\n'), /lengths 42 and 30/);
  for (let n = 0; n <= e.length; n++) {
    const junk = Uint8Array.from(e.subarray(0, n), (b, i) => b ^ (i * 37));
    comparePackets([e, junk], [junk, e], { ignore: ['ip.ttl', 'tcp.checksum', 'eth.src'], order: 'unordered' });
  }
  t.pass('truncated and garbled packets compared without throwing');
});

t.test('long runs of matching packets are elided around the differences', async (t) => {
  const { elideSameRows } = await import('./golden-packets.ts');
  const same = Array.from({ length: 10 }, (_, i) => `  #${i + 1}  p`);
  t.same(elideSameRows([...same, '- #11  x', '+ #11  y', ...same.slice(0, 3)]), [
    '  #1  p', '  #2  p', '  … 6 matching packet(s) …', '  #9  p', '  #10  p', '- #11  x', '+ #11  y', '  #1  p', '  #2  p', '  #3  p',
  ]);
  t.same(elideSameRows(same.slice(0, 5)), same.slice(0, 5), 'a run of 2 × context + 1 is kept whole');
});
