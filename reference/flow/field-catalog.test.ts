import t from 'tap';
import { FLOW_BYTES, FlowKey, FlowOffset } from './flow-key.ts';
import { FIELDS, FIELD_LIST, FIELD_DEFS, STORAGE_EXCEPTIONS, fieldByName, isFieldName, type FieldName } from './field-catalog.ts';
import {
  getField, setField, getFieldMask, setFieldMask, setFieldExact, isFieldExact, isFieldWildcarded, readField, writeField,
} from './field-access.ts';
import { arePrereqsOk, prereqMatchFields } from './field-prereqs.ts';

t.test('every field lies inside its slot and the slot inside the FlowKey', (t) => {
  const slotOrder = Object.entries(FlowOffset).sort((a, b) => a[1] - b[1]);
  for (const f of FIELD_LIST) {
    const start = FlowOffset[f.slot];
    const next = slotOrder.find(([, off]) => off > start)?.[1] ?? FLOW_BYTES;
    t.ok(f.offset >= start && f.offset + f.bytes <= next, `${f.name} [${f.offset},${f.offset + f.bytes}) within slot ${f.slot} [${start},${next})`);
    t.ok(f.offset + f.bytes <= FLOW_BYTES, `${f.name} within FlowKey`);
    if (f.bytes <= 4) {
      const slotMax = f.bytes === 4 ? 0xffffffff : 2 ** (f.bytes * 8) - 1;
      t.equal((f.bitMask & ~slotMax) >>> 0, 0, `${f.name} bit mask fits its ${f.bytes}-byte storage`);
      t.not(f.bitMask, 0, `${f.name} has bits`);
    }
  }
  t.end();
});

t.test('stored widths equal meta-flow widths except the documented exceptions', (t) => {
  for (const f of FIELD_LIST) {
    if (STORAGE_EXCEPTIONS[f.name] !== undefined) {
      t.not(f.storedBits, f.bits, `${f.name} is a real exception: ${STORAGE_EXCEPTIONS[f.name]}`);
    } else {
      t.equal(f.storedBits, f.bits, `${f.name} stores ${f.bits} bits`);
    }
    t.equal(f.valueKind, f.bits > 32 ? 'bigint' : 'number', `${f.name} value kind`);
  }
  t.end();
});

t.test('names and aliases are unique and resolve', (t) => {
  const seen = new Set<string>();
  for (const f of FIELD_LIST) {
    for (const n of [f.name, ...f.aliases]) {
      t.notOk(seen.has(n), `${n} used once`);
      seen.add(n);
      t.equal(fieldByName(n), f, `${n} resolves to ${f.name}`);
    }
  }
  t.equal(fieldByName('eth_src')?.name, 'dl_src');
  t.equal(fieldByName('ip_frag')?.name, 'nw_frag');
  t.equal(fieldByName('ip_proto')?.name, 'nw_proto');
  t.equal(fieldByName('ipv4_dst')?.name, 'nw_dst');
  t.equal(fieldByName('DL_SRC'), undefined, 'names are case-sensitive');
  t.equal(fieldByName('nonsense'), undefined);
  t.ok(isFieldName('reg15'));
  t.notOk(isFieldName('eth_src'), 'aliases are not canonical names');
  t.end();
});

t.test('the names the brief lists are all present', (t) => {
  const wanted = ('in_port dl_src dl_dst dl_type vlan_tci dl_vlan dl_vlan_pcp vlan_vid vlan_pcp nw_src nw_dst ipv6_src ipv6_dst ipv6_label ' +
    'nw_proto nw_tos ip_dscp nw_ecn nw_ttl ip_frag nw_frag arp_op arp_spa arp_tpa arp_sha arp_tha tp_src tp_dst tcp_flags icmp_type icmp_code ' +
    'icmpv6_type icmpv6_code nd_target nd_sll nd_tll metadata reg0 reg15 pkt_mark skb_priority recirc_id dp_hash conj_id ct_state ct_zone ' +
    'ct_mark ct_label packet_type actset_output mpls_label mpls_tc mpls_bos mpls_ttl eth_src tcp_dst').split(' ');
  for (const n of wanted) t.ok(fieldByName(n), n);
  t.end();
});

t.test('sub-fields share slots without disturbing their neighbours', (t) => {
  const k = new FlowKey();
  setField(k, 'vlan_tci', 0xb00a); // pcp 5, CFI, vid 10
  t.equal(getField(k, 'dl_vlan'), 10);
  t.equal(getField(k, 'dl_vlan_pcp'), 5);
  t.equal(getField(k, 'vlan_vid'), 0x100a, 'OXM vlan_vid carries the present bit');
  setField(k, 'dl_vlan', 0x123);
  t.equal(k.view.getUint16(FlowOffset.vlan0_tci), 0xb123);
  setField(k, 'vlan_pcp', 2);
  t.equal(k.view.getUint16(FlowOffset.vlan0_tci), 0x5123);

  k.view.setUint8(FlowOffset.nw_tos, 0xb9); // dscp 46, ecn 1
  t.equal(getField(k, 'ip_dscp'), 46);
  t.equal(getField(k, 'nw_tos'), 0xb8);
  t.equal(getField(k, 'nw_ecn'), 1);
  setField(k, 'nw_ecn', 2);
  t.equal(k.view.getUint8(FlowOffset.nw_tos), 0xba);
  setField(k, 'nw_tos', 0x23); // ECN bits of the value are dropped
  t.equal(k.view.getUint8(FlowOffset.nw_tos), 0x22);

  k.view.setUint32(FlowOffset.mpls_lse, (100 << 12) | (5 << 9) | (1 << 8) | 64);
  t.equal(getField(k, 'mpls_label'), 100);
  t.equal(getField(k, 'mpls_tc'), 5);
  t.equal(getField(k, 'mpls_bos'), 1);
  t.equal(getField(k, 'mpls_ttl'), 64);
  setField(k, 'mpls_label', 0xfffff);
  t.equal(k.view.getUint32(FlowOffset.mpls_lse), 0xfffffb40);

  setField(k, 'reg3', 0xdeadbeef);
  t.equal(k.view.getUint32(FlowOffset.regs + 12), 0xdeadbeef);
  t.equal(getField(k, 'reg3'), 0xdeadbeef);
  setField(k, 'icmp_type', 135);
  t.equal(k.view.getUint16(FlowOffset.tp_src), 135);
  t.end();
});

t.test('wide fields are bigints in host order', (t) => {
  const k = new FlowKey();
  setField(k, 'dl_src', 0x0a0b0c0d0e0fn);
  t.same([...k.bytes.subarray(FlowOffset.dl_src, FlowOffset.dl_src + 6)], [10, 11, 12, 13, 14, 15]);
  t.equal(getField(k, 'dl_src'), 0x0a0b0c0d0e0fn);
  setField(k, 'ipv6_src', 0x20010db8000000000000000000000001n);
  t.equal(Buffer.from(k.bytes.subarray(FlowOffset.ipv6_src, FlowOffset.ipv6_src + 16)).toString('hex'), '20010db8000000000000000000000001');
  t.equal(getField(k, 'ipv6_src'), 0x20010db8000000000000000000000001n);
  setField(k, 'metadata', 0xffffffffffffffffn);
  t.equal(getField(k, 'metadata'), 0xffffffffffffffffn);
  setField(k, 'nd_sll', 0xffffffffffffn);
  t.equal(getField(k, 'arp_sha'), 0xffffffffffffn, 'nd_sll and arp_sha share storage');
  t.throws(() => setField(k, 'dl_dst', -1n), RangeError);
  t.throws(() => setField(k, 'nw_ttl', 1.5), RangeError);
  t.end();
});

t.test('masks share the layout: exact, wildcarded, partial', (t) => {
  const m = new FlowKey();
  for (const f of FIELD_LIST) {
    t.ok(isFieldWildcarded(m, f), `${f.name} starts wildcarded`);
    setFieldExact(m, f);
    t.ok(isFieldExact(m, f), `${f.name} exact after setFieldExact`);
    m.clear();
  }
  setFieldMask(m, 'nw_src', 0xffffff00);
  t.equal(getFieldMask(m, 'nw_src'), 0xffffff00);
  t.notOk(isFieldExact(m, FIELDS.nw_src));
  t.notOk(isFieldWildcarded(m, FIELDS.nw_src));
  setFieldExact(m, FIELDS.dl_vlan);
  t.equal(m.view.getUint16(FlowOffset.vlan0_tci), 0x0fff);
  t.end();
});

t.test('every field round-trips a random value through write/read', (t) => {
  const k = new FlowKey();
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (const f of FIELD_LIST) {
    for (let i = 0; i < 20; i++) {
      k.clear();
      if (f.valueKind === 'bigint') {
        let v = 0n;
        for (let b = 0; b < f.bytes; b++) v = (v << 8n) | BigInt(rnd() & 0xff);
        writeField(k, f, v);
        t.equal(readField(k, f), v, `${f.name} ${v.toString(16)}`);
      } else {
        const v = (rnd() & (f.bitMask >>> f.shift)) >>> 0;
        writeField(k, f, v);
        t.equal(readField(k, f), v, `${f.name} ${v}`);
      }
    }
  }
  t.end();
});

t.test('prerequisites follow mf_are_prereqs_ok and mark inspected bits', (t) => {
  const k = new FlowKey();
  const wc = new FlowKey();
  setField(k, 'dl_type', 0x0800);
  setField(k, 'nw_proto', 6);
  t.ok(arePrereqsOk(FIELDS.tcp_src.prereq, k, wc));
  t.equal(getFieldMask(wc, 'nw_proto'), 0xff, 'nw_proto marked');
  t.equal(getFieldMask(wc, 'dl_type'), 0, 'dl_type left to translation');
  t.ok(arePrereqsOk('tp', k));
  t.notOk(arePrereqsOk('udp', k));
  t.notOk(arePrereqsOk('ipv6', k));
  t.ok(arePrereqsOk('ip_any', k));
  setField(k, 'nw_frag', 3);
  t.notOk(arePrereqsOk('tcp', k), 'later fragments have no ports');
  t.ok(arePrereqsOk('ip_any', k));

  const nd = new FlowKey();
  setField(nd, 'dl_type', 0x86dd);
  setField(nd, 'nw_proto', 58);
  setField(nd, 'icmpv6_type', 136);
  const ndWc = new FlowKey();
  t.ok(arePrereqsOk('nd', nd, ndWc));
  t.ok(arePrereqsOk('nd_advert', nd));
  t.notOk(arePrereqsOk('nd_solicit', nd));
  t.equal(getFieldMask(ndWc, 'tp_src'), 0xffff);
  t.equal(getFieldMask(ndWc, 'tp_dst'), 0xffff);
  setField(nd, 'icmpv6_code', 1);
  t.notOk(arePrereqsOk('nd', nd), 'ND needs code 0');

  const v = new FlowKey();
  t.notOk(arePrereqsOk('vlan_vid', v));
  setField(v, 'vlan_tci', 0x1000);
  t.ok(arePrereqsOk('vlan_vid', v));
  setField(v, 'packet_type', 0x10800); // (ns=1, id=0x800): an IPv4 packet without Ethernet
  t.notOk(arePrereqsOk('ethernet', v));
  t.ok(arePrereqsOk('ipv4', v), 'non-Ethernet packet_type gives the ethertype');

  t.same(prereqMatchFields('icmpv4'), [{ dl_type: 0x0800, nw_proto: 1 }]);
  t.equal(prereqMatchFields('tp').length, 6);
  for (const name of Object.keys(FIELD_DEFS) as FieldName[]) {
    for (const term of prereqMatchFields(FIELDS[name].prereq)) {
      for (const dep of Object.keys(term)) t.ok(fieldByName(dep), `${name} prerequisite names field ${dep}`);
    }
  }
  t.end();
});
