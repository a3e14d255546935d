/**
 * The `ovs` adapter against real Open vSwitch 3.1 in a real sandbox (root,
 * `ip netns`, OVS installed; otherwise those tests skip with the reason and
 * the install hint), plus the binary lookup and the adapter table, which need
 * neither. Every sandbox is destroyed in t.teardown; no frame is sent.
 */
import t from 'tap';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSandboxSupport, HarnessError, runCommand, Sandbox } from '../harness/index.ts';
import { adapterByName, CAPABILITIES, createOvsAdapter, findOvsInstall, ovsAdapter, type SwitchUnderTest } from './index.ts';
import { OVS_TOOLS } from './ovs-install.ts';

const worker = (tag: string): string => `${tag}${process.pid}`.slice(0, 8);
const PORTS = [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 2 }, { name: 'p3', ofport: 3 }];

function scratchDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-ovs-bin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('adapter table and capabilities', async (t) => {
  t.equal(adapterByName('ovs'), ovsAdapter);
  t.equal(adapterByName('nope'), undefined);
  t.same([...ovsAdapter.capabilities].sort(), Object.values(CAPABILITIES).sort(), 'every capability');
});

t.test('checkAvailable names the missing binaries and the install command', async (t) => {
  const empty = scratchDir(t);
  const none = await createOvsAdapter({ binDir: empty }).checkAvailable();
  t.equal(none, `Open vSwitch not found in REFSWITCH_OVS_BINDIR=${empty} (${OVS_TOOLS.join(', ')}): apt-get install openvswitch-switch`);
  const real = findOvsInstall();
  if (!real.ok) return;
  const partial = scratchDir(t);
  for (const tool of ['ovsdb-tool', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl'] as const) symlinkSync(real.install.bin[tool], join(partial, tool));
  t.match(await createOvsAdapter({ binDir: partial }).checkAvailable(), /^Open vSwitch not found in .* \(ovsdb-server, ovs-vswitchd\): apt-get install openvswitch-switch$/);
  await t.rejects(createOvsAdapter({ binDir: empty }).start({} as Sandbox, { slowFactor: 1 }), HarnessError, 'start refuses too');
});

const reason = (await checkSandboxSupport()) ?? (await ovsAdapter.checkAvailable());

/** Pids from the daemons' pidfiles, read before the run directory goes. */
function daemonPids(sb: Sandbox): number[] {
  const run = join(sb.runDir.path, 'ovs', 'run');
  return readdirSync(run).filter((f) => f.endsWith('.pid')).map((f) => Number(readFileSync(join(run, f), 'utf8').trim()));
}

function isOvsProcess(pid: number): boolean {
  try {
    return /ovs/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

async function namespacePids(ns: string): Promise<string> {
  return (await runCommand(['ip', 'netns', 'pids', ns])).stdout.trim();
}

if (reason !== undefined) {
  t.test('ovs adapter on a real sandbox', { skip: reason }, () => undefined);
} else {
  t.test('start, bridge, flows, stats, trace, fail mode, tear down: nothing left', async (t) => {
    const sb = await Sandbox.create({ scenarioId: 'ovs.test lifecycle', workerId: worker('o'), ports: PORTS.map((p) => p.name) });
    t.teardown(() => sb.destroy());
    const sut: SwitchUnderTest = await ovsAdapter.start(sb, { slowFactor: 1 });
    const records = sb.runDir.readPids().map((r) => [r.label, r.cmdline[0]]).sort();
    t.match(records, [['ovs-vswitchd', /\/ovs-vswitchd$/], ['ovsdb-server', /\/ovsdb-server$/]], 'pid records hold the daemons\' real command lines');
    await sut.addBridge({ name: 'br0', ports: PORTS, failMode: 'secure' });
    t.same(await sut.dumpFlowStats('br0'), [], 'secure mode: no flows');
    t.equal(await sut.dumpDatapathFlows(), '', 'no datapath flows at start');
    const names = await sut.datapathPortNames();
    t.same([...names.values()].sort(), ['br0', 'ovs-netdev', 'p1', 'p2', 'p3']);

    await sut.addFlows('br0', [
      'table=1,priority=5,ip actions=drop',
      'in_port=1 actions=output:2',
      'priority=300,tcp,nw_dst=10.0.0.5,tp_dst=80 actions=mod_dl_dst:50:54:00:00:00:05,output:3',
      'cookie=0x7,idle_timeout=300,importance=4,priority=20,udp actions=output:1',
    ]);
    t.same(await sut.dumpFlowStats('br0'), [
      { table: 0, rule: 'in_port=1', actions: 'output:2', nPackets: 0, nBytes: 0 },
      { table: 0, rule: 'priority=300,tcp,nw_dst=10.0.0.5,tp_dst=80', actions: 'mod_dl_dst:50:54:00:00:00:05,output:3', nPackets: 0, nBytes: 0 },
      { table: 0, rule: 'priority=20,udp', actions: 'output:1', nPackets: 0, nBytes: 0 },
      { table: 1, rule: 'priority=5,ip', actions: 'drop', nPackets: 0, nBytes: 0 },
    ]);

    const viaP1 = await sut.trace('br0', 'in_port=1,tcp,nw_dst=10.0.0.5,tp_dst=80');
    t.equal(viaP1.datapathActions, 'p2');
    t.match(viaP1.megaflow, /^recirc_id=0,eth,.*in_port=1/);
    t.match(viaP1.text, /^Flow: /);
    const viaP2 = await sut.trace('br0', 'in_port=2,tcp,nw_dst=10.0.0.5,tp_dst=80');
    t.equal(viaP2.datapathActions, 'set(eth(dst=50:54:00:00:00:05)),p3', 'datapath number replaced by the name');

    const badFlow = await sut.addFlows('br0', ['priority=1,tcp,nw_dst=10.0.0.5 actions=output:2', 'priority=1,bogus_field=1 actions=drop']).catch((e: unknown) => e);
    t.type(badFlow, Error);
    t.notOk(badFlow instanceof HarnessError, 'a rejected flow is not a harness error');
    t.match(String(badFlow), /rejected flows for br0: .*bogus_field/);
    const badTrace = await sut.trace('br0', 'in_port=1,udp,tp_dst=53').catch((e: unknown) => e);
    t.notOk(badTrace instanceof HarnessError, 'a trace flow OVS refuses is not a harness error');
    t.match(String(badTrace), /prerequisites not met/);

    await sut.quiesce();
    const noise = (await sb.links()).filter((l) => l.name.endsWith('-h') && l.rxPackets !== 0);
    t.same(noise, [], 'Open vSwitch sent no frame out of its ports');

    await sut.setFailMode('br0', 'standalone');
    t.same((await sut.dumpFlowStats('br0')).filter((s) => s.actions === 'NORMAL'), [{ table: 0, rule: 'priority=0', actions: 'NORMAL', nPackets: 0, nBytes: 0 }]);

    const pids = daemonPids(sb);
    t.equal(pids.length, 2, 'two daemons');
    await sut.tearDown();
    t.equal(await namespacePids(sb.namespace), '', 'tearDown stopped both daemons');
    t.same((await sb.destroy()).errors, []);
    t.same(pids.filter(isOvsProcess), [], 'no ovs process left');
  });

  t.test('a port the sandbox lacks is a HarnessError naming the port and the OVS error', async (t) => {
    const sb = await Sandbox.create({ scenarioId: 'ovs.test missing port', workerId: worker('m'), ports: ['p1'] });
    t.teardown(() => sb.destroy());
    const sut = await ovsAdapter.start(sb, { slowFactor: 1 });
    await t.rejects(
      sut.addBridge({ name: 'br0', ports: [{ name: 'p1', ofport: 1 }, { name: 'p9', ofport: 9 }], failMode: 'secure' }),
      { name: 'HarnessError', message: /p9: ofport -1 \(requested 9\), error "could not open network device p9/ },
    );
    await sut.tearDown();
    t.same((await sb.destroy()).errors, []);
  });

  t.test('datapath flows and meters: installed by name, kept while quiescing, refusals are the switch\'s', async (t) => {
    const sb = await Sandbox.create({ scenarioId: 'ovs.test dp-flows', workerId: worker('d'), ports: ['p1', 'p2'] });
    t.teardown(() => sb.destroy());
    const sut = await ovsAdapter.start(sb, { slowFactor: 1 });
    await sut.addBridge({ name: 'br0', ports: [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 2 }], failMode: 'secure' });
    await sut.setDatapathMeter(1, { unit: 'pktps', bands: [{ type: 'drop', rate: 1, burst: 10 }] });
    await sut.addDatapathFlows([
      'recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:set(ipv4(ttl=9)),p2',
      'recirc_id(0),in_port(p2),eth(),eth_type(0x0800),ipv4(frag=no), actions:meter(1),recirc(0x1a)',
    ]);
    await sut.quiesce();
    await sut.quiesce();
    const names = await sut.datapathPortNames();
    const number = (name: string): number => [...names].find(([, n]) => n === name)?.[0] ?? -1;
    const dump = await sut.dumpDatapathFlows();
    t.match(dump, `in_port(${number('p1')}),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), packets:0, bytes:0, used:never, actions:set(ipv4(ttl=9)),${number('p2')}`);
    t.match(dump, `in_port(${number('p2')}),eth(),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:meter(1),recirc(0x1a)`, 'meter 0 was a filler, recirc written in decimal for OVS');

    const refused = await sut.addDatapathFlows(['recirc_id(0),in_port(p1),eth(),eth_type(0x0800), actions:p2']).catch((e: unknown) => e);
    t.type(refused, Error);
    t.notOk(refused instanceof HarnessError, 'a flow OVS refuses is not a harness error');
    t.match(String(refused), /rejected datapath flow .*: ovs-vswitchd: updating flow table \(Invalid argument\)/);
    await t.rejects(sut.addDatapathFlows(['in_port(p7),eth(), actions:p2']), HarnessError, 'an unknown port name is the scenario\'s error');

    await sut.tearDown();
    t.equal(await namespacePids(sb.namespace), '', 'tearDown stopped both daemons with the revalidators paused');
    t.same((await sb.destroy()).errors, []);
  });

  t.test('a daemon that exits at start-up is a HarnessError quoting its log', async (t) => {
    const real = findOvsInstall();
    if (!real.ok) throw new Error(real.reason);
    const bin = scratchDir(t);
    for (const tool of OVS_TOOLS) if (tool !== 'ovs-vswitchd') symlinkSync(real.install.bin[tool], join(bin, tool));
    const fake = join(bin, 'ovs-vswitchd');
    writeFileSync(fake, '#!/bin/sh\necho "fake: starting" >&2\nfor a; do case "$a" in --log-file=*) echo "fake vswitchd: no datapath" > "${a#--log-file=}";; esac; done\nexit 3\n');
    chmodSync(fake, 0o755);
    const sb = await Sandbox.create({ scenarioId: 'ovs.test failing daemon', workerId: worker('f'), ports: ['p1'] });
    t.teardown(() => sb.destroy());
    await t.rejects(createOvsAdapter({ binDir: bin }).start(sb, { slowFactor: 1 }), {
      name: 'HarnessError',
      message: /start ovs-vswitchd in rsw-.*exit code 3.*fake: starting.*fake vswitchd: no datapath/,
    });
    t.same((await sb.destroy()).errors, [], 'ovsdb-server stopped by the sandbox');
  });
}
