/**
 * Test support for the add-flow fuzz test: a seeded random source, a corpus
 * of `dpctl/add-flow` argument pairs covering every key attribute and every
 * action the ODP text format has, and the mutations applied to them
 * (token deletion, duplication and swaps, character flips, truncation,
 * out-of-range and huge numbers, nesting bombs, splices, quote and
 * whitespace damage). Deterministic for a given seed. Not used outside
 * tests and scripts.
 */

/** mulberry32: a small seedable 32-bit PRNG. */
export class FuzzRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  u32(): number {
    let x = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('FuzzRandom.pick: empty list');
    return xs[this.below(xs.length)]!;
  }
}

const ETH = 'eth(src=00:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff/01:00:00:00:00:00)';
const TCP4 = 'eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.0/255.255.255.0,proto=6,tos=0x10/0xfc,ttl=64,frag=no),tcp(src=1024,dst=80/0xfff0),tcp_flags(+syn-ack)';

/** Accepted `"<key>" "<actions>"` pairs: every key attribute, every action the datapath executes. */
export const ADD_FLOW_CORPUS: readonly string[] = [
  `"in_port(1),${ETH},${TCP4}" "2"`,
  `"recirc_id(0x1),dp_hash(0x3/0xf),skb_priority(0x7),in_port(2),skb_mark(0x10/0xff),eth(),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:00)" "1,2,3"`,
  `"in_port(1),ct_state(+trk+est-new),ct_zone(0x5),ct_mark(0x1/0xf),ct_label(0x1/0xff),eth(),eth_type(0x0800),ct_tuple4(src=0.0.0.0/0.0.0.0,proto=17,tp_src=53),ipv4(proto=17,frag=no),udp(src=53,dst=1000/0xff00)" "recirc(0x2)"`,
  `"ufid:0a1b2c3d-0000-4000-8000-00000000000f in_port(3),eth(),eth_type(0x86dd),ipv6(src=fe80::1,dst=ff02::/ff00::,label=0x12345,proto=58,tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=fe80::2,sll=00:00:00:00:00:03,tll=00:00:00:00:00:00)" "userspace(pid=1,slow_path(match))"`,
  `"in_port(1),eth(),eth_type(0x86dd),ct_tuple6(proto=6,tp_dst=443),ipv6(proto=6,frag=no),tcp(dst=443),tcp_flags(0/0)" "set(ipv6(hlimit=63)),set(tcp(dst=8443)),1"`,
  `"in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=8,code=0))" "pop_vlan,push_vlan(vid=20,pcp=0),2"`,
  `"in_port(1),eth(),eth_type(0x88a8),vlan(vid=100),encap(eth_type(0x8100),vlan(vid=200),encap(eth_type(0x0800),ipv4(proto=132,frag=no),sctp(src=1,dst=2)))" "pop_vlan,pop_vlan,set(sctp(src=3)),4"`,
  `"in_port(2),eth(),eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=0,label=200,tc=1,ttl=63,bos=1)" "5,userspace(pid=4294967295,userdata(00112233))"`,
  `"in_port(1),eth(),eth_type(0x0800),ipv4(frag=later)" "sample(sample=12.5%,actions(userspace(pid=1,sFlow(vid=0,pcp=0,output=2)))),clone(trunc(100),1),2"`,
  `"in_port(1),eth(),eth_type(0/0xffff)" "check_pkt_len(size=1500,gt(userspace(pid=1,controller(reason=1,dont_send=0,continuation=0,recirc_id=1,rule_cookie=0x1,controller_id=0,max_len=65535))),le(1))"`,
  `"in_port(1),eth_type(0x0800),ipv4(src=192.168.0.0/255.255.0.0,frag=no)" "hash(l4(7)),meter(3),recirc(0x5)"`,
  `"in_port(p1),packet_type(ns=0,id=0),eth(),eth_type(0x1234)" "set(eth(src=00:00:00:00:00:09,dst=00:00:5e:00:00:00/ff:ff:ff:00:00:00)),set(skb_priority(0x3)),set(skb_mark(0x1/0x1)),drop"`,
  `"in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.1.1.1,proto=17,frag=first),udp()" "set(ipv4(src=1.1.1.1,dst=2.2.2.2,proto=17,tos=0,ttl=9,frag=first)),userspace(pid=2,flow_sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3,output_port=4,ingress),actions)"`,
  `"in_port(1),eth(),eth_type(0x0806),arp(op=2)" "userspace(pid=3,ipfix(output_port=1),tunnel_out_port=2),clone(clone(clone(1)))"`,
  `system@ovs-system "in_port(1),eth()" drop`,
];

/** Parseable pairs the datapath refuses (unsupported actions, userspace-only attributes): mutation donors. */
export const ADD_FLOW_REFUSED: readonly string[] = [
  `"in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)" "ct(commit,zone=5,mark=0x1/0xff,label=0x1,nat(src=10.0.0.1-10.0.0.9:1024-2048,persistent,random)),ct_clear,1"`,
  `"in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)" "push_mpls(label=1,tc=0,ttl=64,bos=1,eth_type=0x8847),pop_mpls(eth_type=0x800),add_mpls(label=2,tc=0,ttl=3,bos=1,eth_type=0x8848)"`,
  `"in_port(1),eth()" "pop_eth,push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),pop_nsh(),tnl_pop(2),lb_output(3),hash(sym_l4(1))"`,
  `"in_port(1),nd_ext(nd_reserved=0x1,nd_options_type=2),eth()" "1"`,
  `"in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80)" "2"`,
  `"in_port(1),ct_state(new|trk),eth()" "2"`,
];

const NUMBERS = ['0', '1', '-1', '255', '256', '4095', '4096', '65534', '65535', '65536', '0xffff', '0x10000', '0xffffffff', '4294967296',
  '99999999999999999999', '0x1fffffffffffffffffffffffffffffffff', '1e9', '1.5', '007', '08'];
const JUNK = ['(', ')', ',', '=', '/', ':', '.', '"', "'", ' ', '\n', '\t', '\\', '|', '+', '-', '[', ']', '%', '\u00e9', '\u0000', 'drop', 'encap(', 'clone('];

/** Tokens: identifiers/numbers/addresses, runs of whitespace, single other characters. */
function tokenize(s: string): string[] {
  return s.match(/[A-Za-z0-9_.:@-]+|\s+|[^A-Za-z0-9_.:@\s-]/g) ?? [];
}

/** A nesting bomb: an action or attribute wrapped `n` times, or a run of parentheses. */
function bomb(rng: FuzzRandom, inner: string): string {
  const n = 1 + rng.below(48);
  switch (rng.below(4)) {
    case 0: return 'clone('.repeat(n) + inner + ')'.repeat(n);
    case 1: return 'check_pkt_len(size=1,gt(1),le('.repeat(n) + inner + '))'.repeat(n);
    case 2: return 'eth_type(0x8100),vlan(vid=1),encap('.repeat(n) + inner + ')'.repeat(n);
    default: return '('.repeat(n * 20) + inner + ')'.repeat(rng.below(n * 20));
  }
}

function mutateTokens(rng: FuzzRandom, toks: string[], donors: readonly string[]): void {
  const at = rng.below(toks.length + 1);
  const tok = (i: number): string => toks[i] ?? '';
  switch (rng.below(9)) {
    case 0: toks.splice(at, 1 + rng.below(3)); break;
    case 1: toks.splice(at, 0, ...toks.slice(at, at + 1 + rng.below(4))); break;
    case 2: {
      const b = rng.below(toks.length + 1);
      const x = tok(at);
      toks[at] = tok(b);
      toks[b] = x;
      break;
    }
    case 3: {
      const numeric = toks.map((x, i) => (/^(0x)?[0-9a-f]+$/i.test(x) ? i : -1)).filter((i) => i >= 0);
      if (numeric.length) toks[rng.pick(numeric)] = rng.pick(NUMBERS);
      break;
    }
    case 4: toks.splice(at, 0, rng.pick(JUNK)); break;
    case 5: toks.length = Math.min(toks.length, at); break;
    case 6: toks.splice(at, 1, bomb(rng, tok(at))); break;
    case 7: {
      const d = tokenize(rng.pick(donors));
      const from = rng.below(d.length);
      toks.splice(at, 0, ...d.slice(from, from + 1 + rng.below(12)));
      break;
    }
    default: {
      const t = tok(at);
      if (t) {
        const c = rng.below(t.length);
        toks[at] = t.slice(0, c) + String.fromCharCode(32 + rng.below(95)) + t.slice(c + 1);
      }
    }
  }
}

/** A mutated copy of `text`: one token-level edit, or two or three one time in four (see the file comment). */
export function mutateAddFlow(rng: FuzzRandom, text: string, donors: readonly string[]): string {
  const toks = tokenize(text);
  const n = rng.below(4) === 0 ? 2 + rng.below(2) : 1;
  for (let i = 0; i < n; i++) mutateTokens(rng, toks, donors);
  return toks.join('');
}
