/**
 * SwitchWorld: one scenario's state — its sandbox, the switch under test, the
 * traffic taps on every port, and what the scenario has sent and checked.
 *
 * Traffic is grouped in epochs: the When steps since the last Then send
 * packets; the first Then after them waits until every port is quiet, checks
 * that no capture socket dropped anything, and moves what each port emitted
 * into `emitted`. Each `Then port "X" emits ...` marks X as checked; `no other
 * port emits anything` checks the rest. A When after a Then starts a new epoch
 * (the previous epoch's frames are dropped from view).
 *
 * Invariants: the sandbox is created by the first `Given a bridge` step and
 * destroyed by the After hook whatever happened; the world records why a
 * scenario cannot be judged (`harnessFault`, `unsupported`) so the After hook
 * can give the verdict.
 */
import { World, type IWorldOptions } from '@cucumber/cucumber';
import type { Capability, SwitchAdapter, SwitchUnderTest } from '../adapters/index.ts';
import { HarnessError, Sandbox, SandboxTraffic, type CapturedFrame } from '../harness/index.ts';
import type { RunSettings } from './settings.ts';

export interface ScenarioContext {
  readonly settings: RunSettings;
  readonly adapter: SwitchAdapter;
  /** Feature file path relative to the repository root, e.g. `features/l2/normal.feature`. */
  readonly featureFile: string;
  /** `<feature file>:<line> <name>`, for sandbox records and messages. */
  readonly scenarioId: string;
}

type EpochState = 'idle' | 'sent' | 'settled';

export class SwitchWorld extends World {
  private ctx: ScenarioContext | undefined;
  sandbox: Sandbox | undefined;
  sut: SwitchUnderTest | undefined;
  traffic: SandboxTraffic | undefined;
  /** Bridge name → its ports in OpenFlow order. */
  readonly bridges = new Map<string, readonly string[]>();
  /** Set when a step failed because the rig broke (verdict HARNESS-ERROR). */
  harnessFault: string | undefined;
  /** Set when a step needed a capability the adapter lacks (verdict UNSUPPORTED). */
  unsupported: string | undefined;
  private epoch: EpochState = 'idle';
  private readonly emitted = new Map<string, CapturedFrame[]>();
  private readonly checked = new Set<string>();
  private lastSendPort: string | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  begin(ctx: ScenarioContext): void {
    this.ctx = ctx;
  }

  get context(): ScenarioContext {
    if (this.ctx === undefined) throw new HarnessError('scenario context used before the Before hook ran');
    return this.ctx;
  }

  /** True when the adapter declares `cap`; otherwise records why the scenario is UNSUPPORTED. */
  supports(cap: Capability): boolean {
    if (this.context.adapter.capabilities.has(cap)) return true;
    this.unsupported ??= `switch adapter "${this.context.adapter.name}" lacks capability "${cap}"`;
    return false;
  }

  /** The running switch; HarnessError (a scenario authoring slip) before `Given a bridge`. */
  requireSwitch(): SwitchUnderTest {
    if (this.sut === undefined) throw new HarnessError('no switch yet: the scenario must start with `Given a bridge "br0" with ports ...`');
    return this.sut;
  }

  /** Ports of every bridge, in order. */
  allPorts(): string[] {
    return [...this.bridges.values()].flat();
  }

  requirePort(port: string): void {
    if (!this.allPorts().includes(port)) {
      throw new HarnessError(`port ${JSON.stringify(port)} is not on any bridge of this scenario (ports: ${this.allPorts().join(', ') || 'none'})`);
    }
  }

  requireTraffic(): SandboxTraffic {
    if (this.traffic === undefined) throw new HarnessError('no traffic taps: the scenario must start with `Given a bridge "br0" with ports ...`');
    return this.traffic;
  }

  /**
   * Sends frames into `port`, starting a new epoch if the last step was a
   * Then. When the previous send went into another port, waits for quiet
   * first: the switch polls its ports in no fixed order, and a scenario that
   * sends from p2 and then from p1 means "after p2's packet was handled"
   * (MAC learning depends on it).
   */
  async send(port: string, frames: readonly Uint8Array[]): Promise<void> {
    this.requirePort(port);
    const traffic = this.requireTraffic();
    if (this.epoch === 'settled') {
      this.emitted.clear();
      this.checked.clear();
    } else if (this.epoch === 'sent' && this.lastSendPort !== port) {
      await traffic.waitQuiet();
    }
    this.epoch = 'sent';
    this.lastSendPort = port;
    await traffic.send(port, frames);
  }

  /** Waits until the ports are quiet and collects what each emitted this epoch. */
  async settle(): Promise<void> {
    if (this.epoch !== 'sent') return;
    const traffic = this.requireTraffic();
    await traffic.waitQuiet();
    await traffic.checkDrops();
    for (const port of this.allPorts()) {
      const list = this.emitted.get(port) ?? [];
      list.push(...traffic.take(port));
      this.emitted.set(port, list);
    }
    this.epoch = 'settled';
  }

  /** What `port` emitted this epoch (after settle); marks the port as checked. */
  async emittedBy(port: string): Promise<CapturedFrame[]> {
    this.requirePort(port);
    await this.settle();
    this.checked.add(port);
    return this.emitted.get(port) ?? [];
  }

  /** Ports not yet checked this epoch, with what they emitted. */
  async uncheckedPorts(): Promise<Map<string, CapturedFrame[]>> {
    await this.settle();
    const out = new Map<string, CapturedFrame[]>();
    for (const port of this.allPorts()) {
      if (this.checked.has(port)) continue;
      out.set(port, this.emitted.get(port) ?? []);
      this.checked.add(port);
    }
    return out;
  }

  /** Settles traffic and the switch's caches (before dumps, stats and traces). */
  async quiesce(): Promise<void> {
    await this.settle();
    await this.requireSwitch().quiesce();
  }

  /** Tears the scenario down; returns teardown problems (empty when clean). Never throws. */
  async tearDown(): Promise<string[]> {
    // The traffic taps close on the sandbox's cleanup stack (SandboxTraffic.open registers it).
    const problems: string[] = [];
    if (this.sut !== undefined) await this.sut.tearDown();
    if (this.sandbox !== undefined) problems.push(...(await this.sandbox.destroy()).errors);
    return problems;
  }
}
