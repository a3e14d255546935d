/**
 * OvsdbClient and Idl against each OVSDB server — Open vSwitch 3.1's
 * ovsdb-server and the reference OvsdbServer — on a fresh Open_vSwitch
 * database: the replica equals `ovsdb-client dump`
 * after ovs-vsctl commands; transactions insert with references, verify,
 * retry under a concurrent writer, increment next_cfg, report 'unchanged';
 * a closed connection rejects pending work. Skipped with the reason when
 * Open vSwitch is not installed.
 */
import t, { type Test } from 'tap';
import { OvsdbClient } from './client.ts';
import { Idl, IdlTxnError } from './idl.ts';
import { compareWithDump, dumpTables, OVSDB_PEERS, type OvsdbPeer } from './idl-test-peer.ts';
import type { Datum } from './ovsdb-types.ts';

const WAIT_MS = 10_000;

const str = (s: string): Datum => ({ keys: [s] });
const uuids = (...u: string[]): Datum => ({ keys: [...u].sort() });

async function open(t: Test, peer: OvsdbPeer): Promise<{ client: OvsdbClient; idl: Idl; vsctl: (...a: string[]) => string; target: string; stop: () => void }> {
  const server = await peer.start(t);
  server.vsctl('init');
  const client = await OvsdbClient.connect(server.target);
  t.teardown(() => client.close());
  const idl = await Idl.open(client, 'Open_vSwitch', {
    Open_vSwitch: 'all', Bridge: 'all', Port: 'all', Interface: 'all', Controller: 'all', Flow_Table: 'all',
  });
  t.teardown(() => idl.close());
  return { client, idl, vsctl: server.vsctl, target: server.target, stop: server.stop };
}

function rootUuid(idl: Idl): string {
  const [uuid] = idl.rows('Open_vSwitch').keys();
  if (!uuid) throw new Error('no Open_vSwitch row');
  return uuid;
}

for (const peer of OVSDB_PEERS) t.test(peer.name, { skip: peer.missing ?? false }, async (t) => {
  t.test('client methods', async (t) => {
    const server = await peer.start(t);
    const client = await OvsdbClient.connect(server.target);
    t.teardown(() => client.close());
    t.same(await client.listDbs(), ['Open_vSwitch', '_Server']);
    const schema = await client.getSchema('Open_vSwitch');
    t.equal(schema.name, 'Open_vSwitch');
    t.same(await client.transact('Open_vSwitch', [{ op: 'select', table: 'Bridge', where: [] }]), [{ rows: [] }]);
    const err = await client.getSchema('Nope').catch((e: unknown) => e);
    t.match(err, { name: 'JsonRpcError', error: { error: 'unknown database' } });
  });

  t.test('the replica equals ovsdb-client dump after ovs-vsctl commands', async (t) => {
    const { idl, vsctl, target } = await open(t, peer);
    t.ok(idl.usesMonitorCond, 'ovsdb-server takes monitor_cond');
    let changes = 0;
    idl.onChange(() => changes++);
    vsctl('add-br', 'br0', '--', 'set', 'bridge', 'br0', 'fail-mode=secure', 'other-config:datapath-id=0000000000000001');
    vsctl('add-port', 'br0', 'p1', '--', 'set', 'interface', 'p1', 'ofport_request=1', 'type=internal');
    vsctl('add-port', 'br0', 'p2');
    vsctl('set', 'interface', 'p2', 'options:foo=bar', 'external-ids:x=y');
    vsctl('set-controller', 'br0', 'tcp:127.0.0.1:6653');
    vsctl('remove', 'interface', 'p2', 'external-ids', 'x');
    vsctl('del-port', 'br0', 'p1');
    vsctl('add-br', 'br1', '--', 'set', 'bridge', 'br1', 'protocols=OpenFlow10,OpenFlow13');
    vsctl('clear', 'bridge', 'br0', 'controller');
    vsctl('del-br', 'br1');
    const dump = dumpTables(target);
    await idl.waitFor(() => compareWithDump(idl.schema, dump, (tb) => idl.rows(tb)).length === 0, WAIT_MS).catch(() => undefined);
    t.same(compareWithDump(idl.schema, dump, (tb) => idl.rows(tb)), []);
    t.equal(idl.rows('Bridge').size, 1);
    t.equal(idl.rows('Interface').size, 2, 'br0 and p2');
    t.ok(changes >= 10, `one update per commit at least (${changes})`);
  });

  t.test('insert with references, verify, increment', async (t) => {
    const { idl, vsctl } = await open(t, peer);
    const root = rootUuid(idl);
    const r = await idl.transact((txn) => {
      txn.verify('Open_vSwitch', root, 'bridges');
      const iface = txn.insert('Interface', { name: str('br9') , type: str('internal') });
      const port = txn.insert('Port', { name: str('br9'), interfaces: uuids(iface) });
      const br = txn.insert('Bridge', { name: str('br9'), ports: uuids(port) });
      txn.update('Open_vSwitch', root, { bridges: uuids(br) });
      txn.increment('Open_vSwitch', root, 'next_cfg');
      txn.comment('idl test: add br9');
      return br;
    });
    t.equal(r.status, 'success');
    t.equal(r.incremented, 1);
    const real = r.insertedUuids.get(r.value);
    t.ok(real && idl.row('Bridge', real), 'the replica has the new bridge when transact resolves');
    t.equal(vsctl('get', 'bridge', 'br9', '_uuid').trim(), real);
    t.equal(vsctl('get', 'open_vswitch', '.', 'next_cfg').trim(), '1');

    const again = await idl.transact((txn) => txn.increment('Open_vSwitch', root, 'next_cfg'));
    t.equal(again.status, 'unchanged', 'increment alone changes nothing');
    const forced = await idl.transact((txn) => txn.increment('Open_vSwitch', root, 'next_cfg', { force: true }));
    t.equal(forced.incremented, 2);

    const same = await idl.transact((txn) => {
      txn.verify('Open_vSwitch', root, 'bridges');
      if (real) txn.update('Bridge', real, { name: str('br9') });
    });
    t.equal(same.status, 'unchanged', 'rewriting equal values sends nothing');

    const dup = await idl
      .transact((txn) => {
        const br = txn.insert('Bridge', { name: str('br9') });
        txn.update('Open_vSwitch', root, { bridges: uuids(...(real ? [real] : []), br) });
      })
      .catch((e: unknown) => e);
    t.type(dup, IdlTxnError);
    t.match(dup, { error: { error: 'constraint violation' } }, 'a second bridge named br9 violates the index');
  });

  t.test('mutations, also on rows inserted in the same transaction', async (t) => {
    const { idl, vsctl } = await open(t, peer);
    const root = rootUuid(idl);
    const r = await idl.transact((txn) => {
      const br = txn.insert('Bridge', { name: str('m0') });
      const iface = txn.insert('Interface', { name: str('m1') });
      const port = txn.insert('Port', { name: str('m1'), interfaces: uuids(iface) });
      txn.mutate('Bridge', br, 'ports', 'insert', uuids(port));
      txn.mutate('Bridge', br, 'external_ids', 'insert', { keys: ['a', 'b'], values: ['1', '2'] });
      txn.mutate('Open_vSwitch', root, 'bridges', 'insert', uuids(br));
      return br;
    });
    const br = r.insertedUuids.get(r.value) ?? '';
    t.same(idl.row('Bridge', br)?.columns.get('external_ids'), { keys: ['a', 'b'], values: ['1', '2'] });
    await idl.transact((txn) => txn.mutate('Bridge', br, 'external_ids', 'delete', { keys: ['a'] }));
    t.equal(vsctl('get', 'bridge', 'm0', 'external_ids').trim(), '{b="2"}');
    t.equal(vsctl('list-ports', 'm0').trim(), 'm1');
  });

  t.test('verify fails under a concurrent writer, the build runs again', async (t) => {
    const { idl, vsctl } = await open(t, peer);
    const root = rootUuid(idl);
    const seen: number[] = [];
    let attempts = 0;
    const r = await idl.transact((txn) => {
      attempts++;
      const before = idl.row('Open_vSwitch', root)?.columns.get('bridges')?.keys ?? [];
      seen.push(before.length);
      txn.verify('Open_vSwitch', root, 'bridges');
      const br = txn.insert('Bridge', { name: str('mine') });
      txn.update('Open_vSwitch', root, { bridges: uuids(...(before as string[]), br) });
      // Another client adds a bridge after we read: our verify must fail once.
      if (attempts === 1) vsctl('add-br', 'theirs');
      return attempts;
    });
    t.equal(r.status, 'success');
    t.equal(r.value, 2, 'built twice');
    t.same(seen, [0, 1], 'the second build saw the other bridge');
    t.same(vsctl('--bare', '--columns=name', 'find', 'bridge').split('\n').filter(Boolean).sort(), ['mine', 'theirs']);

    let n = 0;
    await t.rejects(
      idl.transact((txn) => {
        n++;
        const cur = idl.row('Open_vSwitch', root)?.columns.get('bridges')?.keys ?? [];
        txn.verify('Open_vSwitch', root, 'bridges');
        txn.update('Open_vSwitch', root, { bridges: uuids(...(cur as string[]).slice(1)) });
        vsctl('add-br', `other${n}`);
      }, { maxAttempts: 2 }),
      { name: 'IdlTxnError', message: /still conflicting after 2 attempts/ },
    );
  });

  t.test('a closed connection rejects pending and later work', async (t) => {
    const { idl, client, stop } = await open(t, peer);
    const waiting = idl.waitFor(() => false, 60_000);
    stop();
    await t.rejects(waiting, /connection closed/);
    await t.rejects(idl.transact((txn) => txn.comment('x')), /connection closed/);
    await t.rejects(client.listDbs(), /connection closed/);
    t.ok(client.isClosed);
  });
});
