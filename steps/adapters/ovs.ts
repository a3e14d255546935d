/**
 * The `ovs` switch adapter: a private Open vSwitch 3.1 (ovsdb-server +
 * ovs-vswitchd, userspace `netdev` datapath on the sandbox's veths) per
 * scenario.
 *
 * How (see /work/shared/notes/running-open-vswitch.md):
 *  - Files live in `<sandbox run dir>/ovs/{run,log,db,etc}`; every tool call
 *    gets OVS_RUNDIR/OVS_LOGDIR/OVS_DBDIR/OVS_SYSCONFDIR, so the sockets
 *    (`db.sock`, `<bridge>.mgmt`, `<daemon>.<pid>.ctl`) never meet another
 *    scenario's. The daemons run inside the sandbox namespace through
 *    `sandbox.spawn` (no --detach); `env` carries the variables in, because
 *    ovs-vswitchd puts its bridge sockets in OVS_RUNDIR. Once up, each daemon
 *    is re-recorded with `recordPid` so the pid record holds its real command
 *    line (the spawn record still starts with `env`) and reaping finds it.
 *  - Start-up waits for each daemon's pidfile, control socket (and db.sock)
 *    and a `version` answer, polling with a deadline scaled by slowFactor; a
 *    daemon that exits or never answers is a HarnessError quoting its log.
 *  - Global `other_config:max-idle` is 60 s (default 10 s), so no datapath
 *    flow expires while a scenario is still looking at it.
 *  - Configuration goes through the project's own OVSDB client
 *    (ovsdb-config.ts, reference/ovsdb Idl), not ovs-vsctl: the database is
 *    initialised before ovs-vswitchd starts; bridges are `datapath_type=netdev`,
 *    fail mode from the spec, datapath-id 1, 2, ... in creation order, each in
 *    one transaction that increments next_cfg and waits for ovs-vswitchd's
 *    cur_cfg, then every port's `ofport` and `error` are checked; teardown
 *    deletes the bridges the same way.
 *  - Flows go in with `ovs-ofctl -O OpenFlow10..15 add-flows` (ovs-ofctl
 *    picks a version every flow can be sent in, so importance, groups and
 *    meters work too) and are dumped with the default OpenFlow 1.0 + NXM
 *    (`mod_dl_dst:`, as the contract's examples). Not atomic: a rejected flow
 *    leaves the ones before it installed.
 *  - Datapath flows (`dp-flows`) go in with `ovs-appctl dpctl/add-flow`. The
 *    revalidators would otherwise re-translate such a flow through the
 *    OpenFlow tables at their next dump (every 500 ms) and rewrite or delete
 *    it, so the first datapath flow or meter pauses them for the rest of the
 *    scenario (`revalidator/pause`, a hidden 3.1 command). While paused,
 *    `revalidator/wait` would never return: quiesce then waits for the
 *    `dpctl/show` lookup counters to stop moving instead.
 *  - Datapath meters (`dp-meters`) are OpenFlow meters: ofproto-dpif gives
 *    each new OpenFlow meter the lowest free datapath meter id, from 0, and
 *    this adapter never deletes one, so datapath meter N is OpenFlow meter
 *    N+1 once meters 0..N-1 exist (missing ones are created as fillers with
 *    a rate nothing reaches).
 *
 * Errors: a flow or trace flow OVS rejects (ovs-ofctl's parse error, an
 * OFPT_ERROR, an ofproto/trace error answer) is a scenario authoring or
 * switch problem, so a plain Error with OVS's message (verdict FAIL). Not
 * reaching a daemon, a tool that fails otherwise, or output this adapter
 * cannot read is a HarnessError.
 * Left out on purpose: controllers, OVSDB managers, tunnels, DPDK/AF_XDP.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError, runCommand, type CommandResult, type RunOptions, type Sandbox } from '../harness/index.ts';
import {
  CAPABILITIES, type BridgeSpec, type DatapathMeter, type FailMode, type FlowStat, type SwitchAdapter, type SwitchUnderTest, type TraceResult,
} from './adapter.ts';
import { APPCTL_SERVER_ERROR, installDatapathFlows, waitForStableLookups } from './datapath-control.ts';
import { ofctlMeterSpec, ovsParsableActions, parseDpctlLookups, type DatapathLookups } from './datapath-text.ts';
import { findOvsInstall, type OvsInstall, type OvsTool } from './ovs-install.ts';
import { OvsdbConfig } from './ovsdb-config.ts';
import { compareFlowEntries, parseDpctlShow, parseOfctlDumpFlows, parseTrace, renameDatapathPorts, toFlowStat } from './ovs-text.ts';

const TOOL_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 10_000;
const TEARDOWN_TIMEOUT_MS = 2_000;
const POLL_MS = 5;
const SETTLE_INTERVAL_MS = 20;
/** A filler meter's rate (packets per second): never reached by a scenario. */
const FILLER_METER_PPS = 1_000_000;
const MAX_IDLE_MS = 60_000;
const OPENFLOW_VERSIONS = 'OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15';
/** ovs-ofctl stderr that means "OVS refused these flows", as opposed to "could not reach OVS". */
const FLOWS_REJECTED = /(?:^|\n)ovs-ofctl: -:\d+: |OFPT_ERROR|none of the usable flow formats/;

type Daemon = 'ovsdb-server' | 'ovs-vswitchd';

export interface OvsAdapterOptions {
  /** Directory holding the OVS binaries; default $REFSWITCH_OVS_BINDIR, else PATH plus /usr/sbin. */
  readonly binDir?: string;
}

/** An `ovs` adapter; `binDir` overrides where the binaries are looked for. */
export function createOvsAdapter(options: OvsAdapterOptions = {}): SwitchAdapter {
  return {
    name: 'ovs',
    capabilities: new Set(Object.values(CAPABILITIES)),
    checkAvailable() {
      const found = findOvsInstall(options.binDir);
      return Promise.resolve(found.ok ? undefined : found.reason);
    },
    async start(sandbox, { slowFactor }) {
      const found = findOvsInstall(options.binDir);
      if (!found.ok) throw new HarnessError(found.reason);
      const sw = new OvsSwitch(sandbox, found.install, slowFactor);
      await sw.boot();
      return sw;
    },
  };
}

export const ovsAdapter: SwitchAdapter = createOvsAdapter();

class OvsSwitch implements SwitchUnderTest {
  private readonly dir: { run: string; log: string; db: string; etc: string };
  private readonly env: Readonly<Record<string, string>>;
  private readonly children = new Map<Daemon, ChildProcess>();
  private readonly bridges: string[] = [];
  private revalidatorsPaused = false;
  /** Datapath meter id → its OpenFlow meter id, in creation order (fillers included). */
  private readonly meters: number[] = [];
  private config: OvsdbConfig | undefined;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly install: OvsInstall,
    private readonly slowFactor: number,
  ) {
    const root = join(sandbox.runDir.path, 'ovs');
    this.dir = { run: join(root, 'run'), log: join(root, 'log'), db: join(root, 'db'), etc: join(root, 'etc') };
    this.env = { OVS_RUNDIR: this.dir.run, OVS_LOGDIR: this.dir.log, OVS_DBDIR: this.dir.db, OVS_SYSCONFDIR: this.dir.etc };
  }

  private ms(base: number): number {
    return Math.ceil(base * Math.max(this.slowFactor, 1));
  }

  private run(tool: OvsTool, args: readonly string[], what: string, options: Pick<RunOptions, 'input' | 'allowFailure' | 'timeoutMs'> = {}): Promise<CommandResult> {
    return runCommand([this.install.bin[tool], ...args], { env: this.env, what, timeoutMs: this.ms(TOOL_TIMEOUT_MS), ...options });
  }

  private requireConfig(): OvsdbConfig {
    if (this.config === undefined) throw new HarnessError('the OVS database is not open (boot first)');
    return this.config;
  }

  /** Creates the database and starts both daemons; HarnessError when one does not come up. */
  async boot(): Promise<void> {
    for (const d of Object.values(this.dir)) mkdirSync(d, { recursive: true, mode: 0o700 });
    const db = join(this.dir.db, 'conf.db');
    const sock = join(this.dir.run, 'db.sock');
    await this.run('ovsdb-tool', ['create', db, this.install.schema], `create the OVS database in ${this.dir.db}`);
    await this.startDaemon('ovsdb-server', [db, `--remote=punix:${sock}`], () => existsSync(sock));
    this.config = await OvsdbConfig.open(this.ovsdbEndpoint(), this.ms(TOOL_TIMEOUT_MS));
    this.sandbox.defer('close the OVSDB configuration client', () => this.config?.close());
    await this.config.init({ 'max-idle': String(MAX_IDLE_MS) });
    await this.startDaemon('ovs-vswitchd', [`unix:${sock}`], () => true);
  }

  private async startDaemon(name: Daemon, args: readonly string[], isReady: () => boolean): Promise<void> {
    const log = join(this.dir.log, `${name}.log`);
    const pidfile = join(this.dir.run, `${name}.pid`);
    const envArgs = Object.entries(this.env).map(([k, v]) => `${k}=${v}`);
    const argv = ['env', ...envArgs, this.install.bin[name], ...args, `--pidfile=${pidfile}`, `--log-file=${log}`, '-vconsole:off', '--no-chdir'];
    const child = this.sandbox.spawn(argv, { label: name, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = ''; // before the log file is open (bad options, missing libraries), errors go here
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-4000)));
    let spawnFailed = false;
    child.on('error', (e) => {
      stderr += `\n${e.message}`;
      spawnFailed = true;
    });
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.children.set(name, child);
    const what = `start ${name} in ${this.sandbox.namespace}`;
    const deadline = Date.now() + this.ms(START_TIMEOUT_MS);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null || spawnFailed) {
        await Promise.race([closed, sleep(this.ms(200))]); // the rest of its stderr
        const failure = { argv, exitCode: child.exitCode, stderr: `${stderr.trim()}\n${logTail(log)}`.trim() };
        throw new HarnessError(what, child.signalCode === null ? failure : { ...failure, signal: child.signalCode });
      }
      const pid = readPidfile(pidfile);
      const ctl = pid === undefined ? '' : join(this.dir.run, `${name}.${pid}.ctl`);
      if (pid !== undefined && existsSync(ctl) && isReady()) {
        const r = await this.run('ovs-appctl', ['-t', ctl, 'version'], `ask ${name} for its version`, { allowFailure: true });
        if (r.exitCode === 0) {
          this.sandbox.recordPid(pid, name);
          return;
        }
      }
      if (Date.now() > deadline) {
        throw new HarnessError(`${what}: not answering on its control socket after ${this.ms(START_TIMEOUT_MS)} ms; log: ${JSON.stringify(logTail(log))}`);
      }
      await sleep(POLL_MS);
    }
  }

  async addBridge(spec: BridgeSpec): Promise<void> {
    const datapathId = (this.bridges.length + 1).toString(16).padStart(16, '0');
    this.bridges.push(spec.name);
    await this.requireConfig().addBridge(spec, { datapathType: 'netdev', datapathId });
  }

  async setFailMode(bridge: string, mode: FailMode): Promise<void> {
    await this.requireConfig().setFailMode(bridge, mode);
  }

  async addFlows(bridge: string, flows: readonly string[]): Promise<void> {
    if (flows.length === 0) return;
    const bad = flows.find((f) => /[\r\n]/.test(f));
    if (bad !== undefined) throw new Error(`a flow may not contain a line break: ${JSON.stringify(bad)}`);
    const what = `add ${flows.length} flow(s) to ${bridge}`;
    const r = await this.run('ovs-ofctl', ['-O', OPENFLOW_VERSIONS, 'add-flows', bridge, '-'], what, { input: flows.join('\n') + '\n', allowFailure: true });
    if (r.exitCode === 0) return;
    if (FLOWS_REJECTED.test(r.stderr)) throw new Error(`Open vSwitch rejected flows for ${bridge}: ${r.stderr.trim()}`);
    throw new HarnessError(what, r);
  }

  async dumpFlowStats(bridge: string): Promise<FlowStat[]> {
    const r = await this.run('ovs-ofctl', ['dump-flows', bridge], `dump the OpenFlow flows of ${bridge}`);
    const parsed = parseOfctlDumpFlows(r.stdout);
    if (!parsed.ok) throw new HarnessError(`read ovs-ofctl dump-flows ${bridge}: ${parsed.error}`);
    return parsed.value.sort(compareFlowEntries).map(toFlowStat);
  }

  /**
   * Two `revalidator/wait`s: the second covers flows the first cycle's
   * packets installed. With the revalidators paused (datapath flows), the
   * lookup counters must stop moving instead.
   */
  async quiesce(): Promise<void> {
    if (this.revalidatorsPaused) {
      await waitForStableLookups(() => this.lookups(), { intervalMs: this.ms(SETTLE_INTERVAL_MS), timeoutMs: this.ms(TOOL_TIMEOUT_MS), what: 'quiesce Open vSwitch' });
      return;
    }
    for (let i = 0; i < 2; i++) await this.run('ovs-appctl', ['revalidator/wait'], 'wait for the revalidators');
  }

  private async lookups(): Promise<DatapathLookups> {
    const r = await this.run('ovs-appctl', ['dpctl/show'], 'read the datapath lookup counters');
    const parsed = parseDpctlLookups(r.stdout);
    if (!parsed.ok) throw new HarnessError(`read ovs-appctl dpctl/show: ${parsed.error}`);
    return parsed.value;
  }

  /** Stops the revalidators for good (see the header): they would rewrite flows added with dpctl. */
  private async pauseRevalidators(): Promise<void> {
    if (this.revalidatorsPaused) return;
    await this.run('ovs-appctl', ['revalidator/pause'], 'pause the revalidators');
    this.revalidatorsPaused = true;
  }

  async addDatapathFlows(flows: readonly string[]): Promise<void> {
    if (flows.length === 0) return;
    await this.pauseRevalidators();
    const appctl = (args: readonly string[], what: string): Promise<CommandResult> => this.run('ovs-appctl', args, what, { allowFailure: true });
    await installDatapathFlows(appctl, flows, await this.datapathPortNames(), { switchName: 'Open vSwitch', actionsText: ovsParsableActions });
  }

  async setDatapathMeter(id: number, meter: DatapathMeter): Promise<void> {
    const bridge = this.bridges[0];
    if (bridge === undefined) throw new HarnessError('datapath meters need a bridge first (OpenFlow meters live on a bridge)');
    if (!Number.isInteger(id) || id < 0 || id > 0xfffe) throw new HarnessError(`datapath meter id ${id} out of range (0..65534)`);
    await this.pauseRevalidators();
    while (this.meters.length < id) {
      const filler = this.meters.length;
      await this.addMeter(bridge, 'add-meter', filler + 1, { unit: 'pktps', bands: [{ type: 'drop', rate: FILLER_METER_PPS, burst: 0 }] });
      this.meters.push(filler + 1);
    }
    const existing = this.meters[id];
    await this.addMeter(bridge, existing === undefined ? 'add-meter' : 'mod-meter', id + 1, meter);
    if (existing === undefined) this.meters.push(id + 1);
  }

  private async addMeter(bridge: string, command: 'add-meter' | 'mod-meter', ofMeterId: number, meter: DatapathMeter): Promise<void> {
    const spec = ofctlMeterSpec(ofMeterId, meter);
    const what = `${command} ${spec} on ${bridge}`;
    const r = await this.run('ovs-ofctl', ['-O', 'OpenFlow13', command, bridge, spec], what, { allowFailure: true });
    if (r.exitCode === 0) return;
    if (/OFPT_ERROR/.test(r.stderr)) throw new Error(`Open vSwitch rejected meter ${JSON.stringify(spec)}: ${r.stderr.trim()}`);
    throw new HarnessError(what, r);
  }

  async dumpDatapathFlows(): Promise<string> {
    return (await this.run('ovs-appctl', ['dpctl/dump-flows'], 'dump the datapath flows')).stdout;
  }

  async datapathPortNames(): Promise<Map<number, string>> {
    const r = await this.run('ovs-appctl', ['dpctl/show'], 'list the datapath ports');
    const parsed = parseDpctlShow(r.stdout);
    if (!parsed.ok) throw new HarnessError(`read ovs-appctl dpctl/show: ${parsed.error}`);
    return parsed.value;
  }

  async trace(bridge: string, flow: string): Promise<TraceResult> {
    const what = `trace ${JSON.stringify(flow)} on ${bridge}`;
    const r = await this.run('ovs-appctl', ['ofproto/trace', bridge, flow], what, { allowFailure: true });
    if (r.exitCode === APPCTL_SERVER_ERROR) throw new Error(`Open vSwitch cannot ${what}: ${r.stderr.trim()}`);
    if (r.exitCode !== 0) throw new HarnessError(what, r);
    const passes = parseTrace(r.stdout);
    if (!passes.ok) throw new HarnessError(`read the ofproto/trace output of ${what}: ${passes.error}`);
    const first = passes.value[0];
    if (first === undefined) throw new HarnessError(`${what}: no datapath pass in the trace`);
    const names = await this.datapathPortNames();
    return { text: r.stdout, megaflow: first.megaflow, datapathActions: renameDatapathPorts(first.datapathActions, names) };
  }

  ovsdbEndpoint(): string {
    return `unix:${join(this.dir.run, 'db.sock')}`;
  }

  async tearDown(): Promise<void> {
    const timeoutMs = this.ms(TEARDOWN_TIMEOUT_MS);
    const quietly = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
    if (this.revalidatorsPaused) {
      await quietly(this.run('ovs-appctl', ['revalidator/resume'], 'resume the revalidators', { allowFailure: true, timeoutMs }));
      this.revalidatorsPaused = false;
    }
    for (const br of this.bridges.splice(0).reverse()) {
      if (this.config !== undefined) await quietly(Promise.race([this.config.deleteBridge(br), sleep(timeoutMs)]));
    }
    this.config?.close();
    this.config = undefined;
    for (const name of ['ovs-vswitchd', 'ovsdb-server'] as const) {
      const child = this.children.get(name);
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await quietly(this.run('ovs-appctl', ['-t', name, 'exit'], `stop ${name}`, { allowFailure: true, timeoutMs }));
      await Promise.race([exited, sleep(timeoutMs)]);
    }
  }
}

function readPidfile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${path})`;
  }
}
