/**
 * bench/datapath: forwarding rate veth → switch → veth, in one run on one
 * machine, for the reference switch (`refswitch switch`) and for Open
 * vSwitch's userspace (`netdev`) datapath on the same veths, with the raw
 * veth ceiling beside them.
 *
 * Cases, for 64-byte and 1500-byte frames (frame lengths as handed to the
 * socket, FCS excluded):
 *  - raw:  p1-h → p1, no switch (the ceiling of this sender and receiver);
 *  - ovs:  one megaflow `in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)`
 *          → p2, installed with the real `ovs-appctl dpctl/add-flow` (the
 *          ovs adapter pauses the revalidators so the flow stays);
 *  - reference: the same megaflow, the same way;
 *  - reference with 1,000 and 100,000 megaflows over 10 masks (see
 *          datapath-traffic.ts), installed through one pipelined unixctl
 *          connection (bench/unixctl-pipe.ts); `--ovs-many` runs Open
 *          vSwitch with them too.
 * Every switch case starts its own switch process in one sandbox
 * namespace (ports p1, p2); frames are blasted into p1-h as fast as one
 * thread can and counted on p2-h (datapath-traffic.ts measureWindow), so
 * the rate is the maximum forwarding rate under overload. Printed per
 * case: received frames/s, offered frames/s, the share of the frames
 * reaching the switch that it forwarded, the switch's CPU use and frames
 * per CPU-second (the figure to trust on a busy machine), lookups that
 * missed, masks probed per lookup and the mask-cache hit rate (from
 * `dpctl/show`; the reference only), and the ratios to Open vSwitch and to
 * raw veth. A case that fails is reported and the others still run.
 *
 * `--alt-refswitch PATH` runs a second refswitch (another checkout's
 * bin/refswitch.js) right after the reference in every reference case, to
 * measure a change side by side.
 * `--profile DIR` profiles each reference switch during each measured
 * window with V8's sampling profiler (bench/cpu-prof-hook.mjs, started and
 * stopped by SIGUSR2, since NODE_OPTIONS refuses --cpu-prof), keeps
 * DIR/reference-FLOWS.N.cpuprofile (N-th frame size; Chrome DevTools opens
 * them) and prints where the switch's busy time went (bench/cpu-profile.ts).
 * Needs root, Open vSwitch and ovs-appctl; otherwise says why and exits 2.
 * Not a test: prints figures, asserts nothing (a flow the switch refuses
 * or traffic that misses its flows is reported, not hidden).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createReferenceAdapter, ovsAdapter, referenceAdapter, type SwitchAdapter, type SwitchUnderTest } from '../steps/adapters/index.ts';
import { parseDpctlLookups } from '../steps/adapters/datapath-text.ts';
import { checkSandboxSupport } from '../steps/harness/sandbox-support.ts';
import { Sandbox } from '../steps/harness/sandbox.ts';
import { printCpuProfile } from './cpu-profile.ts';
import { buildFrames, MASKS, measureWindow, megaflowSet, type WindowResult } from './datapath-traffic.ts';
import { UnixctlPipe } from './unixctl-pipe.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    distinct: { type: 'string', default: '1000' },
    flows: { type: 'string', default: '1000,100000' },
    sizes: { type: 'string', default: '64,1500' },
    profile: { type: 'string' },
    'ovs-many': { type: 'boolean', default: false },
    targets: { type: 'string', default: 'raw,ovs,reference' },
    'alt-refswitch': { type: 'string' },
  },
});
const windowMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const distinct = Number(values.distinct);
const sizes = values.sizes.split(',').map(Number);
const manyFlows = values.flows.split(',').filter((s) => s !== '').map(Number);
const targets = new Set(values.targets.split(','));
const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
const bad = manyFlows.find((n) => !Number.isInteger(n) || n < MASKS || n % MASKS !== 0);
if (bad !== undefined) throw new Error(`--flows: ${bad} is not a positive multiple of ${MASKS}`);

const PROFILER_HOOK = resolve(import.meta.dirname, 'cpu-prof-hook.mjs');
const PROFILE_ENV = 'REFSWITCH_BENCH_CPU_PROF';

const altBin = values['alt-refswitch'] === undefined ? undefined : resolve(values['alt-refswitch']);
const altAdapter = altBin === undefined ? undefined : createReferenceAdapter({ refswitchBin: altBin });

type Target = 'raw' | 'ovs' | 'reference' | 'alt';
type SwitchTarget = Exclude<Target, 'raw'>;
interface Row {
  readonly target: Target;
  readonly flows: number;
  readonly size: number;
  readonly r: WindowResult;
  /** Switch CPU time over the window ÷ window (1 = one core busy). */
  readonly cpu?: number;
  /** Lookups during warm-up + window that missed or were lost (should be 0). */
  readonly misses?: number;
  /** Masks probed per lookup, and the share of lookups the mask cache answered (warm-up + window). */
  readonly masksPerPacket?: number;
  readonly cacheHitRate?: number;
}

/** A started switch with its bridge, the paths bench/datapath needs, and its datapath port numbers. */
interface Rig {
  readonly sut: SwitchUnderTest;
  readonly ctl: string;
  readonly pidfile: string;
  readonly inPort: number;
  readonly outPort: number;
}

function ovsPaths(sb: Sandbox): { ctl: string; pidfile: string } {
  const run = join(sb.runDir.path, 'ovs', 'run');
  const ctl = readdirSync(run).find((f) => /^ovs-vswitchd\.\d+\.ctl$/.test(f));
  if (ctl === undefined) throw new Error(`no ovs-vswitchd control socket in ${run}`);
  return { ctl: join(run, ctl), pidfile: join(run, 'ovs-vswitchd.pid') };
}

function referencePaths(sb: Sandbox): { ctl: string; pidfile: string } {
  const dir = join(sb.runDir.path, 'reference');
  return { ctl: join(dir, 'refswitch.ctl'), pidfile: join(dir, 'refswitch.pid') };
}

async function startRig(sb: Sandbox, target: SwitchTarget, profilePrefix: string | undefined): Promise<Rig> {
  const adapter: SwitchAdapter = target === 'ovs' ? ovsAdapter : target === 'alt' && altAdapter !== undefined ? altAdapter : referenceAdapter;
  const sut = await adapter.start(sb, { slowFactor: 1 });
  // The switch process inherits our environment: the profiler hook goes in for its spawn only.
  const saved = { ...process.env };
  if (profilePrefix !== undefined) {
    process.env['NODE_OPTIONS'] = `${saved['NODE_OPTIONS'] ?? ''} --import=${pathToFileURL(PROFILER_HOOK).href}`.trim();
    process.env[PROFILE_ENV] = profilePrefix;
  }
  try {
    await sut.addBridge({ name: 'br0', failMode: 'secure', ports: [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 2 }] });
  } catch (err) {
    const log = target === 'ovs' ? join(sb.runDir.path, 'ovs', 'log', 'ovs-vswitchd.log') : join(sb.runDir.path, 'reference', 'refswitch.log');
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-8).join('\n') : '(no log)';
    await stopSwitch(sb, target, sut, join(sb.runDir.path, target === 'ovs' ? 'ovs/run/ovs-vswitchd.pid' : 'reference/refswitch.pid'));
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n  ${log}:\n${tail}`);
  } finally {
    for (const k of ['NODE_OPTIONS', PROFILE_ENV]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
  const names = await sut.datapathPortNames();
  const portNo = (name: string): number => {
    const n = [...names].find(([, v]) => v === name)?.[0];
    if (n === undefined) throw new Error(`${target}: no datapath port ${name} in ${JSON.stringify([...names])}`);
    return n;
  };
  return { sut, ...(target === 'ovs' ? ovsPaths(sb) : referencePaths(sb)), inPort: portNo('p1'), outPort: portNo('p2') };
}

/** Installs the flows: one with the adapter (real ovs-appctl), many through one pipelined connection. */
async function installFlows(target: SwitchTarget, rig: Rig, flows: number): Promise<string> {
  const t0 = performance.now();
  if (flows === 1) {
    await rig.sut.addDatapathFlows(['in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p2']);
  } else {
    const pipe = await UnixctlPipe.connect(rig.ctl);
    try {
      if (target === 'ovs') {
        const p = await pipe.request('revalidator/pause', []);
        if (!p.ok) throw new Error(`ovs revalidator/pause: ${p.text}`);
      }
      const adds = (function* () {
        for (const [key, actions] of megaflowSet(flows, rig.inPort, rig.outPort)) yield ['dpctl/add-flow', [key, actions]] as const;
      })();
      const r = await pipe.runAll(adds);
      if (r.failed > 0) console.log(`  ${target}: ${r.failed} of ${flows} flows refused, first: ${r.firstError ?? ''}`);
    } finally {
      pipe.close();
    }
  }
  const show = await appctl(rig, 'dpctl/show');
  const count = /flows: ?(\d+)/.exec(show)?.[1] ?? '?';
  return `${count} flow(s) installed in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

async function appctl(rig: Rig, method: string, params: readonly string[] = []): Promise<string> {
  const pipe = await UnixctlPipe.connect(rig.ctl);
  try {
    const a = await pipe.request(method, params);
    if (!a.ok) throw new Error(`${method}: ${a.text}`);
    return a.text;
  } finally {
    pipe.close();
  }
}

/** The datapath's lookup counters as `dpctl/show` prints them (masks and cache: the reference and the kernel datapath only). */
interface LookupCounters {
  readonly lookups: number;
  readonly missed: number;
  readonly maskHit?: number;
  readonly cacheHit?: number;
}

async function lookupCounters(rig: Rig): Promise<LookupCounters> {
  const text = await appctl(rig, 'dpctl/show');
  const l = parseDpctlLookups(text);
  if (!l.ok) throw new Error(l.error);
  const maskHit = /^\s*masks: hit:(\d+)/m.exec(text)?.[1];
  const cacheHit = /^\s*cache: hit:(\d+)/m.exec(text)?.[1];
  return {
    lookups: l.value.hit + l.value.missed + l.value.lost,
    missed: l.value.missed + l.value.lost,
    ...(maskHit === undefined ? {} : { maskHit: Number(maskHit) }),
    ...(cacheHit === undefined ? {} : { cacheHit: Number(cacheHit) }),
  };
}

/** What happened to lookups between two readings. */
function lookupDelta(a: LookupCounters, b: LookupCounters): Pick<Row, 'misses' | 'masksPerPacket' | 'cacheHitRate'> {
  const n = b.lookups - a.lookups;
  const per = (x: number | undefined, y: number | undefined): number | undefined => (x === undefined || y === undefined || n === 0 ? undefined : (y - x) / n);
  const masksPerPacket = per(a.maskHit, b.maskHit);
  const cacheHitRate = per(a.cacheHit, b.cacheHit);
  return { misses: b.missed - a.missed, ...(masksPerPacket === undefined ? {} : { masksPerPacket }), ...(cacheHitRate === undefined ? {} : { cacheHitRate }) };
}

/** CPU seconds (user + system, all threads) of the process in `pidfile`. */
function cpuSeconds(pidfile: string): number {
  const pid = readFileSync(pidfile, 'utf8').trim();
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ
}

async function runSwitchCases(sb: Sandbox, target: SwitchTarget, flows: number, rows: Row[]): Promise<void> {
  const profilePrefix = target !== 'ovs' && profileDir !== undefined ? join(profileDir, `${target}-${flows}`) : undefined;
  const rig = await startRig(sb, target, profilePrefix);
  try {
    console.log(`  (${target}: ${await installFlows(target, rig, flows)})`);
    for (const [i, size] of sizes.entries()) {
      const before = await lookupCounters(rig);
      let cpuAt = 0;
      let cpu = 0;
      const r = await measureWindow({
        sandbox: sb, txIfname: 'p1-h', rxIfname: 'p2-h', switchPorts: { ingress: 'p1', egress: 'p2' },
        frames: buildFrames(size, distinct, flows), warmupMs, windowMs,
        onWindowEdge: (edge) => {
          // The profiler hook profiles from one SIGUSR2 to the next.
          if (profilePrefix !== undefined) process.kill(Number(readFileSync(rig.pidfile, 'utf8')), 'SIGUSR2');
          if (edge === 'start') cpuAt = cpuSeconds(rig.pidfile);
          else cpu = cpuSeconds(rig.pidfile) - cpuAt;
        },
      });
      rows.push({ target, flows, size, r, cpu: cpu / (r.windowMs / 1000), ...lookupDelta(before, await lookupCounters(rig)) });
      printRow(rows[rows.length - 1]!, rows);
      if (profilePrefix !== undefined) await printCpuProfile(`${profilePrefix}.${i + 1}.cpuprofile`);
    }
  } finally {
    // installFlows paused Open vSwitch's revalidators behind the adapter's back; paused, they keep it from exiting.
    if (target === 'ovs' && flows > 1) await appctl(rig, 'revalidator/resume').catch(() => undefined);
    await stopSwitch(sb, target, rig.sut, rig.pidfile);
  }
}

/** Stops a switch and leaves the sandbox ready for the next one (veths free, no Open vSwitch leftovers). */
async function stopSwitch(sb: Sandbox, target: SwitchTarget, sut: SwitchUnderTest, pidfile: string): Promise<void> {
  const pid = existsSync(pidfile) ? readFileSync(pidfile, 'utf8').trim() : undefined;
  await sut.tearDown();
  for (let waited = 0; pid !== undefined && existsSync(`/proc/${pid}`) && waited < 5000; waited += 50) await sleep(50);
  if (target !== 'ovs') return;
  // The ovs adapter makes a new database on every start, in the same place.
  rmSync(join(sb.runDir.path, 'ovs'), { recursive: true, force: true });
  // The netdev datapath's tap devices go away after the daemon; the next one cannot start while they linger.
  for (let waited = 0; waited < 5000; waited += 100) {
    if (!(await sb.links()).some((l) => l.name === 'ovs-netdev' || l.name === 'br0')) break;
    await sleep(100);
  }
}


const kpps = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : (x / 1000).toFixed(0));
const ratio = (a: number, b: number | undefined): string => (b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}×`);

function describeCase(row: Row): string {
  const names: Record<Target, string> = { raw: 'raw', ovs: 'Open vSwitch netdev', reference: 'reference', alt: 'reference (alt)' };
  return row.target === 'raw' ? 'raw veth (no switch)' : `${names[row.target]}, ${row.flows.toLocaleString('en-US')} megaflow${row.flows > 1 ? 's' : ''}`;
}

const HEADER = `  ${'case'.padEnd(38)} ${'frame'.padStart(6)} ${'kpps'.padStart(6)} ${'offered'.padStart(8)} ${'fwd/arr'.padStart(8)} ${'cpu'.padStart(5)} ${'k/cpu-s'.padStart(7)} ${'miss'.padStart(5)} ${'masks'.padStart(5)} ${'cache'.padStart(5)} ${'÷ OVS'.padStart(8)} ${'÷ raw'.padStart(6)}`;

function printRow(row: Row, rows: readonly Row[]): void {
  const same = (t: Target, flows: number): Row | undefined => rows.find((x) => x.target === t && x.size === row.size && x.flows === flows);
  const ovs = same('ovs', row.flows) ?? same('ovs', 1);
  const ovsMark = ovs !== undefined && ovs.flows !== row.flows ? '¹' : ' ';
  const r = row.r;
  const fwd = r.arrivedPps !== undefined && r.forwardedPps !== undefined && r.arrivedPps > 0 ? `${Math.round((100 * r.forwardedPps) / r.arrivedPps)}%` : '-';
  console.log(
    `  ${describeCase(row).padEnd(38)} ${`${row.size} B`.padStart(6)} ${kpps(r.receivedPps).padStart(6)} ${kpps(r.offeredPps).padStart(8)} ${fwd.padStart(8)}` +
      ` ${row.cpu === undefined ? '    -' : `${Math.round(row.cpu * 100)}%`.padStart(5)} ${(row.cpu ? kpps(r.receivedPps / row.cpu) : '-').padStart(7)}` +
      ` ${String(row.misses ?? '-').padStart(5)} ${(row.masksPerPacket?.toFixed(2) ?? '-').padStart(5)}` +
      ` ${(row.cacheHitRate === undefined ? '-' : `${Math.round(row.cacheHitRate * 100)}%`).padStart(5)}` +
      ` ${row.target === 'ovs' && ovs?.flows === row.flows ? '       -' : (ratio(r.receivedPps, ovs?.r.receivedPps) + ovsMark).padStart(8)}` +
      ` ${ratio(r.receivedPps, same('raw', 0)?.r.receivedPps).padStart(6)}` +
      (r.receiverDrops > 0 ? `  (receiver dropped ${r.receiverDrops})` : ''),
  );
}

const reason = await checkSandboxSupport();
const unavailable = reason ?? (await ovsAdapter.checkAvailable()) ?? (await referenceAdapter.checkAvailable()) ?? (await altAdapter?.checkAvailable());
if (unavailable !== undefined) {
  console.error(`bench/datapath: cannot run: ${unavailable}`);
  process.exit(2);
}
if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
const sb = await Sandbox.create({ scenarioId: 'bench/datapath', workerId: `bd${process.pid}`.slice(0, 8), ports: ['p1', 'p2'] });
const rows: Row[] = [];
try {
  console.log(
    `bench/datapath: ${cpus().length} CPUs (load ${loadavg()[0]?.toFixed(1)}), ${distinct} distinct UDP frames cycling, ` +
      `${warmupMs / 1000} s warm-up + ${windowMs / 1000} s window per case, in ${sb.namespace}`,
  );
  console.log(HEADER);
  for (const size of targets.has('raw') ? sizes : []) {
    const r = await measureWindow({ sandbox: sb, txIfname: 'p1-h', rxIfname: 'p1', frames: buildFrames(size, distinct, 1), warmupMs, windowMs });
    rows.push({ target: 'raw', flows: 0, size, r });
    printRow(rows[rows.length - 1]!, rows);
  }
  const runCases = async (target: SwitchTarget, flows: number): Promise<void> => {
    try {
      await runSwitchCases(sb, target, flows, rows);
    } catch (err) {
      console.log(`  ${target}, ${flows} megaflow(s): FAILED: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (targets.has('ovs')) await runCases('ovs', 1);
  for (const n of [1, ...manyFlows]) {
    if (n > 1 && values['ovs-many'] && targets.has('ovs')) await runCases('ovs', n);
    if (targets.has('reference')) await runCases('reference', n);
    if (altBin !== undefined) await runCases('alt', n);
  }
  console.log(
    '  kpps: frames/s received on p2-h; offered: frames/s the sender put into p1-h; fwd/arr: frames the switch sent on p2 ÷ frames arriving on p1 ' +
      '(interface counters); cpu: the switch process\'s CPU time ÷ window; k/cpu-s: kpps per CPU-second of the switch; miss: lookups missed or lost; masks: masks probed per lookup; cache: lookups the mask cache answered; ¹ vs Open vSwitch with 1 megaflow.',
  );
} finally {
  const report = await sb.destroy();
  if (report.errors.length > 0) console.error(`bench/datapath: cleanup errors: ${report.errors.join('; ')}`);
}
