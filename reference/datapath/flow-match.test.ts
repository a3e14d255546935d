import { readFileSync } from 'node:fs';
import t from 'tap';
import { buildPacket } from '../packet/index.ts';
import { FlowKey, FlowOffset, NwFrag, extractDatapathKey, formatOdpKey, newOdpAttr, parseOdpFlow } from '../flow/index.ts';
import type { OdpKey } from '../flow/index.ts';
import { DP_MAX_PORTS, flowMatchFromOdp, odpKeyFromMatch, odpKeyFromPacketKey, packetMetadataFromOdp } from './flow-match.ts';
import type { FlowMatch } from './flow-match.ts';

function keyOf(text: string): OdpKey {
  const r = parseOdpFlow(text);
  if (!r.ok) throw new Error(`parse failed for ${text}: ${JSON.stringify(r.error)}`);
  return r.flow.key;
}

function matchOf(text: string): FlowMatch {
  const r = flowMatchFromOdp(keyOf(text));
  if (!r.ok) throw new Error(`refused ${text}: ${r.error.message}`);
  return r.match;
}

const dump = (m: FlowMatch): string => formatOdpKey(odpKeyFromMatch(m));
const u16 = (k: FlowKey, at: number): number => k.view.getUint16(at);
const u32 = (k: FlowKey, at: number): number => k.view.getUint32(at);

const IP = 'in_port(1),eth(),eth_type(0x0800)';
const IP6 = 'in_port(1),eth(),eth_type(0x86dd)';

t.test('accepted keys: the kernel masks and encodings', (t) => {
  const m = matchOf(`${IP},ipv4(src=10.0.0.0/255.0.0.0,frag=no)`);
  t.equal(u32(m.mask, FlowOffset.in_port), 0xffffffff, 'in_port exact');
  t.equal(u16(m.mask, FlowOffset.vlan0_tci), 0xffff, 'always match on tci: untagged only');
  t.equal(u16(m.mask, FlowOffset.vlan1_tci), 0xffff);
  t.equal(u16(m.key, FlowOffset.vlan0_tci), 0);
  t.equal(u32(m.mask, FlowOffset.packet_type), 0xffffffff, 'MAC protocol exact');
  t.equal(u16(m.mask, FlowOffset.dl_type), 0xffff);
  t.equal(m.mask.bytes[FlowOffset.nw_frag], NwFrag.MASK);
  t.equal(u32(m.key, FlowOffset.nw_src), 0x0a000000);
  t.ok(m.key.clone().andWith(m.mask).equals(m.key), 'key is masked');

  const wild = matchOf('eth(),eth_type(0x0800),ipv4()');
  t.equal(u32(wild.mask, FlowOffset.in_port), 0, 'no in_port: any port');
  t.equal(dump(wild), 'in_port(0/0xffff0000),eth(),eth_type(0x0800)', 'a wildcarded in_port dumps as the kernel dumps it');

  const exactPort = matchOf(`in_port(3/0x1),eth(),eth_type(0x1234)`);
  t.equal(u32(exactPort.mask, FlowOffset.in_port), 0xffffffff, 'an in_port mask is forced exact');
  t.equal(u16(matchOf('in_port(1),eth()').key, FlowOffset.dl_type), 0, 'eth() without eth_type: any ethertype');
  const llc = matchOf('in_port(1),eth(),eth_type(0/0xffff)');
  t.equal(u16(llc.key, FlowOffset.dl_type), 0x05ff, '802.2 frames as 0x05ff');
  t.equal(dump(llc), 'in_port(1),eth(),eth_type(0/0xffff)');

  const l3 = matchOf('in_port(1),eth_type(0x0800),ipv4(frag=no)');
  t.equal(u32(l3.key, FlowOffset.packet_type), 0x10800, 'no eth(): an L3 packet');
  t.equal(dump(l3), 'in_port(1),eth_type(0x0800),ipv4(frag=no)');

  const arp = matchOf('in_port(1),eth(),eth_type(0x0806),arp(sip=10.0.0.1,op=2)');
  t.equal(arp.key.bytes[FlowOffset.nw_proto], 2);
  t.equal(dump(arp), 'in_port(1),eth(),eth_type(0x0806),arp(sip=10.0.0.1,op=2/0xff)', 'the kernel dumps the opcode mask as 0xff');

  const ct = matchOf('in_port(1),ct_state(+trk-inv),ct_zone(5),ct_mark(0x1/0xf),ct_label(0x1),eth(),eth_type(0x1234)');
  t.equal(ct.mask.bytes[FlowOffset.ct_state], 0x30);
  t.equal(u16(ct.key, FlowOffset.ct_zone), 5);
  t.equal(dump(ct), 'in_port(1),ct_state(-inv+trk),ct_zone(0x5),ct_mark(0x1/0xf),ct_label(0x1),eth(),eth_type(0x1234)');
  t.end();
});

t.test('accepted keys: VLANs, L4, ND, MPLS, fragments', (t) => {
  const v = matchOf('in_port(1),eth(),eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0800),ipv4(frag=no))');
  t.equal(u16(v.key, FlowOffset.vlan0_tpid), 0x8100);
  t.equal(u16(v.key, FlowOffset.vlan0_tci), 0x100a);
  t.equal(u16(v.mask, FlowOffset.vlan0_tci), 0x1fff);
  t.equal(u16(v.mask, FlowOffset.vlan1_tci), 0xffff, 'single-tagged only');
  t.equal(u16(v.key, FlowOffset.dl_type), 0x0800);
  const qq = matchOf('in_port(1),eth(),eth_type(0x88a8),vlan(vid=1),encap(eth_type(0x8100),vlan(vid=2,pcp=3),encap(eth_type(0x86dd),ipv6(frag=no)))');
  t.equal(u16(qq.key, FlowOffset.vlan1_tci), 0x7002);
  t.equal(u16(qq.key, FlowOffset.dl_type), 0x86dd);
  t.equal(dump(qq), 'in_port(1),eth(),eth_type(0x88a8),vlan(vid=1),encap(eth_type(0x8100),vlan(vid=2,pcp=3),encap(eth_type(0x86dd),ipv6(frag=no)))');

  const tcp = matchOf(`${IP},ipv4(proto=6,frag=no),tcp(dst=0x50/0xfff0),tcp_flags(+syn-ack)`);
  t.equal(u16(tcp.key, FlowOffset.tp_dst), 0x50);
  t.equal(u16(tcp.mask, FlowOffset.tcp_flags), 0x12);
  t.equal(dump(tcp), `${IP},ipv4(proto=6,frag=no),tcp(dst=80/0xfff0),tcp_flags(+syn-ack)`);
  t.ok(flowMatchFromOdp(keyOf(`${IP},ipv4(proto=6,frag=later)`)).ok, 'later fragments have no L4');
  t.ok(flowMatchFromOdp(keyOf(`${IP},ipv4(proto=17/0,frag=no),udp()`)).ok, 'a zero-mask udp() with a wildcarded proto');

  const nd = matchOf(`${IP6},ipv6(proto=58,frag=no),icmpv6(type=136,code=0),nd(target=fe80::1,tll=00:00:00:00:00:02)`);
  t.equal(nd.key.bytes[FlowOffset.nd_target], 0xfe);
  t.equal(dump(nd), `${IP6},ipv6(proto=58,frag=no),icmpv6(type=136,code=0),nd(target=fe80::1,tll=00:00:00:00:00:02)`);
  t.ok(flowMatchFromOdp(keyOf(`${IP6},ipv6(proto=58,frag=no),icmpv6(type=128)`)).ok, 'no nd for an echo request');

  const icmp = matchOf(`${IP},ipv4(proto=1,frag=no),icmp(type=8,code=0)`);
  t.equal(u16(icmp.mask, FlowOffset.tp_src), 0xff);
  const mpls = matchOf('in_port(1),eth(),eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)');
  t.equal(u32(mpls.key, FlowOffset.mpls_lse), (100 << 12) | 0x140);
  t.equal(dump(mpls), 'in_port(1),eth(),eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)');
  const tuple = matchOf(`${IP},ct_tuple4(proto=6,tp_dst=80),ipv4(proto=6,frag=no),tcp(),tcp_flags(0/0)`);
  t.equal(u16(tuple.key, FlowOffset.ct_tp_dst), 80);
  t.end();
});

interface Refusal {
  readonly key: string;
  readonly attr: string;
  readonly msg: RegExp;
  readonly errno?: string;
}

const REFUSALS: readonly Refusal[] = [
  { key: 'in_port(1),in_port(2),eth()', attr: 'in_port', msg: /duplicate in_port/ },
  { key: 'in_port(1),packet_type(ns=0,id=0x800),eth_type(0x0800)', attr: 'packet_type', msg: /userspace-datapath attribute/ },
  { key: 'in_port(65535),eth()', attr: 'in_port', msg: /in_port\(65535\) exceeds/ },
  { key: 'in_port(1),ct_state(new),eth()', attr: 'ct_state', msg: /ct_state mask 0xffffffff/ },
  { key: 'in_port(1),eth(),eth_type(0x0500)', attr: 'eth_type', msg: /0x500 is below the minimum 0x600/ },
  { key: 'in_port(1)', attr: '', msg: /needs eth\(…\) or eth_type/ },
  { key: 'in_port(1),eth(),ipv4(frag=no)', attr: 'ipv4', msg: /ipv4\(…\) needs eth_type\(0x0800\)/ },
  { key: 'in_port(1),eth(),eth_type(0x0800/0),ipv4(src=1.2.3.4)', attr: 'ipv4', msg: /needs eth_type\(0x0800\)/ },
  { key: IP, attr: 'eth_type', msg: /missing ipv4\(…\): eth_type\(0x0800\) implies it/ },
  { key: `${IP},ipv4(proto=6,frag=no),tcp(dst=80)`, attr: 'ipv4', msg: /missing tcp_flags/ },
  { key: `${IP},ipv4(proto=6/0xf0,frag=no),tcp(dst=80),tcp_flags(0/0)`, attr: 'tcp', msg: /tcp\(…\) needs ipv4\/ipv6 with proto=6 matched exactly/ },
  { key: `${IP},ipv4(proto=6,frag=later),tcp(dst=80)`, attr: 'tcp', msg: /later fragment/ },
  { key: `${IP},ipv4(proto=6,frag=no),udp(dst=53)`, attr: 'ipv4', msg: /missing tcp\(…\)/ },
  { key: `${IP6},ipv6(proto=1,frag=no),icmp(type=8)`, attr: 'icmp', msg: /icmp\(…\) needs ipv4 with proto=1/ },
  { key: `${IP6},ipv6(proto=58,frag=no),icmpv6(type=128),nd(target=::1)`, attr: 'nd', msg: /nd\(…\) needs icmpv6\(type=135\)/ },
  { key: `${IP6},ipv6(proto=58,frag=no),icmpv6(type=135/0xf0),nd(target=::1)`, attr: 'nd', msg: /nd\(…\) needs icmpv6/ },
  { key: `${IP6},ipv6(proto=58,frag=no),icmpv6(type=135)`, attr: 'icmpv6', msg: /missing nd\(…\)/ },
  { key: `${IP6},ct_tuple6(proto=58),ipv6(proto=58,frag=no),icmpv6(type=135),nd()`, attr: 'ct_tuple6', msg: /together with nd/ },
  { key: 'in_port(1),eth(),vlan(vid=5),eth_type(0x0800),ipv4()', attr: 'vlan', msg: /vlan\(…\) needs eth_type\(0x8100\)/ },
  { key: 'in_port(1),eth(),eth_type(0x8100)', attr: 'eth_type', msg: /invalid VLAN frame/ },
  { key: 'in_port(1),eth(),eth_type(0x8100),vlan(vid=5,cfi=0),encap()', attr: 'vlan', msg: /does not have the CFI bit/ },
  { key: 'in_port(1),eth(),eth_type(0x8100),vlan(cfi=0),encap(eth_type(0x0800))', attr: 'encap', msg: /truncated VLAN header/ },
  { key: 'in_port(1),eth(),eth_type(0x8100/0xff00),vlan(vid=5),encap(eth_type(0x0800),ipv4())', attr: 'eth_type', msg: /TPID must be matched exactly/ },
  { key: 'in_port(1),eth(),eth_type(0x0800),encap(ipv4())', attr: 'encap', msg: /unexpected encap/ },
  { key: 'in_port(1),eth(),eth_type(0x0806),arp(op=256)', attr: 'arp', msg: /ARP opcode 256/ },
  { key: 'in_port(1),eth(),eth_type(0x0800),eth_type(0x0800)', attr: 'eth_type', msg: /duplicate eth_type/ },
  { key: `${IP},ct_tuple4(src=10.0.0.1,proto=6),ipv4(proto=6,frag=no),tcp(),tcp_flags(0/0)`, attr: 'ct_tuple', msg: /original-direction addresses/, errno: 'EOPNOTSUPP' },
];

t.test('refused keys: the kernel reasons, naming the attribute', (t) => {
  for (const r of REFUSALS) {
    const res = flowMatchFromOdp(keyOf(r.key));
    if (res.ok) {
      t.fail(`accepted ${r.key}`);
      continue;
    }
    t.equal(res.error.errno, r.errno ?? 'EINVAL', `${r.key}: errno`);
    t.equal(res.error.attr, r.attr, `${r.key}: attribute`);
    t.match(res.error.message, r.msg, `${r.key}: ${res.error.message}`);
  }
  const nested = flowMatchFromOdp(keyOf('in_port(1),eth(),eth_type(0x8100),vlan(vid=1),encap(eth_type(0x0800),tcp())'));
  t.same(nested.ok ? [] : nested.error.path, [4, 0], 'missing ipv4 names the inner eth_type');
  const inner = flowMatchFromOdp(keyOf('in_port(1),eth(),eth_type(0x8100),vlan(vid=1),encap(eth_type(0x86dd),ipv6(),ipv4(src=1.2.3.4))'));
  t.same(inner.ok ? [] : [inner.error.attr, inner.error.path], ['ipv4', [4, 2]], 'a path into encap');
  t.end();
});

t.test('refused keys built by program: lengths, frag, label, unknown names', (t) => {
  const bad = (mutate: (k: OdpKey) => void): string => {
    const k = keyOf(`${IP6},ipv6(frag=no)`);
    mutate(k);
    const r = flowMatchFromOdp(k);
    return r.ok ? 'accepted' : r.error.message;
  };
  const ipv6 = (k: OdpKey): { key: Uint8Array; mask: Uint8Array } => k.attrs[3] as { key: Uint8Array; mask: Uint8Array };
  t.match(bad((k) => (ipv6(k).key[39] = 3)), /frag type 3/);
  t.match(bad((k) => ipv6(k).key.set([0x00, 0x10, 0, 0], 32)), /flow label 0x100000/);
  t.match(bad((k) => k.attrs.push({ name: 'skb_mark', key: new Uint8Array(2), mask: new Uint8Array(2) })), /skb_mark\(…\) has 2 bytes, expected 4/);
  t.match(bad((k) => k.attrs.push({ ...newOdpAttr('nd_ext') })), /userspace-datapath/);
  t.match(bad((k) => k.attrs.push({ name: 'mpls', key: new Uint8Array(16), mask: new Uint8Array(16) })), /1 to 3 label stack entries/);
  t.match(bad((k) => k.attrs.push({ name: 'bogus', key: new Uint8Array(1), mask: new Uint8Array(1) } as never)), /unknown key attribute bogus/);
  t.equal(flowMatchFromOdp({ attrs: null } as never).ok, false, 'a broken OdpKey is refused, not thrown on');
  t.end();
});

const ROUND_TRIP = [
  `${IP},ipv4(src=10.0.0.0/255.0.0.0,dst=10.1.2.3,proto=17,tos=0x4/0xfc,ttl=64,frag=first),udp(src=1,dst=53/0xff00)`,
  `recirc_id(0x2),dp_hash(0x5/0xf),skb_priority(0x1),${IP.slice(10)},skb_mark(0x7),ipv4(proto=6,frag=no),tcp(),tcp_flags(fin|syn)`.replace('recirc_id', 'in_port(2),recirc_id'),
  'in_port(1),eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(tip=10.0.0.9,op=1,tha=00:00:00:00:00:00)',
  'in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=2/0x4),encap(eth_type(0x86dd),ipv6(src=fe80::/ffc0::,label=0x12345,proto=58,frag=no),icmpv6(type=135),nd(target=fe80::1,sll=00:00:00:00:00:01))',
  'in_port(1),eth(),eth_type(0x8100),vlan(vid=10),encap(eth_type(0/0xffff))',
  'in_port(1),eth(),eth_type(0x8848),mpls(label=1,tc=0,ttl=1,bos=0,label=2,tc=0,ttl=1,bos=1)',
  `in_port(1),ct_state(-new+est+trk),ct_zone(0x1/0xff),${IP.slice(11)},ct_tuple4(proto=17,tp_src=1/0xf),ipv4(proto=17,frag=later)`,
  'in_port(1),eth_type(0x86dd),ipv6(proto=6,frag=no),tcp(src=443),tcp_flags(+ack)',
];

t.test('the dump form installs back to the same match', (t) => {
  for (const text of ROUND_TRIP) {
    const m = matchOf(text);
    const back = flowMatchFromOdp(odpKeyFromMatch(m));
    t.ok(back.ok && back.match.key.equals(m.key) && back.match.mask.equals(m.mask), `${text} → ${dump(m)}`);
  }
  t.end();
});

/** The mask the kernel builds for a FLOW NEW without one (mask_set_nlattr): all ones, ct_state only its 8 bits. */
function withoutMask(key: OdpKey): OdpKey {
  for (const a of key.attrs) if (a.name === 'ct_state') a.mask.set([0, 0, 0, 0xff]);
  return key;
}

t.test('exact flows from MISS upcall keys match their packets', (t) => {
  const corpus = readFileSync(new URL('../packet/scapy/corpus.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const key = new FlowKey();
  let accepted = 0;
  const refusals = new Map<string, number>();
  for (const expr of corpus) {
    let frame: Uint8Array;
    try {
      frame = buildPacket(expr);
    } catch {
      continue;
    }
    if (extractDatapathKey(frame, key, { inPort: 3, recircId: 0 }) === 'truncated-l2') continue;
    const r = flowMatchFromOdp(withoutMask(odpKeyFromPacketKey(key)));
    if (!r.ok) {
      refusals.set(r.error.message, (refusals.get(r.error.message) ?? 0) + 1);
      continue;
    }
    accepted++;
    if (!key.equalsMasked(r.match.key, r.match.mask)) t.fail(`the flow for ${expr} does not match it: ${formatOdpKey(odpKeyFromPacketKey(key))}`);
  }
  t.ok(accepted >= 100, `${accepted} upcall keys installed and matched`);
  for (const [msg, n] of refusals) t.comment(`refused ${n}×: ${msg}`);
  // A truncated VLAN tag keys as eth_type(0),vlan(0),encap(): the kernel refuses to install that back.
  t.ok([...refusals.keys()].every((m) => m.startsWith('vlan(…) needs')), 'only truncated-VLAN keys are refused');
  t.end();
});

t.test('upcall keys: kernel order, full masks, 802.2 without eth_type', (t) => {
  const key = new FlowKey();
  const frame = buildPacket('Ether(src="00:00:00:00:00:01",dst="00:00:00:00:00:02")/IP(src="10.0.0.1",dst="10.0.0.2")/TCP(sport=1,dport=2,flags="S")');
  extractDatapathKey(frame, key, { inPort: 4 });
  t.equal(
    formatOdpKey(odpKeyFromPacketKey(key)),
    'recirc_id(0),dp_hash(0),skb_priority(0),in_port(4),skb_mark(0),ct_state(0),ct_zone(0),ct_mark(0),ct_label(0),' +
      'eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),' +
      'tcp(src=1,dst=2),tcp_flags(syn)',
  );
  const llc = buildPacket('Dot3(src="00:00:00:00:00:01",dst="00:00:00:00:00:02")/LLC()');
  extractDatapathKey(llc, key, { inPort: DP_MAX_PORTS });
  t.equal(formatOdpKey(odpKeyFromPacketKey(key)), 'recirc_id(0),dp_hash(0),skb_priority(0),skb_mark(0),ct_state(0),ct_zone(0),ct_mark(0),ct_label(0),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)',
    'no in_port for DP_MAX_PORTS, no eth_type for 802.2');
  t.end();
});

t.test('PACKET EXECUTE metadata', (t) => {
  const md = packetMetadataFromOdp(keyOf('recirc_id(0x3),dp_hash(0x9),skb_priority(0x2),in_port(7),skb_mark(0x5),eth(),eth_type(0x0800),ipv4(proto=6)'));
  t.same(md.ok ? md.md : md.error, { inPort: 7, skbPriority: 2, skbMark: 5, recircId: 3, dpHash: 9 }, 'metadata read, packet fields ignored');
  const noPort = packetMetadataFromOdp(keyOf('eth()'));
  t.equal(noPort.ok ? noPort.md.inPort : -1, DP_MAX_PORTS, 'no in_port: DP_MAX_PORTS (the kernel then sends from the local port)');
  for (const [text, re] of [['in_port(70000)', /exceeds/], ['packet_type(ns=0,id=0)', /userspace-datapath/], ['in_port(1),in_port(1)', /duplicate/], ['eth_type(0x0001)', /below/], ['ct_state(0x100/0x100)', /./]] as const) {
    const r = packetMetadataFromOdp({ attrs: text === 'ct_state(0x100/0x100)' ? [{ name: 'ct_state', key: Uint8Array.of(0, 0, 1, 0), mask: new Uint8Array(4) }] : keyOf(text).attrs });
    t.match(r.ok ? 'accepted' : `${r.error.errno} ${r.error.message}`, re, text);
  }
  t.end();
});
