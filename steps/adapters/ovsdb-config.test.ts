/**
 * OvsdbConfig against Open vSwitch's real ovsdb-server (temp dir) with a
 * stand-in switch: a second Idl that, whenever next_cfg runs ahead of
 * cur_cfg, gives every interface its ofport_request as ofport (interface
 * "bad": -1 and an error) and writes cur_cfg = next_cfg, as ovs-vswitchd
 * does. Skipped with the reason when ovsdb-server or the schema is absent.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { Idl, OvsdbClient, VSWITCH_SCHEMA_PATH } from '../../reference/ovsdb/index.ts';
import { OvsdbConfig } from './ovsdb-config.ts';

const missing = ['/usr/sbin/ovsdb-server', '/usr/bin/ovsdb-tool', VSWITCH_SCHEMA_PATH].find((p) => !existsSync(p));

async function startServer(t: Test): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-ovsdb-config-'));
  const sock = join(dir, 'db.sock');
  execFileSync('/usr/bin/ovsdb-tool', ['create', join(dir, 'conf.db'), VSWITCH_SCHEMA_PATH]);
  const child = spawn('/usr/sbin/ovsdb-server', [join(dir, 'conf.db'), `--remote=punix:${sock}`, `--unixctl=${join(dir, 'ctl')}`, '--no-chdir', '-vconsole:off'], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 500 && !existsSync(sock); i++) await sleep(10);
  return `unix:${sock}`;
}

/** The stand-in switch; returns a function that stops it. */
async function fakeSwitch(endpoint: string): Promise<() => void> {
  const client = await OvsdbClient.connect(endpoint);
  const idl = await Idl.open(client, 'Open_vSwitch', { Open_vSwitch: ['next_cfg', 'cur_cfg'], Interface: ['name', 'ofport', 'ofport_request', 'error'] });
  let busy = false;
  const step = async (): Promise<void> => {
    const [root, row] = [...idl.rows('Open_vSwitch')][0] ?? [];
    const next = row?.columns.get('next_cfg')?.keys[0];
    if (busy || root === undefined || typeof next !== 'number' || next === row?.columns.get('cur_cfg')?.keys[0]) return;
    busy = true;
    await idl.transact((txn) => {
      for (const [uuid, iface] of idl.rows('Interface')) {
        const bad = iface.columns.get('name')?.keys[0] === 'bad';
        const want = iface.columns.get('ofport_request')?.keys[0] ?? 100;
        txn.update('Interface', uuid, { ofport: { keys: [bad ? -1 : want] }, error: { keys: bad ? ['could not open network device bad (No such device)'] : [] } });
      }
      txn.update('Open_vSwitch', root, { cur_cfg: { keys: [next] } });
    });
    busy = false;
    await step();
  };
  idl.onChange(() => void step());
  return () => {
    idl.close();
    client.close();
  };
}

t.test('OvsdbConfig against ovsdb-server', { skip: missing === undefined ? false : `${missing} is not installed` }, async (t) => {
  const endpoint = await startServer(t);
  const stopSwitch = await fakeSwitch(endpoint);
  const config = await OvsdbConfig.open(endpoint, 2000);
  t.teardown(() => config.close());
  const raw = await OvsdbClient.connect(endpoint);
  t.teardown(() => raw.close());
  const select = async (table: string, columns: string[]): Promise<unknown> => (await raw.transact('Open_vSwitch', [{ op: 'select', table, where: [], columns }]))[0];

  await config.init({ 'max-idle': '60000' });
  await config.init({ 'max-idle': '60000' });
  t.same(await select('Open_vSwitch', ['other_config', 'next_cfg']), { rows: [{ other_config: ['map', [['max-idle', '60000']]], next_cfg: 0 }] }, 'init once, idempotent, no next_cfg bump');

  await config.addBridge({ name: 'br0', failMode: 'secure', ports: [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 7 }] }, { datapathType: 'netdev', datapathId: '0000000000000001' });
  t.equal(config.ofport('p2'), 7, 'the switch gave p2 its requested number');
  t.same(await select('Bridge', ['name', 'fail_mode', 'datapath_type', 'other_config']), {
    rows: [{ name: 'br0', fail_mode: 'secure', datapath_type: 'netdev', other_config: ['map', [['datapath-id', '0000000000000001']]] }],
  });
  t.same(((await select('Port', ['name'])) as { rows: { name: string }[] }).rows.map((r) => r.name).sort(), ['br0', 'p1', 'p2'], 'the bridge has its own port');
  t.same(await select('Open_vSwitch', ['next_cfg', 'cur_cfg']), { rows: [{ next_cfg: 1, cur_cfg: 1 }] }, 'next_cfg incremented and waited for');

  await config.setFailMode('br0', 'standalone');
  t.same(await select('Bridge', ['fail_mode']), { rows: [{ fail_mode: 'standalone' }] });

  await t.rejects(config.addBridge({ name: 'br1', failMode: 'secure', ports: [{ name: 'bad', ofport: 3 }] }), /bad: ofport -1 \(requested 3\), error "could not open network device bad/);

  await config.deleteBridge('br0');
  await config.deleteBridge('br0');
  t.same(((await select('Interface', ['name'])) as { rows: { name: string }[] }).rows.map((r) => r.name).sort(), ['bad', 'br1'], 'br0\'s ports and interfaces collected');

  stopSwitch();
  await t.rejects(config.setFailMode('br1', 'standalone'), /did not apply configuration 5/, 'a switch that never catches up');
});
