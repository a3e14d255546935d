/**
 * BridgeConfigSync against Open vSwitch's own ovsdb-server (skipped with
 * the reason when it is not installed), the reference Datapath with dummy
 * ports (no root needed) and the REAL ovs-vsctl WITHOUT --no-wait: each
 * command returning proves the next_cfg → cur_cfg handshake. Checks
 * ofport (requested and allocated), datapath_id, the Open_vSwitch row, the
 * error of an interface whose device does not exist (as ovs-vsctl prints
 * it), statistics, and that deleting ports and the bridge empties the
 * datapath.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Idl, OvsdbClient } from '../ovsdb/index.ts';
import { Datapath } from '../datapath/index.ts';
import { BridgeApplier } from './bridge-apply.ts';
import { BridgeConfigSync, VSWITCHD_COLUMNS } from './bridge-config-sync.ts';
import { ovsMissing, RealOvsdb, vsctl } from './testing/ovs-daemons.ts';

const missing = ovsMissing();

if (missing !== undefined) {
  t.test('vswitchd configured through the real ovsdb-server', { skip: missing }, () => undefined);
} else {
  t.test('vswitchd configured through the real ovsdb-server, ovs-vsctl without --no-wait', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'brsync-'));
    const server = await RealOvsdb.start(dir);
    const client = await OvsdbClient.connect(server.db);
    const idl = await Idl.open(client, 'Open_vSwitch', VSWITCHD_COLUMNS);
    const dp = new Datapath({ name: 'ovs-system' });
    const sync = await BridgeConfigSync.start(idl, new BridgeApplier(dp), dp, { statsIntervalMs: 0 });
    t.teardown(async () => {
      await sync.close();
      idl.close();
      client.close();
      await dp.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const run = async (...args: string[]): Promise<string> => {
      const r = await vsctl(server.db, args);
      t.equal(r.code, 0, `ovs-vsctl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };

    await run('add-br', 'br0');
    await run('add-port', 'br0', 'p1', '--', 'set', 'interface', 'p1', 'type=dummy', 'ofport_request=7');
    await run('add-port', 'br0', 'p2', '--', 'set', 'interface', 'p2', 'type=dummy');
    t.equal(await run('get', 'interface', 'p1', 'ofport'), '7');
    t.equal(await run('get', 'interface', 'p2', 'ofport'), '1');
    t.equal(await run('get', 'interface', 'br0', 'ofport'), '65534');
    t.equal(await run('get', 'interface', 'p2', 'mac_in_use'), '"aa:55:aa:55:00:01"');
    t.match(await run('get', 'bridge', 'br0', 'datapath_id'), /^"0000[0-9a-f]{12}"$/);
    t.equal(await run('get', 'open_vswitch', '.', 'iface_types'), '[dummy, internal, system]');
    const bad = await vsctl(server.db, ['add-port', 'br0', 'nosuchdev9']);
    t.equal(bad.code, 0);
    t.match(bad.stderr, "Error detected while setting up 'nosuchdev9': could not open network device nosuchdev9 (No such device)");
    t.equal(await run('get', 'interface', 'nosuchdev9', 'ofport'), '-1');
    t.same(dp.vportDump().map((p) => `${p.portNo}:${p.name}`), ['0:ovs-system', '1:br0', '2:p2', '7:p1']);

    dp.receive('p1', new Uint8Array(60));
    await sync.writeStatistics();
    t.equal(await run('get', 'interface', 'p1', 'statistics:rx_packets'), '1');

    await run('del-port', 'br0', 'p1');
    await run('del-port', 'br0', 'nosuchdev9');
    await run('add-port', 'br0', 'p3', '--', 'set', 'interface', 'p3', 'type=dummy');
    t.equal(await run('get', 'interface', 'p3', 'ofport'), '2', 'p1\'s 7 was requested, the allocator goes on from 1');
    await run('del-br', 'br0');
    t.same(dp.vportDump().map((p) => p.name), ['ovs-system']);
    const cfg = await run('get', 'open_vswitch', '.', 'next_cfg', 'cur_cfg');
    const [next, cur] = cfg.split('\n');
    t.equal(cur, next, 'cur_cfg caught up with next_cfg');
  });
}
