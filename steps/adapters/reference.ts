/**
 * The `reference` switch adapter: our own switch, `refswitch switch`, one
 * process per scenario inside the sandbox's namespace, driven through its
 * control socket with Open vSwitch's real `ovs-appctl` (the switch's public
 * face is OVS's control interface, so the tool that talks to OVS must work
 * on it unchanged).
 *
 * How:
 *  - The switch is `bin/refswitch.js` of this checkout, or the script
 *    $REFSWITCH_BIN names (another build), run with this Node.
 *  - A switch configured from OVSDB (its usage lists `--db`) starts in
 *    `start` as `node bin/refswitch.js switch --rundir DIR`, serving its
 *    own OVSDB server on `DIR/db.sock` (capability `ovsdb`); bridges, ports
 *    (`ofport_request` = the scenario's OpenFlow number, which the switch
 *    also uses as the datapath port number) and teardown go through the
 *    project's OVSDB client (ovsdb-config.ts), as for the `ovs` adapter.
 *  - An older build without OVSDB (e.g. $REFSWITCH_BIN for a benchmark)
 *    starts in `addBridge` with its bridge and ports on the command line:
 *    `... switch --rundir DIR --bridge BR --port p1,port_no=1 ...`; a
 *    second bridge is then a HarnessError.
 *  - Ready when `DIR/refswitch.ctl` answers `ovs-appctl -t DIR/refswitch.ctl
 *    version`, polled with a deadline scaled by slowFactor; a process that
 *    exits first is a HarnessError quoting its stderr and log.
 *  - Datapath flows: `dpctl/add-flow` per flow; dumps: `dpctl/dump-flows`;
 *    port map: `dpctl/show`; meters: `dpif/meter-set ID UNIT band=…`.
 *  - quiesce: `revalidator/wait` when the switch lists it, otherwise the
 *    `dpctl/show` lookup counters must stop moving.
 *  - Capabilities: veth, dp-dump, dp-flows, and dp-meters once a started
 *    switch lists `dpif/meter-set` (learnt from `list-commands` at the first
 *    start; steps needing it come after `Given a bridge`). No OpenFlow, no
 *    trace, no fail mode yet: those scenarios are UNSUPPORTED here.
 *
 * Errors as the contract says: a flow or meter the switch answers with an
 * error (ovs-appctl exit code 2) is a plain Error with its words; not
 * reaching it, or a missing tool, is a HarnessError.
 * Left out on purpose: OpenFlow (not in the switch yet), so no fail mode.
 */
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError, runCommand, type CommandResult, type Sandbox } from '../harness/index.ts';
import {
  CAPABILITIES, UnsupportedCapabilityError, type BridgeSpec, type Capability, type DatapathMeter, type FlowStat,
  type SwitchAdapter, type SwitchUnderTest, type TraceResult,
} from './adapter.ts';
import { APPCTL_SERVER_ERROR, installDatapathFlows, waitForStableLookups } from './datapath-control.ts';
import { parseDpctlLookups, refMeterSetArgs, type DatapathLookups } from './datapath-text.ts';
import { parseDpctlShow } from './ovs-text.ts';
import { OvsdbConfig } from './ovsdb-config.ts';

const TOOL_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 20_000;
const TEARDOWN_TIMEOUT_MS = 3_000;
const POLL_MS = 20;
const SETTLE_INTERVAL_MS = 20;
const APPCTL_HINT = 'apt-get install openvswitch-common';
const BASE_CAPABILITIES: readonly Capability[] = [CAPABILITIES.veth, CAPABILITIES.dpDump, CAPABILITIES.dpFlows];
const METER_COMMAND = 'dpif/meter-set';
const WAIT_COMMAND = 'revalidator/wait';
/** In refswitch's usage line for `switch`: the switch reads its configuration from OVSDB. */
const OVSDB_USAGE = /^\s*refswitch switch .*--db /m;

/** Environment variable naming another refswitch script to start (a build under test elsewhere). */
export const REFSWITCH_BIN_ENV = 'REFSWITCH_BIN';

export interface ReferenceAdapterOptions {
  /** Default $REFSWITCH_BIN, else `bin/refswitch.js` of this checkout. */
  readonly refswitchBin?: string;
  /** Directories searched for `ovs-appctl`; default $PATH, /usr/bin, /usr/sbin. */
  readonly appctlDirs?: readonly string[];
}

/** Where `ovs-appctl` is, or undefined. */
export function findAppctl(dirs: readonly string[] = [...(process.env['PATH'] ?? '').split(':').filter((d) => d !== ''), '/usr/bin', '/usr/sbin']): string | undefined {
  for (const d of dirs) {
    const p = join(d, 'ovs-appctl');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A `reference` adapter (see the header). */
export function createReferenceAdapter(options: ReferenceAdapterOptions = {}): SwitchAdapter {
  const fromEnv = process.env[REFSWITCH_BIN_ENV];
  const bin = options.refswitchBin ?? (fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : resolve(import.meta.dirname, '..', '..', 'bin', 'refswitch.js'));
  const capabilities = new Set<Capability>(BASE_CAPABILITIES);
  const tools = (): { appctl: string } | { reason: string } => {
    const appctl = findAppctl(options.appctlDirs);
    if (appctl === undefined) return { reason: `ovs-appctl not found (the reference switch is driven with Open vSwitch's own client): ${APPCTL_HINT}` };
    if (!existsSync(bin)) return { reason: `refswitch not found at ${bin}` };
    return { appctl };
  };
  return {
    name: 'reference',
    capabilities,
    async checkAvailable() {
      const t = tools();
      if ('reason' in t) return t.reason;
      const r = await runCommand([process.execPath, bin, '--help'], { allowFailure: true, timeoutMs: TOOL_TIMEOUT_MS * 3, what: 'ask refswitch for its commands' });
      if (r.exitCode === 0 && OVSDB_USAGE.test(r.stdout)) capabilities.add(CAPABILITIES.ovsdb);
      if (r.exitCode === 0 && /^\s*refswitch switch /m.test(r.stdout)) return undefined;
      return `refswitch has no "switch" command yet (\`${bin} --help\` exit code ${r.exitCode}${r.stderr.trim() === '' ? '' : `: ${r.stderr.trim().split('\n')[0] ?? ''}`})`;
    },
    async start(sandbox, { slowFactor }) {
      const t = tools();
      if ('reason' in t) throw new HarnessError(t.reason);
      const sw = new ReferenceSwitch(sandbox, { bin, appctl: t.appctl, slowFactor, capabilities });
      if (capabilities.has(CAPABILITIES.ovsdb)) await sw.bootWithOvsdb();
      return sw;
    },
  };
}

export const referenceAdapter: SwitchAdapter = createReferenceAdapter();

interface SwitchSetup {
  readonly bin: string;
  readonly appctl: string;
  readonly slowFactor: number;
  /** The adapter's set: dp-meters is added when the switch lists its meter command. */
  readonly capabilities: Set<Capability>;
}

class ReferenceSwitch implements SwitchUnderTest {
  private readonly dir: string;
  private readonly ctl: string;
  private child: ChildProcess | undefined;
  private bridge: string | undefined;
  private commands = new Set<string>();
  /** Set when the switch is configured through OVSDB (bootWithOvsdb). */
  private config: OvsdbConfig | undefined;
  private readonly bridges: string[] = [];

  constructor(
    private readonly sandbox: Sandbox,
    private readonly setup: SwitchSetup,
  ) {
    this.dir = join(sandbox.runDir.path, 'reference');
    this.ctl = join(this.dir, 'refswitch.ctl');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private ms(base: number): number {
    return Math.ceil(base * Math.max(this.setup.slowFactor, 1));
  }

  /** `ovs-appctl -t DIR/refswitch.ctl ARGS`; the exit code is the caller's to judge. */
  private appctl(args: readonly string[], what: string, timeoutMs = this.ms(TOOL_TIMEOUT_MS)): Promise<CommandResult> {
    return runCommand([this.setup.appctl, '-t', this.ctl, ...args], { what, allowFailure: true, timeoutMs });
  }

  /** As appctl, but any failure is a HarnessError (the switch must answer these). */
  private async query(args: readonly string[], what: string): Promise<string> {
    this.requireRunning(what);
    const r = await this.appctl(args, what);
    if (r.exitCode !== 0) throw new HarnessError(what, r);
    return r.stdout;
  }

  private requireRunning(what: string): void {
    if (this.child === undefined) throw new HarnessError(`${what}: the reference switch starts with the bridge; the scenario must begin with \`Given a bridge\``);
  }

  /** Starts the switch with no bridge and opens its database (see the header). */
  async bootWithOvsdb(): Promise<void> {
    await this.spawnSwitch([process.execPath, this.setup.bin, 'switch', '--rundir', this.dir], () => existsSync(join(this.dir, 'db.sock')));
    await this.learnCommands();
    this.config = await OvsdbConfig.open(this.ovsdbEndpoint(), this.ms(TOOL_TIMEOUT_MS));
    this.sandbox.defer('close the OVSDB configuration client', () => this.config?.close());
    await this.config.init();
  }

  private async learnCommands(): Promise<void> {
    const list = await this.query(['list-commands'], 'list the reference switch\'s commands');
    this.commands = new Set(list.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0] ?? '').filter((c) => c !== ''));
    if (this.commands.has(METER_COMMAND)) this.setup.capabilities.add(CAPABILITIES.dpMeters);
  }

  async addBridge(spec: BridgeSpec): Promise<void> {
    if (this.config !== undefined) {
      this.bridges.push(spec.name);
      await this.config.addBridge(spec);
      return;
    }
    if (this.bridge !== undefined) {
      throw new HarnessError(`the reference switch takes its bridge on the command line: it already has ${this.bridge}, cannot add ${spec.name}`);
    }
    this.bridge = spec.name;
    const argv = [process.execPath, this.setup.bin, 'switch', '--rundir', this.dir, '--bridge', spec.name];
    for (const p of spec.ports) argv.push('--port', `${p.name},port_no=${p.ofport}`);
    await this.spawnSwitch(argv, () => true);
    await this.learnCommands();
  }

  /** Spawns the switch and waits until its control socket answers and `isReady()` holds. */
  private async spawnSwitch(argv: readonly string[], isReady: () => boolean): Promise<void> {
    const child = this.sandbox.spawn(argv, { label: 'refswitch switch', stdio: ['ignore', 'ignore', 'pipe'], graceMs: this.ms(TEARDOWN_TIMEOUT_MS) });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-4000)));
    let spawnError = '';
    child.on('error', (e) => (spawnError = e.message));
    const closed = new Promise<void>((done) => child.once('close', () => done()));
    const what = `start refswitch switch in ${this.sandbox.namespace}`;
    const deadline = Date.now() + this.ms(START_TIMEOUT_MS);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null || spawnError !== '') {
        await Promise.race([closed, sleep(this.ms(200))]);
        const failure = { argv, exitCode: child.exitCode, stderr: `${spawnError}\n${stderr.trim()}\n${this.logTail()}`.trim() };
        throw new HarnessError(what, child.signalCode === null ? failure : { ...failure, signal: child.signalCode });
      }
      if (existsSync(this.ctl) && isReady() && (await this.appctl(['version'], 'ask refswitch for its version')).exitCode === 0) return;
      if (Date.now() > deadline) {
        throw new HarnessError(`${what}: ${this.ctl} not answering after ${this.ms(START_TIMEOUT_MS)} ms; stderr ${JSON.stringify(stderr.slice(-500))}; log ${JSON.stringify(this.logTail())}`);
      }
      await sleep(POLL_MS);
    }
  }

  private logTail(lines = 15): string {
    try {
      return readFileSync(join(this.dir, 'refswitch.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no refswitch.log)';
    }
  }

  setFailMode(): Promise<void> {
    return Promise.reject(new UnsupportedCapabilityError('reference', CAPABILITIES.failMode));
  }

  addFlows(): Promise<void> {
    return Promise.reject(new UnsupportedCapabilityError('reference', CAPABILITIES.openflow));
  }

  dumpFlowStats(): Promise<FlowStat[]> {
    return Promise.reject(new UnsupportedCapabilityError('reference', CAPABILITIES.ofStats));
  }

  trace(): Promise<TraceResult> {
    return Promise.reject(new UnsupportedCapabilityError('reference', CAPABILITIES.trace));
  }

  ovsdbEndpoint(): string {
    if (!this.setup.capabilities.has(CAPABILITIES.ovsdb)) throw new UnsupportedCapabilityError('reference', CAPABILITIES.ovsdb);
    return `unix:${join(this.dir, 'db.sock')}`;
  }

  async quiesce(): Promise<void> {
    this.requireRunning('quiesce');
    if (this.commands.has(WAIT_COMMAND)) {
      await this.query([WAIT_COMMAND], 'wait for the reference switch to finish its packets');
      return;
    }
    await waitForStableLookups(() => this.lookups(), { intervalMs: this.ms(SETTLE_INTERVAL_MS), timeoutMs: this.ms(TOOL_TIMEOUT_MS), what: 'quiesce the reference switch' });
  }

  private async lookups(): Promise<DatapathLookups> {
    const parsed = parseDpctlLookups(await this.query(['dpctl/show'], 'read the datapath lookup counters'));
    if (!parsed.ok) throw new HarnessError(`read refswitch dpctl/show: ${parsed.error}`);
    return parsed.value;
  }

  async dumpDatapathFlows(): Promise<string> {
    return this.query(['dpctl/dump-flows'], 'dump the datapath flows');
  }

  async datapathPortNames(): Promise<Map<number, string>> {
    const parsed = parseDpctlShow(await this.query(['dpctl/show'], 'list the datapath ports'));
    if (!parsed.ok) throw new HarnessError(`read refswitch dpctl/show: ${parsed.error}`);
    return parsed.value;
  }

  async addDatapathFlows(flows: readonly string[]): Promise<void> {
    if (flows.length === 0) return;
    this.requireRunning('add datapath flows');
    await installDatapathFlows((args, what) => this.appctl(args, what), flows, await this.datapathPortNames(), { switchName: 'The reference switch' });
  }

  async setDatapathMeter(id: number, meter: DatapathMeter): Promise<void> {
    this.requireRunning('set a datapath meter');
    if (!this.commands.has(METER_COMMAND)) throw new UnsupportedCapabilityError('reference', CAPABILITIES.dpMeters);
    const args = [METER_COMMAND, ...refMeterSetArgs(id, meter)];
    const what = `set datapath meter ${id}`;
    const r = await this.appctl(args, what);
    if (r.exitCode === APPCTL_SERVER_ERROR) throw new Error(`The reference switch rejected meter ${JSON.stringify(args.slice(1).join(' '))}: ${r.stderr.trim()}`);
    if (r.exitCode !== 0) throw new HarnessError(what, r);
  }

  async tearDown(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const config = this.config;
    this.config = undefined;
    for (const br of this.bridges.splice(0).reverse()) {
      if (config !== undefined) await Promise.race([config.deleteBridge(br).catch(() => undefined), sleep(this.ms(TEARDOWN_TIMEOUT_MS))]);
    }
    config?.close();
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    await this.appctl(['exit'], 'stop the reference switch', this.ms(TEARDOWN_TIMEOUT_MS)).catch(() => undefined);
    await Promise.race([exited, sleep(this.ms(TEARDOWN_TIMEOUT_MS))]);
  }
}
