import t from 'tap';
import { formatOdpActions, formatOdpKey } from '../flow/index.ts';
import { parseFlowRequest } from './flow-request.ts';
import type { FlowRequestError } from './flow-request.ts';
import { lineColumn, splitArgs } from './flow-request-text.ts';

const PORTS = new Map([[1, 'p1'], [2, 'p2']]);

function errorOf(text: string): FlowRequestError {
  const r = parseFlowRequest(text, { portNames: PORTS });
  if (r.ok) throw new Error(`accepted: ${text}`);
  return r.error;
}

/** Column of the first occurrence of `needle` in `text` (1-based). */
const col = (text: string, needle: string, from = 0): number => text.indexOf(needle, from) + 1;

t.test('argument splitting: quotes, offsets, errors', (t) => {
  const s = splitArgs(` "in_port(1), eth()" 'a b'c\n"x\\"y"`);
  t.ok(s.ok);
  if (s.ok) {
    t.same(s.args.map((a) => a.text), ['in_port(1), eth()', 'a bc', 'x"y']);
    t.equal(s.args[0]!.offsets[0], 2, 'offset of the first character inside the quotes');
    t.equal(s.args[1]!.offsets[4], 27, 'one past the end: after the last character');
    t.equal(s.args[2]!.offsets[1], 31, 'an escaped quote maps to its own character');
  }
  t.same(splitArgs(`"abc`), { ok: false, offset: 0, message: 'unterminated double quote' });
  t.same(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
  t.end();
});

t.test('accepted requests', (t) => {
  const r = parseFlowRequest(`"in_port(p2),eth(),eth_type(0x0806),arp(op=1)" "1,userspace(pid=3)"`, { portNames: PORTS });
  t.ok(r.ok);
  if (r.ok) {
    t.equal(formatOdpKey(r.request.key), 'in_port(2),eth(),eth_type(0x0806),arp(op=1)', 'port names in the key');
    t.equal(formatOdpActions(r.request.actions), '1,userspace(pid=3)');
    t.equal(r.request.dp, undefined);
    t.equal(r.request.ufid, undefined);
  }
  const u = parseFlowRequest(`system@ovs-system 'ufid:0A1B2C3D-0000-4000-8000-00000000000F in_port(1),eth()' drop`);
  t.same(u.ok ? [u.request.dp, u.request.ufid, u.request.actions.length] : u.error, ['system@ovs-system', '0a1b2c3d-0000-4000-8000-00000000000f', 0]);
  const pt = parseFlowRequest(`in_port(1),packet_type(ns=0,id=0),eth(),eth_type(0x1234) 2`);
  t.equal(pt.ok ? formatOdpKey(pt.request.key) : pt.error.message, 'in_port(1),eth(),eth_type(0x1234)', 'packet_type is dropped as dpif-netlink does');
  const l3 = parseFlowRequest(`in_port(1),packet_type(ns=1,id=0x86dd),ipv6(frag=no) 2`);
  t.equal(l3.ok ? formatOdpKey(l3.request.key) : l3.error.message, 'in_port(1),ipv6(frag=no),eth_type(0x86dd)', 'an L3 packet_type becomes eth_type');
  t.ok(parseFlowRequest('in_port(1),eth() ""').ok, 'empty actions: drop');
  t.end();
});

t.test('argument errors', (t) => {
  t.match(errorOf(''), { line: 1, column: 1, stage: 'arguments', message: /missing the flow key and actions/ });
  t.match(errorOf('in_port(1),eth()'), { column: 17, message: 'missing the actions argument' });
  t.match(errorOf('a b c d'), { column: 7, message: /too many arguments/ });
  const spaced = 'in_port(1), eth() 2';
  t.match(errorOf(spaced), { column: col(spaced, 'eth()'), message: /quote one that contains spaces/ });
  t.match(errorOf(`'in_port(1) 2`), { column: 1, message: 'unterminated single quote' });
  t.end();
});

t.test('parse errors point into the quoted argument', (t) => {
  const text = `  "in_port(1),eth(),eth_type(0x0800),ipv4(src=1.2.3.999)"  "2"`;
  const e = errorOf(text);
  t.match(e, { stage: 'key', line: 1, column: col(text, '1.2.3.999'), errno: 'EINVAL' });
  const acts = `"in_port(1),eth()" "1,bogus(3)"`;
  t.match(errorOf(acts), { stage: 'actions', column: col(acts, 'bogus'), message: 'unknown action' });
  const multi = `"in_port(1),\n eth(),\n eth_type(0x0800),nonsense()"\n"2"`;
  t.match(errorOf(multi), { line: 3, column: 19, token: 'nonsense' });
  const stray = `"in_port(1),eth(), actions:2" "2"`;
  t.match(errorOf(stray), { column: col(stray, 'actions:'), message: /actions are a separate argument/ });
  const names = `"in_port(1),eth()" "p2"`;
  t.match(errorOf(names), { column: col(names, 'p2'), message: 'unknown action' }, 'no port names in actions (dpctl passes none)');
  t.end();
});

t.test('semantic errors point at the attribute or action', (t) => {
  const key = `"in_port(1),eth(),eth_type(0x8100),vlan(vid=1),encap(eth_type(0x86dd),ipv6(),ipv4(src=1.2.3.4))" "2"`;
  t.match(errorOf(key), { stage: 'key', column: col(key, 'ipv4(src'), token: 'ipv4(src=1.2.3.4)', message: /ipv4\(…\) needs eth_type\(0x0800\)/ });
  const dup = `"ufid:0a1b2c3d-0000-4000-8000-00000000000f in_port(1),eth(),in_port(2)" "2"`;
  t.match(errorOf(dup), { column: col(dup, 'in_port(2)'), message: /duplicate in_port/ });
  const none = `  "in_port(1)" 2`;
  t.match(errorOf(none), { column: 4, message: /needs eth\(…\) or eth_type/ }, 'no attribute to name: the start of the key');
  const pt = `in_port(1),eth(),packet_type(ns=0,id=0),eth_type(0x0800) 2`;
  t.match(errorOf(pt), { column: col(pt, 'eth_type'), message: /missing ipv4/ }, 'paths survive the packet_type removal');
  const tcp = `in_port(1),eth(),eth_type(0x0800),ipv4(proto=6),tcp(dst=80) 2`;
  t.match(errorOf(tcp), { column: col(tcp, 'ipv4'), message: /missing tcp_flags/ });
  const ct = `in_port(1),ct_state(new),eth() 2`;
  t.match(errorOf(ct), { column: col(ct, 'ct_state'), message: /ct_state mask 0xffffffff/ });

  const nested = `in_port(1),eth() 1,check_pkt_len(size=9,gt(1),le(2,clone(3,sample(sample=5%,actions(4,ct)))))`;
  t.match(errorOf(nested), { stage: 'actions', column: col(nested, 'ct)'), errno: 'EOPNOTSUPP', token: 'ct', message: /inside action #2: ct/ });
  const gt = `in_port(1),eth() check_pkt_len(size=9,gt(check_pkt_len(size=1,gt(1),le(2)),trunc(3)),le(2))`;
  t.match(errorOf(gt), { column: col(gt, 'trunc'), message: /trunc\(3\)/ });
  const set = `in_port(1),eth(),eth_type(0x0806),arp() 1,2,set(ipv4(ttl=1))`;
  t.match(errorOf(set), { column: col(set, 'set('), token: 'set(ipv4(ttl=1))', message: /needs a flow that matches eth_type\(0x0800\) \(action #3: set/ });
  const big = `in_port(1),eth() ${Array.from({ length: 4100 }, () => '1').join(',')}`;
  t.match(errorOf(big), { errno: 'EMSGSIZE', column: 17 + 1 + 2 * 4092 });
  t.end();
});
