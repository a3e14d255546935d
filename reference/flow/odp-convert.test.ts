import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowKey, FlowOffset, NwFrag } from './flow-key.ts';
import type { FlowFieldSlot } from './flow-key.ts';
import { flowFromOdpKey, odpKeyFromFlow } from './odp-convert.ts';
import { parseOdpFlow } from './odp-flow.ts';
import { canonicalizeOdpKey } from './odp-flow-canonical.ts';
import { formatOdpKey } from './odp-key-format.ts';
import type { OdpKey } from './odp-key.ts';

const here = dirname(fileURLToPath(import.meta.url));
const OVS_PORTS = new Map([[0, 'ovs-dummy'], [1, 'p1'], [2, 'p2'], [100, 'br0']]);

function keyOf(text: string): OdpKey {
  const r = parseOdpFlow(text, { portNames: OVS_PORTS });
  if (!r.ok) throw new Error(`parse failed: ${JSON.stringify(r.error)}`);
  return r.flow.key;
}

const WIDTH: Partial<Record<FlowFieldSlot, number>> = {
  recirc_id: 4, in_port: 4, packet_type: 4, dl_src: 6, dl_dst: 6, dl_type: 2, vlan0_tpid: 2, vlan0_tci: 2, nw_src: 4, nw_dst: 4,
  nw_proto: 1, nw_tos: 1, nw_frag: 1, tp_src: 2, tp_dst: 2, ipv6_src: 16,
};

/** A megaflow mask: the named fields exact, or with the given byte values. */
function megaflowMask(fields: (FlowFieldSlot | [FlowFieldSlot, number[]])[]): FlowKey {
  const m = new FlowKey();
  for (const f of fields) {
    const [slot, bytes] = typeof f === 'string' ? [f, new Array<number>(WIDTH[f] ?? 0).fill(0xff)] : f;
    m.bytes.set(bytes, FlowOffset[slot]);
  }
  return m;
}

/** Packet (exact key) from the ODP text that odp-ovs-record.sh injected with netdev-dummy/receive. */
function packet(text: string): FlowKey {
  return flowFromOdpKey(keyOf(text)).key;
}

const odpKeyPart = (line: string): string => line.replace(/^ufid:\S+ /, '').replace(/, packets:.*$/, '');

t.test('megaflows of real upcalls print as Open vSwitch printed them', async (t) => {
  const dump = readFileSync(join(here, 'fixtures', 'odp-ovs-dump.txt'), 'utf8').split('\n');
  const find = (kind: string, needle: string): string => {
    const l = dump.find((x) => x.startsWith(kind + '\t') && x.includes(needle));
    if (!l) throw new Error(`no ${kind} line with ${needle}`);
    return odpKeyPart(l.slice(kind.length + 1));
  };
  const cases = [
    {
      pkt: 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:09),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.5,proto=6,tos=0,ttl=64,frag=no),tcp(src=1234,dst=80),tcp_flags(syn)',
      mask: megaflowMask(['recirc_id', 'in_port', 'packet_type', 'dl_dst', 'dl_type', 'nw_dst', 'nw_proto', ['nw_frag', [NwFrag.MASK]], 'tp_dst']),
      needle: 'tcp(dst=80)', needleM: 'dst=80),tcp_flags',
    },
    {
      pkt: 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:09),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.7,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2))',
      mask: megaflowMask(['recirc_id', 'in_port', 'packet_type', 'dl_type', 'vlan0_tpid', 'vlan0_tci', ['nw_dst', [255, 255, 255, 254]], 'nw_proto',
        ['nw_tos', [0xfc]], ['nw_frag', [NwFrag.MASK]]]),
      needle: 'vlan(vid=10', needleM: 'vlan(vid=10',
    },
    {
      pkt: 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:09),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.8,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)',
      mask: megaflowMask(['recirc_id', 'in_port', 'packet_type', 'dl_type', 'nw_dst', 'nw_proto', ['nw_frag', [NwFrag.MASK]]]),
      needle: 'dst=10.0.0.8', needleM: 'dst=10.0.0.8',
    },
    {
      pkt: 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:09),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=1,dst=2)',
      mask: megaflowMask(['recirc_id', 'in_port', 'packet_type', 'dl_type', ['ipv6_src', [255, 255, 255, 255]], 'nw_proto', ['nw_frag', [NwFrag.MASK]],
        ['nw_ttl' as FlowFieldSlot, [0xff]]]),
      needle: 'ipv6(src=2001:db8::1', needleM: 'ipv6(src=2001:db8::1',
    },
  ];
  for (const c of cases) {
    const odp = odpKeyFromFlow(packet(c.pkt), c.mask, { order: 'userspace' });
    t.equal(formatOdpKey(odp), find('upcall', c.needle), `non-verbose ${c.needle}`);
    const verbose = find('upcall-m', c.needleM).replace(/^ufid:[^,]*, /, '');
    t.equal(formatOdpKey(odp, { verbose: true, portNames: OVS_PORTS }), verbose, `verbose ${c.needle}`);
  }
});

t.test('OVS dump lines round trip text → key/mask → ODP key → text', async (t) => {
  const lines = readFileSync(join(here, 'fixtures', 'odp-ovs-dump.txt'), 'utf8').split('\n')
    .filter((l) => /^(dump|upcall)\t/.test(l) && !l.includes('ct_tuple'))
    .map((l) => l.slice(l.indexOf('\t') + 1));
  t.ok(lines.length > 40);
  for (const line of lines) {
    const key = keyOf(line);
    const want = formatOdpKey(canonicalizeOdpKey(key));
    const flow = flowFromOdpKey(key);
    const odp = odpKeyFromFlow(flow.key, flow.mask);
    t.equal(formatOdpKey(canonicalizeOdpKey(odp)), want, want.slice(0, 90));
    const back = flowFromOdpKey(odp);
    t.ok(back.key.equals(flow.key) && back.mask.equals(flow.mask), 'key and mask survive the round trip');
  }
});

t.test('attribute structure follows the packet', async (t) => {
  const exact = FlowKey.allOnes();
  const fmt = (text: string, order: 'kernel' | 'userspace' = 'kernel'): string => formatOdpKey(odpKeyFromFlow(packet(text), exact, { order }));
  t.equal(fmt('in_port(1),eth(),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=6,tos=0,ttl=64,frag=later),tcp(src=1,dst=2)'),
    'recirc_id(0),dp_hash(0),skb_priority(0),in_port(1),skb_mark(0),ct_state(-new-est-rel-rpl-inv-trk-snat-dnat),ct_zone(0),ct_mark(0),ct_label(0),eth(src=00:00:00:00:00:00,dst=00:00:00:00:00:00),eth_type(0x0800),ipv4(src=1.1.1.1,dst=2.2.2.2,proto=6,tos=0,ttl=64,frag=later)',
    'later fragments carry no L4 attribute');
  t.match(fmt('in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),nd(target=::1)'), /icmpv6\(type=135,code=0\),nd\(target=::1,/);
  t.notMatch(fmt('in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=128,code=0)'), /nd\(/, 'no nd for echo');
  t.match(fmt('in_port(1),eth(),eth_type(0x0806),arp(op=2)'), /arp\(sip=0\.0\.0\.0,tip=0\.0\.0\.0,op=2,/);
  t.match(fmt('in_port(1),eth(),eth_type(0x8100),vlan(vid=5),encap(eth_type(0x8100),vlan(vid=6),encap(eth_type(0x0800),ipv4(frag=no)))'),
    /eth_type\(0x8100\),vlan\(vid=5,pcp=0\),encap\(eth_type\(0x8100\),vlan\(vid=6,pcp=0\),encap\(eth_type\(0x0800\),ipv4\(/);
  t.match(fmt('in_port(1),eth(),eth_type(0x8847),mpls(label=1,tc=0,ttl=2,bos=0,label=3,tc=0,ttl=4,bos=1)'), /mpls\(label=1,tc=0,ttl=2,bos=0,label=3,tc=0,ttl=4,bos=1\)$/);
  t.match(fmt('in_port(1),eth(),eth_type(0/0xffff)'), /eth\(src=00:00:00:00:00:00,dst=00:00:00:00:00:00\),eth_type\(0\/0xffff\)$/, '802.3');
  const noFlags = FlowKey.allOnes();
  noFlags.view.setUint16(FlowOffset.tcp_flags, 0);
  const tcp = packet('in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp()');
  t.match(formatOdpKey(odpKeyFromFlow(tcp, noFlags, { order: 'userspace' })), /^skb_priority\(0\),skb_mark\(0\),.*packet_type\(ns=0,id=0\),eth\(.*tcp\(src=0,dst=0\)$/,
    'userspace order; no tcp_flags when key and mask are zero');
  t.match(formatOdpKey(odpKeyFromFlow(tcp, noFlags)), /tcp\(src=0,dst=0\)$/, 'kernel: tcp_flags present but hidden (zero mask)');
  t.equal(odpKeyFromFlow(tcp, noFlags).attrs.at(-1)?.name, 'tcp_flags');
  const icmp = odpKeyFromFlow(packet('in_port(1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=3,code=1)'), exact);
  t.match(formatOdpKey(icmp), /icmp\(type=3,code=1\)/, 'ICMP type/code are 8 bits with an exact 0xff mask');
});
