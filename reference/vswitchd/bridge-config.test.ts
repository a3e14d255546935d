/**
 * bridge-config, ofport-allocator and bridge-apply without a database:
 * replica rows built by hand, the reference Datapath with dummy and
 * internal ports (no root needed). Covers reading (names sorted, duplicate
 * names ignored, dangling references skipped, controllers and Flow_Table),
 * bridge MAC and datapath_id as OVS derives them, OVS's ofport allocation
 * (requests, no immediate reuse), and applying: local port 65534, dummy
 * MACs, a missing system device's error, deletion and re-adding on change.
 */
import t from 'tap';
import type { Datum, Row } from '../ovsdb/index.ts';
import { Datapath } from '../datapath/index.ts';
import { bridgeMacFromUuid, datapathIdFor, formatMac, readOvsConfig, type ReplicaView } from './bridge-config.ts';
import { BridgeApplier, type MacSource } from './bridge-apply.ts';
import { OfportAllocator } from './ofport-allocator.ts';

type Cols = Record<string, Datum>;
const s = (...keys: (string | number)[]): Datum => ({ keys });
const m = (pairs: Record<string, string>): Datum => ({ keys: Object.keys(pairs).sort(), values: Object.keys(pairs).sort().map((k) => pairs[k] ?? '') });

class FakeReplica implements ReplicaView {
  readonly tables = new Map<string, Map<string, Row>>();
  private n = 0;
  rows(table: string): ReadonlyMap<string, Row> {
    return this.tables.get(table) ?? new Map();
  }
  put(table: string, cols: Cols, uuid = `00000000-0000-4000-8000-${String(++this.n).padStart(12, '0')}`): string {
    const t = this.tables.get(table) ?? new Map<string, Row>();
    this.tables.set(table, t);
    t.set(uuid, { uuid, version: uuid, columns: new Map(Object.entries(cols)) });
    return uuid;
  }
  del(table: string, uuid: string): void {
    this.tables.get(table)?.delete(uuid);
  }
}

/** A replica with one bridge `br` and ports given as [name, type, ofport_request?]. */
function replica(br: string, ports: [string, string, number?][]): { r: FakeReplica; root: string; bridge: string; ifaces: Map<string, string> } {
  const r = new FakeReplica();
  const ifaces = new Map<string, string>();
  const portUuids = [br, ...ports.map((p) => p[0])].map((name, i) => {
    const [, type, req] = i === 0 ? [br, 'internal', undefined] : (ports[i - 1] ?? ['', '']);
    const iu = r.put('Interface', { name: s(name), type: s(type ?? ''), ofport_request: req === undefined ? s() : s(req) });
    ifaces.set(name, iu);
    return r.put('Port', { name: s(name), interfaces: s(iu) });
  });
  const bridge = r.put('Bridge', { name: s(br), ports: s(...portUuids.sort()), other_config: m({}) }, '8e1d00d2-dd5c-46a4-9699-59d3cf30a196');
  const root = r.put('Open_vSwitch', { bridges: s(bridge), next_cfg: s(3), cur_cfg: s(2) });
  return { r, root, bridge, ifaces };
}

const fixedMacs: MacSource = { systemMac: () => undefined, systemIfindex: () => undefined, random: () => Uint8Array.from([2, 0, 0, 0, 0, 1]) };

t.test('readOvsConfig: bridges, ports and interfaces by name; cfg numbers; empty database', async (t) => {
  t.same(readOvsConfig(new FakeReplica()), { nextCfg: 0, curCfg: 0, bridges: [] });
  const { r } = replica('br0', [['p2', 'dummy'], ['p1', '', 5]]);
  const c = readOvsConfig(r);
  t.equal(c.nextCfg, 3);
  t.equal(c.curCfg, 2);
  t.same(c.bridges.map((b) => b.name), ['br0']);
  t.same(c.bridges[0]?.ports.map((p) => p.name), ['br0', 'p1', 'p2']);
  t.same(c.bridges[0]?.ports[1]?.interfaces[0], { uuid: c.bridges[0]?.ports[1]?.interfaces[0]?.uuid, name: 'p1', type: '', ofportRequest: 5, options: new Map() });
});

t.test('readOvsConfig: dangling references skipped, an interface name used twice keeps the first bridge', async (t) => {
  const { r, root, bridge } = replica('br0', [['p1', 'dummy']]);
  const i2 = r.put('Interface', { name: s('p1'), type: s('dummy') });
  const p2 = r.put('Port', { name: s('x1'), interfaces: s(i2, 'ffffffff-0000-4000-8000-000000000000') });
  const b2 = r.put('Bridge', { name: s('br1'), ports: s(p2), fail_mode: s('secure') });
  const ctl = r.put('Controller', { target: s('tcp:127.0.0.1:6653') });
  const ft = r.put('Flow_Table', { name: s('t0'), flow_limit: s(100), groups: s(), prefixes: s('ip_dst') });
  const old = r.rows('Bridge').get(bridge);
  r.put('Bridge', { ...Object.fromEntries(old?.columns ?? []), controller: s(ctl), flow_tables: { keys: [0], values: [ft] } }, bridge);
  r.put('Open_vSwitch', { bridges: s(...[bridge, b2].sort()), next_cfg: s(1), cur_cfg: s(1) }, root);
  const c = readOvsConfig(r);
  t.same(c.bridges.map((b) => b.name), ['br0', 'br1']);
  t.same(c.bridges[1]?.ports, [], 'p1 already belongs to br0: br1 has no usable port');
  t.equal(c.bridges[1]?.failMode, 'secure');
  t.same(c.bridges[0]?.controllers.map((x) => x.target), ['tcp:127.0.0.1:6653']);
  t.same(c.bridges[0]?.flowTables.get(0), { uuid: ft, name: 't0', flowLimit: 100, groups: [], prefixes: ['ip_dst'] });
});

t.test('bridge MAC and datapath_id as ovs-vswitchd derives them', async (t) => {
  // Observed on Open vSwitch 3.1: bridge 8e1d00d2-dd5c-46a4-… got d2:00:1d:8e:a4:46 and datapath_id 0000d2001d8ea446.
  t.equal(formatMac(bridgeMacFromUuid('8e1d00d2-dd5c-46a4-9699-59d3cf30a196')), 'd2:00:1d:8e:a4:46');
  const { r } = replica('br0', []);
  const b = readOvsConfig(r).bridges[0];
  if (!b) throw new Error('no bridge');
  t.equal(datapathIdFor(b, bridgeMacFromUuid(b.uuid)), '0000d2001d8ea446');
  t.equal(datapathIdFor({ ...b, otherConfig: new Map([['datapath-id', '00000000000000AB']]) }, bridgeMacFromUuid(b.uuid)), '00000000000000ab');
});

t.test('OfportAllocator: requests, then counting on, no immediate reuse, LRU when exhausted', async (t) => {
  const a = new OfportAllocator();
  t.equal(a.allocate(5), 5);
  t.equal(a.allocate(), 1);
  t.equal(a.allocate(), 2);
  t.equal(a.allocate(5), 3, 'a request for a number in use falls back to allocation');
  a.release(1);
  t.equal(a.allocate(), 4, 'a released number is not handed out again at once');
  t.equal(a.allocate(1), 1, 'but it can be requested');
});

t.test('BridgeApplier: local port, dummy ports, requested numbers, errors, removal', async (t) => {
  const dp = new Datapath({ name: 'ovs-system' });
  t.teardown(() => dp.close());
  const ap = new BridgeApplier(dp, fixedMacs);
  const { r, ifaces, bridge } = replica('br0', [['p1', 'dummy', 5], ['p2', 'dummy'], ['nosuchdev0', '']]);
  let res = await ap.apply(readOvsConfig(r));
  const st = (n: string) => res.interfaces.get(ifaces.get(n) ?? '');
  t.match(st('br0'), { ofport: 65534, macInUse: 'd2:00:1d:8e:a4:46' });
  t.match(st('p1'), { ofport: 5, macInUse: 'aa:55:aa:55:00:00', dpPortNo: 5, up: true });
  t.match(st('p2'), { ofport: 1, macInUse: 'aa:55:aa:55:00:01' });
  t.same(st('nosuchdev0'), { ofport: -1, up: false, error: 'could not open network device nosuchdev0 (No such device)' });
  t.same(res.bridges.get(bridge), { mac: 'd2:00:1d:8e:a4:46', datapathId: '0000d2001d8ea446' });
  t.same(dp.vportDump().map((p) => p.name).sort(), ['br0', 'ovs-system', 'p1', 'p2']);

  // Same config again: nothing changes. Then p2 goes, p3 comes: p3 gets 2, not p2's 1.
  res = await ap.apply(readOvsConfig(r));
  t.match(st('p2'), { ofport: 1, macInUse: 'aa:55:aa:55:00:01' });
  const brRow = r.rows('Bridge').get(bridge);
  const p2Port = [...r.rows('Port').values()].find((p) => p.columns.get('name')?.keys[0] === 'p2')?.uuid ?? '';
  const i3 = r.put('Interface', { name: s('p3'), type: s('dummy') });
  const p3 = r.put('Port', { name: s('p3'), interfaces: s(i3) });
  const ports = (brRow?.columns.get('ports')?.keys ?? []).map(String).filter((u) => u !== p2Port).concat(p3).sort();
  r.put('Bridge', { ...Object.fromEntries(brRow?.columns ?? []), ports: s(...ports) }, bridge);
  res = await ap.apply(readOvsConfig(r));
  t.match(res.interfaces.get(i3), { ofport: 2 });
  t.same(dp.vportDump().map((p) => p.name).sort(), ['br0', 'ovs-system', 'p1', 'p3']);

  // A changed type re-adds the port; an unknown type is refused as OVS refuses it.
  r.put('Interface', { name: s('p3'), type: s('vxlan') }, i3);
  res = await ap.apply(readOvsConfig(r));
  t.same(res.interfaces.get(i3), { ofport: -1, up: false, error: 'could not open network device p3 (Address family not supported by protocol)' });

  // The bridge goes: every port of it leaves the datapath.
  r.put('Open_vSwitch', { bridges: s(), next_cfg: s(4), cur_cfg: s(3) }, [...r.rows('Open_vSwitch').keys()][0]);
  res = await ap.apply(readOvsConfig(r));
  t.equal(res.interfaces.size, 0);
  t.same(dp.vportDump().map((p) => p.name), ['ovs-system']);
});
