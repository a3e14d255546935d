/**
 * Sandbox and reapLeftovers against the real kernel: namespaces, veth pairs,
 * sysctls, counters. Needs root and `ip netns`; otherwise every test is
 * skipped with the reason. Every namespace, process and run directory a test
 * creates is destroyed in t.teardown, also when an assertion fails; frames
 * are only ever sent inside our own namespaces.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addNamespace, deleteNamespace, listNamespaces, newNamespaceName, type LinkInfo } from './netns.ts';
import { identifyProcess } from './process-identity.ts';
import { reapLeftovers } from './reap-leftovers.ts';
import { runCommand } from './run-command.ts';
import { DEFAULT_RUN_BASE } from './run-dir.ts';
import { checkSandboxSupport } from './sandbox-support.ts';
import { Sandbox } from './sandbox.ts';

const reason = await checkSandboxSupport();
const worker = (tag: string): string => `${tag}${process.pid}`.slice(0, 8);

// Broadcast, locally administered source, ethertype 0x88b5 (IEEE local experimental), zero padding to 60 bytes.
const FRAME_HEX = 'ffffffffffff' + '020000000001' + '88b5' + '00'.repeat(46);
const SEND_PY = [
  'import socket, sys',
  's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
  's.bind((sys.argv[1], 0))',
  's.send(bytes.fromhex(sys.argv[2]))',
].join('\n');

async function sendFrame(sb: Sandbox, ifname: string): Promise<void> {
  await sb.exec(['/usr/bin/python3', '-c', SEND_PY, ifname, FRAME_HEX]);
}

function rxByName(links: readonly LinkInfo[]): Map<string, number> {
  return new Map(links.map((l) => [l.name, l.rxPackets]));
}

/** Waits (bounded) until `ifname` has counted one more received frame than in `before`. */
async function waitRx(sb: Sandbox, before: Map<string, number>, ifname: string): Promise<Map<string, number>> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const now = rxByName(await sb.links());
    if ((now.get(ifname) ?? 0) > (before.get(ifname) ?? 0) || Date.now() > deadline) return now;
    await sleep(10);
  }
}

async function hostLinkNames(): Promise<string[]> {
  const r = await runCommand(['ip', '-j', 'link', 'show']);
  const parsed: unknown = JSON.parse(r.stdout);
  return Array.isArray(parsed) ? parsed.map((l: unknown) => String((l as { ifname?: unknown }).ifname)) : [];
}

if (reason !== undefined) {
  t.test('sandbox on real namespaces and veths', { skip: reason }, () => undefined);
} else {
  t.test('a 3-port sandbox: interfaces, IPv6 off, one frame arrives on its peer only, destroy removes all', async (t) => {
    const sb = await Sandbox.create({ scenarioId: 'sandbox.test 3-port', workerId: worker('a'), ports: ['p1', 'p2', 'p3'] });
    t.teardown(() => sb.destroy());
    t.match(sb.namespace, /^rsw-a\d+-[0-9a-f]{6}$/);
    t.ok((await listNamespaces()).includes(sb.namespace), 'namespace listed by ip netns');
    t.ok(existsSync(join(DEFAULT_RUN_BASE, sb.namespace, 'owner.json')), 'owner record written');

    const links = await sb.links();
    t.same(links.map((l) => l.name).sort(), ['lo', 'p1', 'p1-h', 'p2', 'p2-h', 'p3', 'p3-h']);
    t.ok(links.every((l) => l.isUp), 'every link up, lo included');
    t.same([...new Set(links.filter((l) => l.name !== 'lo').map((l) => l.mtu))], [1500], 'default MTU');
    const host = await hostLinkNames();
    t.notOk(host.some((n) => ['p1-h', 'p2-h', 'p3-h'].includes(n)), 'harness ends not in the host namespace');

    const sysctls = ['all', 'default', 'p1', 'p1-h', 'p2', 'p2-h', 'p3', 'p3-h'].map((i) => `/proc/sys/net/ipv6/conf/${i}/disable_ipv6`);
    const v6 = await sb.exec(['cat', ...sysctls]);
    t.same(v6.stdout.trim().split('\n'), sysctls.map(() => '1'), 'disable_ipv6=1 everywhere');
    const addrs = await sb.exec(['ip', '-o', 'addr', 'show']);
    t.same(addrs.stdout.split('\n').filter((l) => / inet6? /.test(l) && !/ lo /.test(l)), [], 'no addresses on the veths');

    await sb.assertIdle(200);

    const before = rxByName(await sb.links());
    await sendFrame(sb, sb.harnessEnd('p1'));
    const after = await waitRx(sb, before, 'p1');
    const deltas = Object.fromEntries([...after].map(([n, c]) => [n, c - (before.get(n) ?? 0)]));
    t.same(deltas, { lo: 0, p1: 1, 'p1-h': 0, p2: 0, 'p2-h': 0, p3: 0, 'p3-h': 0 }, 'frame from p1-h arrives on p1 and nowhere else');

    const runDir = sb.runDir.path;
    const report = await sb.destroy();
    t.same(report.errors, []);
    t.notOk((await listNamespaces()).includes(sb.namespace), 'namespace gone');
    t.notOk(existsSync(runDir), 'run directory gone');
    t.notOk((await hostLinkNames()).some((n) => n.startsWith('p1')), 'no veth left in the host');
    t.equal(await sb.destroy(), report, 'destroy is idempotent');
    t.ok(sb.isDestroyed);
  });

  t.test('cleanups run LIFO, a throwing one does not stop the others, spawned processes are stopped', async (t) => {
    const sb = await Sandbox.create({ scenarioId: 'sandbox.test cleanup', workerId: worker('b'), ports: ['p1'] });
    t.teardown(() => sb.destroy());
    const ran: string[] = [];
    sb.defer('first', () => ran.push('first'));
    sb.defer('broken', () => {
      throw new Error('cleanup exploded');
    });
    sb.defer('third', async () => {
      await sleep(1);
      ran.push('third');
    });
    const child = sb.spawn(['sleep', '30'], { label: 'sleeper' });
    const pid = child.pid ?? -1;
    t.same((await waitForCmdline(pid, ['sleep', '30']))?.cmdline, ['sleep', '30'], 'spawned command runs (exec in place of ip netns exec)');
    const ns = await runCommand(['ip', 'netns', 'identify', String(pid)]);
    t.equal(ns.stdout.trim(), sb.namespace, 'spawned process runs inside the namespace');
    t.ok(existsSync(join(sb.runDir.path, 'pids', `${pid}.json`)), 'pid recorded in the run dir');

    const report = await sb.destroy();
    t.same(ran, ['third', 'first'], 'LIFO, and past the broken cleanup');
    t.same(report.errors, ['broken: cleanup exploded']);
    t.equal(identifyProcess(pid), undefined, 'spawned process stopped');
    t.notOk((await listNamespaces()).includes(sb.namespace), 'namespace deleted despite the failure');
    t.throws(() => sb.defer('late', () => undefined), { name: 'HarnessError' }, 'no defer after destroy');
  });

  t.test('bad port names and duplicate ports are harness errors', async (t) => {
    await t.rejects(Sandbox.create({ scenarioId: 'x', ports: ['a-very-long-port'] }), { name: 'HarnessError', message: /port name/ });
    await t.rejects(Sandbox.create({ scenarioId: 'x', ports: ['p1', 'p1'] }), { name: 'HarnessError', message: /listed twice/ });
  });

  t.test('two sandboxes of different workers coexist and do not see each other', async (t) => {
    const a = await Sandbox.create({ scenarioId: 'sandbox.test A', workerId: worker('c'), ports: ['p1', 'p2'] });
    t.teardown(() => a.destroy());
    const b = await Sandbox.create({ scenarioId: 'sandbox.test B', workerId: worker('d'), ports: ['p1', 'p2'] });
    t.teardown(() => b.destroy());
    t.not(a.namespace, b.namespace);
    const beforeB = rxByName(await b.links());
    const beforeA = rxByName(await a.links());
    await sendFrame(a, 'p1-h');
    const afterA = await waitRx(a, beforeA, 'p1');
    t.equal((afterA.get('p1') ?? 0) - (beforeA.get('p1') ?? 0), 1, 'A received its frame');
    t.same(rxByName(await b.links()), beforeB, 'B saw nothing');
    t.same((await a.destroy()).errors, []);
    t.ok((await listNamespaces()).includes(b.namespace), 'destroying A leaves B alone');
  });

  /** The process once it runs `cmdline` (up to 20 s: exec is late on a loaded machine). */
  async function waitForCmdline(pid: number, cmdline: readonly string[]): Promise<ReturnType<typeof identifyProcess>> {
    for (let i = 0; i < 400; i++) {
      const id = identifyProcess(pid);
      if (id && id.cmdline.join(' ') === cmdline.join(' ')) return id;
      await sleep(50);
    }
    return identifyProcess(pid);
  }

  t.test('reapLeftovers: dead owner reaped with its recorded process; live owner of another worker kept', async (t) => {
    const dead = spawn('true');
    const deadPid = await new Promise<number>((resolve) => dead.once('exit', () => resolve(dead.pid ?? -1)));
    const live = spawn('sleep', ['30'], { stdio: 'ignore' });
    t.teardown(() => live.kill('SIGKILL'));
    const liveId = await waitForCmdline(live.pid ?? -1, ['sleep', '30']);
    t.ok(liveId, 'live owner stand-in running');

    const killed = await fakeSandbox(worker('e'), deadPid, -1);
    const alive = await fakeSandbox(worker('f'), liveId?.pid ?? -1, liveId?.startTime ?? -1);
    t.teardown(() => Promise.all([killed.cleanup(), alive.cleanup()]));
    // A process the killed run left inside its namespace, recorded in its run dir.
    const orphan = spawn('ip', ['netns', 'exec', killed.ns, 'sleep', '30'], { stdio: 'ignore', detached: true });
    t.teardown(() => orphan.kill('SIGKILL'));
    // `ip netns exec` becomes `sleep 30` by exec; on a loaded machine that can take a while.
    const orphanId = await waitForCmdline(orphan.pid ?? -1, ['sleep', '30']);
    t.same(orphanId?.cmdline, ['sleep', '30']);
    writeFileSync(join(killed.dir, 'pids', `${orphan.pid}.json`), JSON.stringify({ ...orphanId, label: 'orphan' }));

    const report = await reapLeftovers({ workerId: worker('g') });
    t.ok(report.reaped.includes(killed.ns), 'dead owner reaped');
    t.notOk(report.reaped.includes(alive.ns), 'live owner of another worker kept');
    t.same(report.stopped, [`orphan (pid ${orphan.pid})`]);
    t.same(report.errors, []);
    const names = await listNamespaces();
    t.notOk(names.includes(killed.ns));
    t.ok(names.includes(alive.ns));
    t.notOk(existsSync(killed.dir));
    t.equal(identifyProcess(orphan.pid ?? -1), undefined, 'orphan stopped');

    const own = await reapLeftovers({ workerId: worker('f') });
    t.ok(own.reaped.includes(alive.ns), "a worker reaps its own names even when their owner lives");
    t.notOk((await listNamespaces()).includes(alive.ns));
  });
}

/** A namespace + run dir as a run killed mid-scenario leaves them, owned by `pid`. */
async function fakeSandbox(workerId: string, pid: number, startTime: number): Promise<{ ns: string; dir: string; cleanup: () => Promise<void> }> {
  const ns = newNamespaceName(workerId);
  const dir = join(DEFAULT_RUN_BASE, ns);
  mkdirSync(join(dir, 'pids'), { recursive: true });
  const owner = { pid, startTime, workerId, scenarioId: 'killed run', createdAt: new Date().toISOString() };
  writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner));
  await addNamespace(ns);
  await runCommand(['ip', '-n', ns, 'link', 'add', 'p1', 'type', 'veth', 'peer', 'name', 'p1-h']);
  const cleanup = async (): Promise<void> => {
    if ((await listNamespaces()).includes(ns)) await deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  };
  return { ns, dir, cleanup };
}
