import t from 'tap';
import { FLOW_BYTES, FlowKey, FlowOffset, FlowSegmentBytes } from './flow-key.ts';

t.test('layout: fields are in order, aligned to their width, within 256 bytes, and do not straddle segments', (t) => {
  const widths: Record<string, number> = {
    metadata: 8, regs: 64, ct_label: 16, dl_dst: 6, dl_src: 6, mpls_lse: 12,
    ipv6_src: 16, ipv6_dst: 16, nd_target: 16, arp_sha: 6, arp_tha: 6,
    ct_state: 1, ct_nw_proto: 1, nw_frag: 1, nw_tos: 1, nw_ttl: 1, nw_proto: 1,
    ct_zone: 2, dl_type: 2, vlan0_tpid: 2, vlan0_tci: 2, vlan1_tpid: 2, vlan1_tci: 2,
    tcp_flags: 2, tp_src: 2, tp_dst: 2, ct_tp_src: 2, ct_tp_dst: 2,
  };
  const entries = Object.entries(FlowOffset).sort((a, b) => a[1] - b[1]);
  let prevEnd = 0;
  for (const [name, off] of entries) {
    const w = widths[name] ?? 4;
    t.ok(off >= prevEnd, `${name} at ${off} does not overlap the previous field ending at ${prevEnd}`);
    const seg = [0, ...FlowSegmentBytes, FLOW_BYTES];
    const s = seg.findIndex((b, i) => off >= b && off < seg[i + 1]!);
    t.ok(off + w <= seg[s + 1]!, `${name} stays inside its segment`);
    prevEnd = off + w;
  }
  t.ok(prevEnd <= FLOW_BYTES);
  t.end();
});

t.test('masking operations work word by word', (t) => {
  const a = new FlowKey();
  const b = new FlowKey();
  const m = new FlowKey();
  a.view.setUint32(FlowOffset.nw_src, 0x0a000001);
  b.view.setUint32(FlowOffset.nw_src, 0x0a000002);
  m.view.setUint32(FlowOffset.nw_src, 0xfffffffc);
  t.ok(a.equalsMasked(b, m));
  m.view.setUint32(FlowOffset.nw_src, 0xffffffff);
  t.notOk(a.equalsMasked(b, m));
  const c = a.clone().andWith(m);
  t.ok(c.equals(a));
  t.notOk(c.isZero());
  t.ok(new FlowKey().isZero());
  t.ok(FlowKey.allOnes().words.every((w) => w === 0xffffffff));
  t.throws(() => new FlowKey(new ArrayBuffer(300), 2), RangeError);
  t.end();
});
