/**
 * The switch process configured from OVSDB, rootless (dummy ports), with
 * the real ovs-vsctl (without --no-wait): our own server on RUNDIR/db.sock
 * over a conf.db it creates, and Open vSwitch's ovsdb-server through
 * `remote`. The command line's bridge and ports land in the database (port
 * numbers as ofport_request), the datapath follows ovs-vsctl, a
 * command-line port that cannot be opened fails the start, and conf.db
 * keeps the configuration across a restart. Skips with the reason when
 * Open vSwitch's tools or schema are not installed.
 */
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Datapath } from '../datapath/index.ts';
import { SwitchProcess, SwitchStartError, type SwitchConfig } from './switch-process.ts';
import { ovsMissing, RealOvsdb, vsctl } from './testing/ovs-daemons.ts';

const missing = ovsMissing();

async function start(t: Test, dir: string, extra: Partial<SwitchConfig>): Promise<{ sw: SwitchProcess; dp: () => Datapath }> {
  let dp: Datapath | undefined;
  const sw = await SwitchProcess.start(
    { rundir: dir, bridges: [], ports: [], ovsdb: { statsIntervalMs: 0 }, ...extra },
    { createDatapath: (o) => (dp = new Datapath(o)), pid: 4242 },
  );
  t.teardown(() => sw.stop());
  return {
    sw,
    dp: () => {
      if (!dp) throw new Error('no datapath');
      return dp;
    },
  };
}

const ports = (dp: Datapath): string[] => dp.vportDump().map((p) => `${p.portNo}:${p.name}:${p.type}`);

if (missing !== undefined) {
  t.test('switch process configured from OVSDB', { skip: missing }, () => undefined);
} else {
  t.test('own OVSDB server: command-line config in the database, ovs-vsctl changes, restart keeps conf.db', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swdb-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const db = `unix:${join(dir, 'db.sock')}`;
    {
      const { sw, dp } = await start(t, dir, { bridges: ['br0'], ports: [{ name: 'p1', type: 'dummy', portNo: 1 }, { name: 'p2', type: 'dummy', portNo: 2 }] });
      t.ok(existsSync(join(dir, 'conf.db')));
      t.same(ports(dp()), ['0:ovs-system:internal', '1:p1:dummy', '2:p2:dummy', '3:br0:internal']);
      t.equal((await vsctl(db, ['get', 'interface', 'p2', 'ofport'])).stdout, '2\n');
      t.equal((await vsctl(db, ['add-port', 'br0', 'p3', '--', 'set', 'interface', 'p3', 'type=dummy'])).code, 0);
      t.same(ports(dp()), ['0:ovs-system:internal', '1:p1:dummy', '2:p2:dummy', '3:br0:internal', '4:p3:dummy']);
      t.equal((await vsctl(db, ['get', 'interface', 'p3', 'ofport'])).stdout, '3\n');
      await sw.stop();
    }
    const { dp } = await start(t, dir, {});
    t.same(ports(dp()), ['0:ovs-system:internal', '1:p1:dummy', '2:p2:dummy', '3:br0:internal', '4:p3:dummy'], 'the database remembered the ports');
  });

  t.test('external ovsdb-server through remote; a command-line port that cannot be opened fails the start', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'swdb-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const server = await RealOvsdb.start(dir);
    t.teardown(() => server.stop());
    const { dp } = await start(t, join(dir, 'run'), { ovsdb: { remote: server.db, statsIntervalMs: 0 }, bridges: ['brx'] });
    t.equal((await vsctl(server.db, ['add-port', 'brx', 'd1', '--', 'set', 'interface', 'd1', 'type=dummy', 'ofport_request=4'])).code, 0);
    t.same(ports(dp()), ['0:ovs-system:internal', '1:brx:internal', '4:d1:dummy']);
    const bad = SwitchProcess.start(
      { rundir: join(dir, 'run2'), bridges: [], ports: [{ name: 'nosuchdev7', type: 'system' }], ovsdb: { remote: server.db } },
      { createDatapath: (o) => new Datapath(o) },
    );
    await t.rejects(bad, new SwitchStartError('cannot open port nosuchdev7 (type system): could not open network device nosuchdev7 (No such device)'));
  });
}
