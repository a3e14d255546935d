/**
 * The reference switch as a process: one datapath, its ports, and the
 * control socket that Open vSwitch's `ovs-appctl` talks to.
 *
 * What `SwitchProcess.start` does, in order:
 *  1. creates the run directory and opens `refswitch.log` there (appended,
 *     OVS-style lines `TIME|SEQ|MODULE|LEVEL|TEXT`);
 *  2. creates the datapath (its port 0 is the internal port named after
 *     it) on the process's `WarpClock`;
 *  3. adds the ports: first those asking for a port number, then the
 *     bridges (an internal port each, as a bridge's local port), then the
 *     other ports, each taking the lowest free number. A port that cannot
 *     be opened stops the start with a `SwitchStartError` naming it, after
 *     closing what was opened. With `ovsdb` in the config the ports come
 *     from the Open_vSwitch database instead (`SwitchOvsdb`: an external
 *     server or our own on RUNDIR/db.sock; the command line's bridges and
 *     ports are written into it when missing) and follow it from then on;
 *  4. registers the commands (dpctl/*, netdev-dummy/receive, coverage/*,
 *     time/*, exit, list-commands, version) and listens on
 *     `refswitch.ctl`, then writes `refswitch.pid`.
 *
 * Upcalls: nothing translates them yet (no OpenFlow layer). MISS upcalls
 * are counted in the coverage counter `upcall_miss_no_handler`, userspace
 * action upcalls in `upcall_action_no_handler`, and dropped; the datapath
 * counts the miss in `missed`, not in `lost`.
 *
 * Invariants: `stop()` is idempotent; it closes the control socket (file
 * removed), the datapath and its ports, removes the pidfile and resolves
 * `done`. Control-plane mistakes never stop the process.
 *
 * Left out on purpose: daemonizing (`--detach`), several datapaths.
 */
import { mkdirSync, openSync, closeSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Dpif, DpResult, VportNewRequest } from '../datapath/index.ts';
import { CoverageCounters, CoverageHistory, mergeCoverage } from './coverage-format.ts';
import { registerDpctlCommands } from './dpctl-commands.ts';
import { registerNetdevDummyReceive } from './netdev-dummy-receive.ts';
import { registerMeterCommands } from './meter-commands.ts';
import { registerProcessCommands } from './process-commands.ts';
import { SwitchOvsdb } from './switch-ovsdb.ts';
import { UnixctlServer, ok } from './unixctl-server.ts';
import { WarpClock } from './warp-clock.ts';

export const REFSWITCH_VERSION = '0.1.0';
/** `version` answer: our name and version, and the Open vSwitch release whose control interface we follow. */
export const VERSION_TEXT = `refswitch ${REFSWITCH_VERSION} (control interface of Open vSwitch 3.1.0)`;
export const PROGRAM_NAME = 'refswitch';
export const CONTROL_SOCKET = 'refswitch.ctl';
export const PID_FILE = 'refswitch.pid';
export const LOG_FILE = 'refswitch.log';
/** Longest Unix socket path (sun_path is 108 bytes with its NUL). */
const UNIX_PATH_MAX = 107;

/** What the switch needs from its datapath beyond the dpif API. */
export interface SwitchDatapath extends Dpif {
  coverage(): ReadonlyMap<string, number>;
  receive(port: number | string, frame: Uint8Array): DpResult<void>;
  close(): Promise<void>;
}

export type DatapathFactory = (opts: { readonly name: string; readonly clock: () => number }) => SwitchDatapath;

export interface SwitchConfig {
  readonly rundir: string;
  /** Default `ovs-system`. */
  readonly datapathName?: string;
  readonly bridges: readonly string[];
  readonly ports: readonly Omit<VportNewRequest, 'namespace'>[];
  /** Configure from OVSDB: `remote` `unix:PATH` of an external server, else our own on RUNDIR/db.sock. */
  readonly ovsdb?: { readonly remote?: string; readonly statsIntervalMs?: number };
}

export interface SwitchDeps {
  readonly createDatapath: DatapathFactory;
  readonly clock?: WarpClock;
  readonly pid?: number;
}

export class SwitchStartError extends Error {
  override readonly name = 'SwitchStartError';
}

export class SwitchProcess {
  readonly done: Promise<void>;
  readonly coverage = new CoverageCounters(['upcall_miss_no_handler', 'upcall_action_no_handler']);
  readonly history = new CoverageHistory();
  private resolveDone: () => void = () => undefined;
  private stopping: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private logSeq = 0;
  private logOpen = true;
  private wrotePidfile = false;
  private tickFn: () => void = () => undefined;
  /** The database connection when configured from OVSDB. */
  ovsdb: SwitchOvsdb | undefined;

  private constructor(
    readonly config: SwitchConfig,
    readonly datapath: SwitchDatapath,
    readonly clock: WarpClock,
    readonly server: UnixctlServer,
    private readonly logFd: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  get socketPath(): string {
    return join(this.config.rundir, CONTROL_SOCKET);
  }

  /** Starts a switch; throws SwitchStartError (nothing left open) when a port or the socket cannot be set up. */
  static async start(config: SwitchConfig, deps: SwitchDeps): Promise<SwitchProcess> {
    mkdirSync(config.rundir, { recursive: true });
    const logFd = openSync(join(config.rundir, LOG_FILE), 'a');
    const clock = deps.clock ?? new WarpClock();
    const name = config.datapathName ?? 'ovs-system';
    const datapath = deps.createDatapath({ name, clock: () => clock.now() });
    let sw: SwitchProcess | undefined;
    try {
      const coverage = new CoverageCounters();
      const server = new UnixctlServer({ version: VERSION_TEXT, coverage, log: (level, msg) => sw?.log('unixctl', level, msg) });
      sw = new SwitchProcess(config, datapath, clock, server, logFd);
      sw.log('refswitch', 'info', `${VERSION_TEXT} starting, datapath system@${name}, pid ${deps.pid ?? process.pid}`);
      if (config.ovsdb) await sw.startOvsdb(config.ovsdb);
      else await sw.addPorts();
      sw.wire(coverage);
      await sw.listen();
      writeFileSync(join(config.rundir, PID_FILE), `${deps.pid ?? process.pid}\n`);
      sw.wrotePidfile = true;
      sw.log('refswitch', 'info', `listening on ${sw.socketPath}`);
      return sw;
    } catch (err) {
      if (sw) await sw.stop();
      else {
        await datapath.close();
        closeSync(logFd);
      }
      throw err;
    }
  }

  private async listen(): Promise<void> {
    const path = this.socketPath;
    if (Buffer.byteLength(path) > UNIX_PATH_MAX) {
      throw new SwitchStartError(`${path}: control socket path too long (${Buffer.byteLength(path)} bytes; Unix sockets allow ${UNIX_PATH_MAX})`);
    }
    try {
      await this.server.listen(path);
    } catch (err) {
      throw new SwitchStartError(`${path}: cannot listen: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async startOvsdb(opts: NonNullable<SwitchConfig['ovsdb']>): Promise<void> {
    try {
      this.ovsdb = await SwitchOvsdb.start({
        rundir: this.config.rundir,
        ...(opts.remote !== undefined ? { remote: opts.remote } : {}),
        ...(opts.statsIntervalMs !== undefined ? { statsIntervalMs: opts.statsIntervalMs } : {}),
        dpif: this.datapath,
        bridges: this.config.bridges,
        ports: this.config.ports,
        log: (level, text) => this.log('bridge', level, text),
      });
    } catch (err) {
      throw new SwitchStartError(err instanceof Error ? err.message : String(err));
    }
    this.log('bridge', 'info', `configured from OVSDB at ${this.ovsdb.target}`);
  }

  private async addPorts(): Promise<void> {
    const explicit = this.config.ports.filter((p) => p.portNo !== undefined);
    const rest = this.config.ports.filter((p) => p.portNo === undefined);
    const bridges = this.config.bridges.map((b): VportNewRequest => ({ name: b, type: 'internal' }));
    for (const req of [...explicit, ...bridges, ...rest]) {
      const r = await this.datapath.vportNew(req);
      if (!r.ok) throw new SwitchStartError(`cannot open port ${req.name} (type ${req.type}): ${r.error.message} (${r.error.errno})`);
      this.log('dpif', 'info', `added port ${r.value.name} as port ${r.value.portNo} (${r.value.type})`);
    }
  }

  private wire(serverCoverage: CoverageCounters): void {
    this.datapath.setUpcallHandler((u) => this.coverage.inc(u.type === 'miss' ? 'upcall_miss_no_handler' : 'upcall_action_no_handler'));
    const totals = (): ReadonlyMap<string, number> => mergeCoverage(serverCoverage.snapshot(), this.coverage.snapshot(), this.datapath.coverage());
    registerDpctlCommands(this.server, {
      dpif: this.datapath,
      dpName: this.config.datapathName ?? 'ovs-system',
      now: () => this.clock.now(),
      programName: PROGRAM_NAME,
    });
    registerNetdevDummyReceive(this.server, this.datapath);
    registerMeterCommands(this.server, this.datapath);
    // No revalidators yet: waiting means letting frames already queued on the ports and the upcalls they caused
    // be handled (two event-loop turns: readable sockets, then the upcall queue's setImmediate drain).
    this.server.register('revalidator/wait', {
      usage: '',
      minArgs: 0,
      maxArgs: 0,
      handler: async () => {
        for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
        return ok('');
      },
    });
    registerProcessCommands(this.server, {
      clock: this.clock,
      history: this.history,
      coverageTotals: totals,
      tick: () => this.history.run(this.clock.now(), totals()),
      requestExit: () => void this.stop(),
    });
    this.tickFn = () => this.history.run(this.clock.now(), totals());
    this.tickFn();
  }

  /** Brings coverage rates up to the clock (also run every second). */
  tick(): void {
    this.tickFn();
  }

  /** One log line; never throws (a full disk must not stop the switch). */
  log(module: string, level: 'info' | 'warn' | 'err', text: string): void {
    if (!this.logOpen) return;
    const line = `${new Date().toISOString()}|${String(++this.logSeq).padStart(5, '0')}|${module}|${level.toUpperCase()}|${text}\n`;
    try {
      writeSync(this.logFd, line);
    } catch {
      // Logging is best effort.
    }
  }

  /** Closes the control socket, the datapath and the log; removes the pidfile. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.timer);
      this.log('refswitch', 'info', 'exiting');
      await this.server.close();
      await this.ovsdb?.close();
      this.datapath.setUpcallHandler(undefined);
      await this.datapath.close();
      if (this.wrotePidfile) rmSync(join(this.config.rundir, PID_FILE), { force: true });
      this.logOpen = false;
      closeSync(this.logFd);
      this.resolveDone();
    })();
    return this.stopping;
  }
}
