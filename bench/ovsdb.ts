/**
 * bench/ovsdb: OVSDB transactions per second, in one run on one machine,
 * for the reference server (`refswitch ovsdb-server`, its own process) and
 * Open vSwitch's ovsdb-server, on the same workload and the same client.
 *
 * Workload: a one-table database (created by the real `ovsdb-tool create`
 * for both servers, so the reference also opens a file Open vSwitch
 * wrote); every transaction inserts a row and updates one row inserted at
 * the start (`[insert T {n, s}, update T where _uuid == U {n}]`), over the
 * unix socket, not durable (no `commit durable`, so neither server
 * fsyncs). Two modes per server: one at a time (the next transaction is
 * sent when the reply arrives) and 64 in flight on one connection
 * (JSON-RPC pipelining). Each mode: a warm-up, then a window; printed per
 * case: transactions/s, the server's CPU time ÷ window (from
 * /proc/PID/stat), transactions per server CPU-second (the figure to trust
 * on a busy machine, or when the client saturates a core first) and its
 * inverse, the server's CPU µs per transaction, the
 * client's own CPU share, failed transactions (should be 0), and the ratio
 * reference ÷ ovsdb-server for the same mode.
 *
 * Needs ovsdb-server and ovsdb-tool; otherwise says why and exits 2.
 * Not a test: prints figures, asserts nothing.
 *
 * `--profile DIR` profiles the reference server during each measured
 * window with V8's sampling profiler (bench/cpu-prof-hook.mjs, started and
 * stopped by SIGUSR2 at the window's edges), writes
 * DIR/reference-DEPTH.1.cpuprofile and prints where its busy time went
 * (bench/cpu-profile.ts). The profiler costs the server some speed.
 *
 * Usage: node --import tsx bench/ovsdb.ts [--seconds 2] [--warmup 0.5] [--inflight 64] [--targets ovs,reference] [--profile DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { acceptsConnections, JsonRpcConnection, RealOvsdbServer, realOvsdbServerMissing } from '../reference/ovsdb/index.ts';
import { printCpuProfile } from './cpu-profile.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '0.5' },
    inflight: { type: 'string', default: '64' },
    targets: { type: 'string', default: 'ovs,reference' },
    profile: { type: 'string' },
  },
});
const profileDir = values.profile === undefined ? undefined : resolve(values.profile);
const PROFILER_HOOK = resolve(import.meta.dirname, 'cpu-prof-hook.mjs');
const windowMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const inflight = Number(values.inflight);
const targets = values.targets.split(',');

const REFSWITCH = resolve(import.meta.dirname, '..', 'bin', 'refswitch.js');
const SCHEMA = {
  name: 'Bench',
  version: '1.0.0',
  tables: { T: { isRoot: true, columns: { n: { type: 'integer' }, s: { type: 'string' } } } },
};

type Target = 'ovs' | 'reference';
interface Server {
  readonly address: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}
interface Result {
  readonly txnPerSec: number;
  /** Server CPU seconds ÷ window seconds, when its pid is known. */
  readonly cpu?: number;
  /** This (client) process's CPU seconds ÷ window seconds. */
  readonly clientCpu: number;
  readonly failed: number;
  readonly firstError?: string;
}

/** utime + stime of `pid` in seconds, or undefined when /proc cannot tell. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** `refswitch ovsdb-server DB --remote=punix:SOCK` as a child process; rejects with its stderr if it does not come up. */
async function startReference(dir: string, dbPath: string, profilePrefix: string | undefined): Promise<Server> {
  const sock = join(dir, 'ref.sock');
  const hook = profilePrefix === undefined ? [] : [`--import=${pathToFileURL(PROFILER_HOOK).href}`];
  const env = profilePrefix === undefined ? process.env : { ...process.env, REFSWITCH_BENCH_CPU_PROF: profilePrefix };
  const child: ChildProcess = spawn(process.execPath, [...hook, REFSWITCH, 'ovsdb-server', dbPath, `--remote=punix:${sock}`], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let waited = 0; !(await acceptsConnections(sock)); waited += 20) {
    if (child.exitCode !== null || waited > 10_000) {
      child.kill('SIGTERM');
      throw new Error(`refswitch ovsdb-server did not start: ${stderr.trim().split('\n').slice(-3).join(' / ') || `exit ${child.exitCode}`}`);
    }
    await sleep(20);
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  };
  return { address: `unix:${sock}`, pid: child.pid, stop };
}

async function startServer(target: Target, dir: string, profilePrefix: string | undefined): Promise<Server> {
  const schemaPath = join(dir, 'bench.ovsschema');
  writeFileSync(schemaPath, JSON.stringify(SCHEMA));
  if (target === 'ovs') {
    const s = await RealOvsdbServer.start(dir, schemaPath, 'ovs');
    return { address: s.address, pid: s.pid, stop: () => s.stop() };
  }
  const created = await RealOvsdbServer.start(dir, schemaPath, 'seed');
  await created.stop(); // leaves seed.db as ovsdb-tool created it
  return startReference(dir, created.dbPath, profilePrefix);
}

/** Runs the workload with `depth` transactions in flight; counts completions during the window only. */
async function measure(server: Server, depth: number, profiling: boolean): Promise<Result> {
  const rpc = await JsonRpcConnection.connect(server.address);
  try {
    const setup = (await rpc.request('transact', ['Bench', { op: 'insert', table: 'T', row: { n: 0, s: 'target' } }])) as { uuid?: unknown[] }[];
    const target = setup[0]?.uuid;
    if (target === undefined) throw new Error(`setup insert failed: ${JSON.stringify(setup)}`);
    let seq = 0;
    let failed = 0;
    let firstError: string | undefined;
    let counted = 0;
    let counting = false;
    let stopped = false;
    const one = async (): Promise<void> => {
      const n = ++seq;
      const reply = await rpc.request('transact', [
        'Bench',
        { op: 'insert', table: 'T', row: { n, s: `row ${n}` } },
        { op: 'update', table: 'T', where: [['_uuid', '==', target]], row: { n } },
      ]);
      const bad = Array.isArray(reply) ? reply.find((r) => typeof r === 'object' && r !== null && 'error' in r) : reply;
      if (bad !== undefined) {
        failed += 1;
        firstError ??= JSON.stringify(bad);
      }
      if (counting) counted += 1;
    };
    const worker = async (): Promise<void> => {
      while (!stopped) await one();
    };
    const workers = Array.from({ length: depth }, () => worker());
    await sleep(warmupMs);
    // The profiler hook profiles from one SIGUSR2 to the next.
    if (profiling && server.pid !== undefined) process.kill(server.pid, 'SIGUSR2');
    const cpu0 = cpuSeconds(server.pid);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    counting = true;
    await sleep(windowMs);
    counting = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(server.pid);
    const client = process.cpuUsage(client0);
    if (profiling && server.pid !== undefined) process.kill(server.pid, 'SIGUSR2');
    const clientCpu = (client.user + client.system) / 1e6 / seconds;
    stopped = true;
    await Promise.all(workers);
    const cpu = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / seconds : undefined;
    return { txnPerSec: counted / seconds, failed, clientCpu, ...(cpu === undefined ? {} : { cpu }), ...(firstError === undefined ? {} : { firstError }) };
  } finally {
    rpc.close();
  }
}


const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const HEADER = `  ${'server'.padEnd(14)} ${'mode'.padEnd(16)} ${'txn/s'.padStart(8)} ${'cpu'.padStart(5)} ${'txn/cpu-s'.padStart(10)} ${'µs/txn'.padStart(7)} ${'client'.padStart(6)} ${'failed'.padStart(7)} ${'÷ OVS'.padStart(7)}`;

function printRow(target: Target, mode: string, r: Result, ovs: Result | undefined): void {
  const ratio = target === 'ovs' || ovs === undefined ? '-' : `${(r.txnPerSec / ovs.txnPerSec).toFixed(2)}×`;
  console.log(
    `  ${(target === 'ovs' ? 'ovsdb-server' : 'reference').padEnd(14)} ${mode.padEnd(16)} ${fmt(r.txnPerSec).padStart(8)}` +
      ` ${(r.cpu === undefined ? '-' : `${Math.round(r.cpu * 100)}%`).padStart(5)} ${(r.cpu ? fmt(r.txnPerSec / r.cpu) : '-').padStart(10)} ${(r.cpu && r.txnPerSec ? ((r.cpu / r.txnPerSec) * 1e6).toFixed(1) : '-').padStart(7)} ${`${Math.round(r.clientCpu * 100)}%`.padStart(6)}` +
      ` ${String(r.failed).padStart(7)} ${ratio.padStart(7)}` +
      (r.firstError === undefined ? '' : `  first error: ${r.firstError.slice(0, 160)}`),
  );
}

const missing = realOvsdbServerMissing();
if (missing !== undefined) {
  console.error(`bench/ovsdb: cannot run: ${missing}`);
  process.exit(2);
}
console.log(
  `bench/ovsdb: ${cpus().length} CPUs (load ${loadavg()[0]?.toFixed(1)}), insert + update per transaction over a unix socket, not durable, ` +
    `${warmupMs / 1000} s warm-up + ${windowMs / 1000} s window per case`,
);
console.log(HEADER);
const modes = [
  { name: 'one at a time', depth: 1 },
  { name: `${inflight} in flight`, depth: inflight },
];
const results = new Map<string, Result>();
if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
for (const target of targets.filter((x): x is Target => x === 'ovs' || x === 'reference')) {
  for (const mode of modes) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-ovsdb-'));
    let server: Server | undefined;
    const profilePrefix = target === 'reference' && profileDir !== undefined ? join(profileDir, `reference-${mode.depth}`) : undefined;
    try {
      server = await startServer(target, dir, profilePrefix);
      const r = await measure(server, mode.depth, profilePrefix !== undefined);
      results.set(`${target}/${mode.depth}`, r);
      printRow(target, mode.name, r, results.get(`ovs/${mode.depth}`));
      if (profilePrefix !== undefined) await printCpuProfile(`${profilePrefix}.1.cpuprofile`, 25);
    } catch (err) {
      console.log(`  ${target}, ${mode.name}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
console.log(
  '  txn/s: transactions replied per second during the window; cpu: the server process\'s CPU time ÷ window; ' +
    'txn/cpu-s: transactions per CPU-second of the server (the figure to trust when the client or the machine is the limit); µs/txn: the server\'s CPU time per transaction; client: this client\'s CPU ÷ window; ÷ OVS: reference txn/s ÷ ovsdb-server txn/s in the same mode.',
);
