/**
 * The `reference` adapter. Without root: its whole lifecycle against a
 * stand-in switch (fixtures/fake-refswitch.mjs) in a stand-in sandbox that
 * spawns without a namespace, driven by the real `ovs-appctl` (skipped with
 * the install hint when it is missing). With root and a `refswitch switch`
 * that runs: the real switch in a real sandbox (skipped visibly otherwise).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkSandboxSupport, HarnessError, Sandbox } from '../harness/index.ts';
import { OvsdbClient } from '../../reference/ovsdb/index.ts';
import { adapterByName, CAPABILITIES, createReferenceAdapter, findAppctl, referenceAdapter, UnsupportedCapabilityError } from './index.ts';

const FAKE = resolve(import.meta.dirname, 'fixtures', 'fake-refswitch.mjs');
const PORTS = [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 2 }];

/** Just enough of a Sandbox for the adapter: a run directory and spawn without a namespace. */
function fakeSandbox(t: { teardown(fn: () => unknown): void }): { sandbox: Sandbox; children: ChildProcess[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-ref-adapter-'));
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const sandbox = {
    namespace: 'fake-ns',
    runDir: { path: dir },
    spawn(argv: readonly string[], opts: { stdio?: import('node:child_process').StdioOptions } = {}): ChildProcess {
      const child = spawn(argv[0] ?? 'false', argv.slice(1), { stdio: opts.stdio ?? 'ignore' });
      children.push(child);
      return child;
    },
  };
  return { sandbox: sandbox as unknown as Sandbox, children, dir };
}

function withFakeFlags(t: { teardown(fn: () => unknown): void }, flags: string): void {
  const old = process.env['FAKE_REFSWITCH'];
  process.env['FAKE_REFSWITCH'] = flags;
  t.teardown(() => {
    if (old === undefined) delete process.env['FAKE_REFSWITCH'];
    else process.env['FAKE_REFSWITCH'] = old;
  });
}

t.test('adapter table, capabilities, availability', async (t) => {
  t.equal(adapterByName('reference'), referenceAdapter);
  t.same([...referenceAdapter.capabilities].sort(), ['dp-dump', 'dp-flows', 'veth'], 'no OpenFlow, trace or fail mode yet');
  const noAppctl = createReferenceAdapter({ appctlDirs: [tmpdir()] });
  t.match(await noAppctl.checkAvailable(), /^ovs-appctl not found .*apt-get install openvswitch-common$/);
  await t.rejects(noAppctl.start({} as Sandbox, { slowFactor: 1 }), HarnessError);
  if (findAppctl() === undefined) return;
  t.match(await createReferenceAdapter({ refswitchBin: '/nonexistent/refswitch.js' }).checkAvailable(), /refswitch not found at \/nonexistent/);
  t.equal(await createReferenceAdapter({ refswitchBin: FAKE }).checkAvailable(), undefined, 'a refswitch whose usage lists the switch command is available');
});

const appctlMissing = findAppctl() === undefined ? 'ovs-appctl not installed: apt-get install openvswitch-common' : undefined;

t.test('lifecycle against a stand-in switch', { skip: appctlMissing ?? false }, async (t) => {
  const { sandbox, children, dir } = fakeSandbox(t);
  const adapter = createReferenceAdapter({ refswitchBin: FAKE });
  const sut = await adapter.start(sandbox, { slowFactor: 1 });
  await t.rejects(sut.dumpDatapathFlows(), { name: 'HarnessError', message: /must begin with `Given a bridge`/ });
  await sut.addBridge({ name: 'br0', ports: PORTS, failMode: 'secure' });
  t.ok(existsSync(join(dir, 'reference', 'refswitch.ctl')), 'control socket in <run dir>/reference');
  t.same([...(await sut.datapathPortNames())].sort((a, b) => a[0] - b[0]), [[0, 'ovs-system'], [1, 'p1'], [2, 'p2'], [3, 'br0']], 'datapath port numbers are the OpenFlow numbers');
  await t.rejects(sut.addBridge({ name: 'br1', ports: [], failMode: 'secure' }), { name: 'HarnessError', message: /already has br0, cannot add br1/ });

  await sut.addDatapathFlows(['recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:set(ipv4(ttl=9)),recirc(0x1a)']);
  t.match(await sut.dumpDatapathFlows(), /^recirc_id\(0\),in_port\(1\),eth\(src=00:00:00:00:00:00\/00:00:00:00:00:00,.*ipv4\(.*frag=no\), packets:0, bytes:0, used:never, actions:set\(ipv4\(ttl=9\)\),recirc\(0x1a\)\n$/, 'numbers for names; recirc ids left in hex');
  const refused = await sut.addDatapathFlows(['in_port(p2),eth(),eth_type(0x0800),ipv4(src=1.2.3.4,frag=no), actions:p1', 'in_port(p2),eth(),eth_type(0x86dd),ipv6(frag=no), actions:p1']).then(() => undefined, (e: unknown) => e);
  t.equal(refused, undefined);
  await t.rejects(sut.addDatapathFlows(['in_port(p5),eth(), actions:p1']), HarnessError, 'a port the scenario does not have');

  await sut.quiesce();
  t.notOk(adapter.capabilities.has(CAPABILITIES.dpMeters), 'no dp-meters: the switch has no dpif/meter-set');
  await t.rejects(sut.setDatapathMeter(0, { unit: 'pktps', bands: [{ type: 'drop', rate: 1, burst: 1 }] }), UnsupportedCapabilityError);
  await t.rejects(sut.addFlows('br0', ['actions=drop']), UnsupportedCapabilityError);
  await t.rejects(sut.trace('br0', 'in_port=1'), UnsupportedCapabilityError);

  await sut.tearDown();
  t.ok(children.every((c) => c.exitCode !== null || c.signalCode !== null), 'exit stopped the switch');
  t.notOk(existsSync(join(dir, 'reference', 'refswitch.ctl')), 'socket removed');
});

t.test('a refused flow is the switch\'s answer; meters and revalidator/wait when listed', { skip: appctlMissing ?? false }, async (t) => {
  withFakeFlags(t, '--meters --wait');
  const { sandbox } = fakeSandbox(t);
  const adapter = createReferenceAdapter({ refswitchBin: FAKE });
  const sut = await adapter.start(sandbox, { slowFactor: 1 });
  await sut.addBridge({ name: 'br0', ports: PORTS, failMode: 'secure' });
  t.ok(adapter.capabilities.has(CAPABILITIES.dpMeters), 'dp-meters learnt from list-commands');
  await sut.setDatapathMeter(0, { unit: 'pktps', bands: [{ type: 'drop', rate: 1, burst: 10 }] });
  const bad = await sut.addDatapathFlows(['in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p2', 'in_port(p1),eth(),eth_type(0x0800),ipv4(src=6.6.6.6,frag=no), actions:p2']).catch((e: unknown) => e);
  t.type(bad, Error);
  t.notOk(bad instanceof HarnessError, 'the switch\'s refusal is not a harness error');
  t.match(String(bad), /The reference switch rejected datapath flow "in_port\(p1\),.*6\.6\.6\.6.*": dpctl: updating flow table \(Invalid argument\)/);
  t.match(await sut.dumpDatapathFlows(), /^in_port\(1\),[^\n]*actions:2\n$/, 'the flow before it stays');
  await t.rejects(sut.addDatapathFlows(['in_port(p1),eth(),bogus(), actions:p2']), HarnessError, 'text our reader cannot read is the scenario\'s error');
  await sut.quiesce();
  await sut.tearDown();
});

t.test('a switch that exits at start is a HarnessError quoting its stderr', { skip: appctlMissing ?? false }, async (t) => {
  withFakeFlags(t, '--fail-start');
  const { sandbox } = fakeSandbox(t);
  const sut = await createReferenceAdapter({ refswitchBin: FAKE }).start(sandbox, { slowFactor: 1 });
  await t.rejects(sut.addBridge({ name: 'br0', ports: PORTS, failMode: 'secure' }), { name: 'HarnessError', message: /start refswitch switch in fake-ns.*exit code 1.*cannot open port p9/s });
  await sut.tearDown();
});

const realReason = (await checkSandboxSupport()) ?? appctlMissing ?? (await referenceAdapter.checkAvailable());

t.test('the real reference switch in a real sandbox', { skip: realReason ?? false }, async (t) => {
  const sb = await Sandbox.create({ scenarioId: 'reference.test lifecycle', workerId: `r${process.pid}`.slice(0, 8), ports: ['p1', 'p2'] });
  t.teardown(() => sb.destroy());
  const sut = await referenceAdapter.start(sb, { slowFactor: 1 });
  await sut.addBridge({ name: 'br0', ports: PORTS, failMode: 'secure' });
  const names = await sut.datapathPortNames();
  t.equal(names.get(1), 'p1');
  t.equal(names.get(2), 'p2');
  await sut.addDatapathFlows(['recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:p2']);
  await sut.quiesce();
  t.match(await sut.dumpDatapathFlows(), /in_port\(1\),eth\(\),eth_type\(0x0800\),ipv4\(dst=10\.0\.0\.2,frag=no\), packets:0, bytes:0, used:never, actions:2/);
  if (referenceAdapter.capabilities.has(CAPABILITIES.ovsdb)) {
    // configured through OVSDB: the bridge is in the switch's own database
    const client = await OvsdbClient.connect(sut.ovsdbEndpoint());
    const [bridges] = await client.transact('Open_vSwitch', [{ op: 'select', table: 'Interface', where: [['name', '==', 'p2']], columns: ['ofport', 'ofport_request'] }]);
    client.close();
    t.same(bridges, { rows: [{ ofport: 2, ofport_request: 2 }] }, 'p2 in the switch\'s database with its number');
  } else t.comment('this refswitch takes its bridge on the command line (no OVSDB)');
  await sut.tearDown();
  t.same((await sb.destroy()).errors, [], 'nothing left behind');
});
