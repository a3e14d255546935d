/**
 * The adapter contract: what every switch under test implements so that the
 * same scenarios run against the reference switch, Open vSwitch, or a
 * vendor's switch.
 *
 * A `SwitchAdapter` is a factory with declared capabilities. For each
 * scenario the harness builds a sandbox (one network namespace, one veth pair
 * per switch port; the switch's end is named as the port) and calls
 * `adapter.start(sandbox)`, which starts a private switch instance and returns
 * a `SwitchUnderTest`. Steps then drive it through the methods below and
 * finally call `tearDown()`.
 *
 * Invariants:
 *  - A step that needs a capability the adapter does not declare never calls
 *    the method: the scenario gets the verdict UNSUPPORTED. Methods of
 *    undeclared capabilities may throw `UnsupportedCapabilityError`.
 *  - Failures to reach or drive the switch (a daemon that will not start, a
 *    control socket that refuses, a tool that is missing) are `HarnessError`s
 *    (verdict HARNESS-ERROR). The switch's answers are returned as data and
 *    judged by the steps (verdict FAIL when they differ from the golden).
 *  - Port names are the interface names in the sandbox; OpenFlow port
 *    numbers are given by the scenario (`ofport`). Datapath port numbers are
 *    the switch's own business: `datapathPortNames()` maps them to names.
 *  - Everything the adapter starts is registered with the sandbox (`spawn`,
 *    `recordPid` or `defer`), so a failed or killed run leaves nothing behind.
 *
 * Text formats are Open vSwitch 3.1's: OpenFlow flows in `ovs-ofctl` syntax,
 * datapath flows in `ovs-appctl dpctl/dump-flows` syntax (either datapath
 * style), traces as `ofproto/trace` prints them.
 */
import type { Sandbox } from '../harness/index.ts';

/** What a switch under test can do; steps name the capability they need. */
export const CAPABILITIES = {
  /** Forwards traffic between the sandbox's veth interfaces. */
  veth: 'veth',
  /** Accepts OpenFlow flows in ovs-ofctl syntax (`addFlows`). */
  openflow: 'openflow',
  /** Reports per-rule OpenFlow counters (`dumpFlowStats`). */
  ofStats: 'of-stats',
  /** Has a standalone fail mode with NORMAL (MAC learning) behaviour (`setFailMode`). */
  failMode: 'fail-mode',
  /** Dumps its datapath (megaflow) flows (`dumpDatapathFlows`). */
  dpDump: 'dp-dump',
  /** Traces a flow through its OpenFlow pipeline (`trace`). */
  trace: 'trace',
  /** Installs datapath flows directly, bypassing any OpenFlow pipeline (`addDatapathFlows`). */
  dpFlows: 'dp-flows',
  /** Creates datapath meters that a datapath flow's `meter(N)` action refers to (`setDatapathMeter`). */
  dpMeters: 'dp-meters',
  /** Serves its configuration database over OVSDB (RFC 7047) on a unix socket (`ovsdbEndpoint`). */
  ovsdb: 'ovsdb',
} as const;
export type Capability = (typeof CAPABILITIES)[keyof typeof CAPABILITIES];

export type FailMode = 'secure' | 'standalone';

export interface PortSpec {
  /** Interface name in the sandbox (the switch's end of the veth pair). */
  readonly name: string;
  /** OpenFlow port number the switch must give this port. */
  readonly ofport: number;
}

export interface BridgeSpec {
  readonly name: string;
  readonly ports: readonly PortSpec[];
  /** Fail mode at creation; scenarios default to "secure". */
  readonly failMode: FailMode;
}

/** One OpenFlow rule with its counters, as `ovs-ofctl dump-flows` shows it. */
export interface FlowStat {
  readonly table: number;
  /**
   * The rule's identity as ovs-ofctl prints it, without cookie, duration,
   * counters, ages and `table=0`: e.g. `priority=300,tcp,nw_dst=10.0.0.5,tp_dst=80`
   * (`priority=` omitted when it is the default 32768).
   */
  readonly rule: string;
  /** The actions as ovs-ofctl prints them, e.g. `mod_dl_dst:50:54:00:00:00:05,output:3`. */
  readonly actions: string;
  readonly nPackets: number;
  readonly nBytes: number;
}

export interface TraceResult {
  /** The whole trace as the switch printed it. */
  readonly text: string;
  /** The `Megaflow:` line's value, e.g. `recirc_id=0,eth,tcp,in_port=1,nw_frag=no,tp_dst=0x0/0xffc0`. */
  readonly megaflow: string;
  /** The `Datapath actions:` line's value with datapath port numbers replaced by port names. */
  readonly datapathActions: string;
}

/** One band of a datapath meter; only drop bands exist (Linux and OVS datapaths alike). */
export interface DatapathMeterBand {
  readonly type: 'drop';
  /** In the meter's unit: kilobits or packets per second. */
  readonly rate: number;
  /** Bucket size in kilobits or packets; 0 leaves it to the switch (both datapaths then use the rate). */
  readonly burst: number;
}

/** A datapath meter as `Given the datapath meter N: ...` describes it. */
export interface DatapathMeter {
  readonly unit: 'kbps' | 'pktps';
  readonly bands: readonly DatapathMeterBand[];
}

export interface SwitchStartOptions {
  /** Multiplies every timeout the adapter uses (REFSWITCH_SLOW_FACTOR). */
  readonly slowFactor: number;
}

/** One running switch instance, private to one scenario. */
export interface SwitchUnderTest {
  /** Creates a bridge with the given ports; resolves once the switch has applied it. */
  addBridge(spec: BridgeSpec): Promise<void>;
  /** Capability `fail-mode`. */
  setFailMode(bridge: string, mode: FailMode): Promise<void>;
  /** Capability `openflow`: adds flows, one per string, in ovs-ofctl add-flow syntax. */
  addFlows(bridge: string, flows: readonly string[]): Promise<void>;
  /** Capability `of-stats`: every rule of every table with its counters. */
  dumpFlowStats(bridge: string): Promise<FlowStat[]>;
  /**
   * Waits until the switch has finished with every packet handed to it and
   * its flow caches are settled (for Open vSwitch: `revalidator/wait`).
   */
  quiesce(): Promise<void>;
  /** Capability `dp-dump`: the datapath flows, dump-flows text with datapath port numbers. */
  dumpDatapathFlows(): Promise<string>;
  /** Capability `dp-dump`: datapath port number → port name, for every port including the bridge's own. */
  datapathPortNames(): Promise<Map<number, string>>;
  /** Capability `trace`: traces an OpenFlow-syntax flow (`in_port=1,tcp,...`) through `bridge`. */
  trace(bridge: string, flow: string): Promise<TraceResult>;
  /**
   * Capability `dp-flows`: installs datapath flows, one per string, in
   * `dpctl/dump-flows` syntax with port names
   * (`in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:set(ipv4(ttl=9)),p2`);
   * the adapter maps the names to its datapath port numbers. In order; a
   * flow the switch rejects is a plain Error carrying the switch's message
   * (the flows before it stay installed). Called before any traffic, so
   * nothing the switch learnt from packets can shadow these flows; the switch
   * must keep them (no revalidation, no idle expiry) until tearDown.
   */
  addDatapathFlows(flows: readonly string[]): Promise<void>;
  /**
   * Capability `dp-meters`: creates (or replaces) datapath meter `id`, the
   * one a flow's `meter(id)` action uses. A meter the switch refuses is a
   * plain Error with its message.
   */
  setDatapathMeter(id: number, meter: DatapathMeter): Promise<void>;
  /**
   * Capability `ovsdb`: where the switch's OVSDB server (database
   * `Open_vSwitch`) listens, as `unix:PATH`. Valid from `start` until
   * tearDown; scenarios connect their own JSON-RPC clients to it.
   */
  ovsdbEndpoint(): string;
  /** Stops the switch; never throws (sandbox destroy cleans whatever remains). */
  tearDown(): Promise<void>;
}

export interface SwitchAdapter {
  /** The `--target` name: `ovs`, `reference`, or a vendor's. */
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * `undefined` when the switch can run here; otherwise why not and how to fix
   * it (e.g. "ovs-vswitchd not found: apt-get install openvswitch-switch").
   */
  checkAvailable(): Promise<string | undefined>;
  /** Starts a private instance inside the sandbox; HarnessError when it cannot. */
  start(sandbox: Sandbox, options: SwitchStartOptions): Promise<SwitchUnderTest>;
}

/** Thrown by a method whose capability the adapter does not declare. */
export class UnsupportedCapabilityError extends Error {
  override readonly name = 'UnsupportedCapabilityError';
  constructor(
    readonly adapter: string,
    readonly capability: Capability,
  ) {
    super(`switch adapter ${JSON.stringify(adapter)} does not support capability ${JSON.stringify(capability)}`);
  }
}
