import t from 'tap';
import { FlowOffset } from './flow-key.ts';
import { formatOfMatch } from './of-flow-format.ts';
import { parseOfFlow } from './of-flow-parse.ts';

t.test('fields, shorthands, aliases and masks land in the FlowKey', (t) => {
  const r = parseOfFlow('tcp6, in_port=LOCAL ipv6_src=2001:db8::/32,tp_dst=0x40/0xfff0,tcp_flags=+syn-ack,eth_src=02:00:00:00:00:01/ff:ff:00:00:00:00');
  if (!r.ok) return t.fail(JSON.stringify(r.error));
  const v = r.flow.view;
  const m = r.mask.view;
  t.equal(v.getUint16(FlowOffset.dl_type), 0x86dd);
  t.equal(v.getUint8(FlowOffset.nw_proto), 6);
  t.equal(v.getUint32(FlowOffset.in_port), 0xfffe);
  t.equal(m.getUint32(FlowOffset.ipv6_src), 0xffffffff);
  t.equal(m.getUint32(FlowOffset.ipv6_src + 4), 0);
  t.equal(v.getUint16(FlowOffset.tp_dst), 0x40);
  t.equal(m.getUint16(FlowOffset.tp_dst), 0xfff0);
  t.equal(v.getUint16(FlowOffset.tcp_flags), 0x002);
  t.equal(m.getUint16(FlowOffset.tcp_flags), 0x012);
  t.equal(formatOfMatch(r.flow, r.mask), 'tcp6,in_port=LOCAL,dl_src=02:00:00:00:00:00/ff:ff:00:00:00:00,ipv6_src=2001:db8::/32,tp_dst=0x40/0xfff0,tcp_flags=+syn-ack');
  t.end();
});

t.test('sub-fields: VLAN present bit, DSCP/ECN, MPLS label stack entry', (t) => {
  const r = parseOfFlow('dl_vlan=10,dl_vlan_pcp=5,ip,ip_dscp=46,nw_ecn=2,mpls_label=100,mpls_ttl=7');
  if (!r.ok) return t.fail(JSON.stringify(r.error));
  t.equal(r.flow.view.getUint16(FlowOffset.vlan0_tci), 0xb00a);
  t.equal(r.mask.view.getUint16(FlowOffset.vlan0_tci), 0xffff);
  t.equal(r.flow.view.getUint8(FlowOffset.nw_tos), 184 | 2);
  t.equal(r.flow.view.getUint32(FlowOffset.mpls_lse), (100 << 12) | 7);
  t.equal(r.mask.view.getUint32(FlowOffset.mpls_lse), 0xfffff0ff);
  const none = parseOfFlow('dl_vlan=0xffff');
  t.ok(none.ok && none.mask.view.getUint16(FlowOffset.vlan0_tci) === 0xffff && none.flow.view.getUint16(FlowOffset.vlan0_tci) === 0, 'dl_vlan=0xffff means no tag');
  t.end();
});

t.test('errors name the column and token, and never throw', (t) => {
  const cases: Array<[string, number, string, RegExp]> = [
    ['tcp,bogus=1', 5, 'bogus', /unknown field/],
    ['tcp,nw_src=10.0.0.300', 12, '10.0.0.300', /IPv4/],
    ['tcp,tp_dst=70000', 12, '70000', /out of range/],
    ['ip,nw_tos=3', 11, '3', /out of range/],
    ['ip,nw_ttl=1/2', 11, '1/2', /does not support masking/],
    ['ip,nw_frag=maybe', 12, 'maybe', /nw_frag/],
    ['tcp,tcp_flags=syn|nope', 15, 'syn|nope', /flag/],
    ['ip,ipv6', 4, 'ipv6', /Ethernet type set multiple times/],
    ['tcp,udp', 5, 'udp', /network protocol set multiple times/],
    ['tcp,tp_src=1,tp_src=2', 14, 'tp_src', /set multiple times/],
    ['in_port=eth7', 9, 'eth7', /port/],
    ['frobnicate', 1, 'frobnicate', /unknown protocol/],
    ['packet_type=(1,x)', 13, '(1,x)', /packet_type/],
    ['dl_src=02:00:00:00:00:01/zz', 8, '02:00:00:00:00:01/zz', /mask/],
  ];
  for (const [text, column, token, message] of cases) {
    const r = parseOfFlow(text);
    t.notOk(r.ok, `${text} is rejected`);
    if (!r.ok) {
      t.equal(r.error.column, column, `${text}: column`);
      t.equal(r.error.token, token, `${text}: token`);
      t.match(r.error.message, message, `${text}: message`);
    }
  }
  t.end();
});

t.test('random and truncated text never throws', (t) => {
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) >>> 0) >>> 8;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz_0123456789=,/:.|+-() x';
  const base = 'recirc_id=0,eth,tcp,in_port=1,nw_dst=10.0.0.0/24,nw_frag=no,tp_dst=0x40/0xffc0,tcp_flags=+syn-ack,packet_type=(0,0x800)';
  let parsed = 0;
  for (let i = 0; i < 3000; i++) {
    let text: string;
    if (i < base.length) text = base.slice(0, i);
    else {
      const chars = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]);
      text = i % 2 === 0 ? chars.join('') : base.replace(/./g, (c) => (next() % 17 === 0 ? alphabet[next() % alphabet.length]! : c));
    }
    try {
      const r = parseOfFlow(text);
      if (r.ok) {
        parsed++;
        formatOfMatch(r.flow, r.mask);
      } else if (!(r.error.column >= 1 && r.error.column <= text.length + 1)) t.fail(`column ${r.error.column} outside ${JSON.stringify(text)}`);
    } catch (e) {
      t.fail(`threw on ${JSON.stringify(text)}: ${String(e)}`);
    }
  }
  t.ok(parsed > 0, `${parsed} of 3000 inputs parsed`);
  t.end();
});
