/**
 * Configuring a switch through its OVSDB server with the project's own
 * client (reference/ovsdb Idl), the way ovs-vsctl does it: the shared
 * bridge setup of every adapter whose switch reads its configuration from
 * an `Open_vSwitch` database (`ovs`: ovsdb-server + ovs-vswitchd;
 * `reference`: `refswitch switch`).
 *
 * How (lib/ovsdb-idl.c semantics, utilities/ovs-vsctl.c's shape):
 *  - one Idl per switch replicating Open_vSwitch (bridges, next_cfg,
 *    cur_cfg, other_config), Bridge, Port and Interface (the columns below);
 *  - `init` is `ovs-vsctl --no-wait init` plus `other_config` keys: the
 *    Open_vSwitch row is created when missing; nothing waits for the switch
 *    (it may not run yet);
 *  - every other change is one transaction that also increments
 *    `next_cfg`, then waits until the switch has written `cur_cfg` ≥ that
 *    value (the switch applied it);
 *  - `addBridge` inserts the bridge with its own internal port and one
 *    port + interface per scenario port (`ofport_request` = the scenario's
 *    OpenFlow number), adds it to `Open_vSwitch.bridges` with a mutate
 *    (no verify needed), and afterwards checks each interface's `ofport`
 *    and `error`;
 *  - `deleteBridge` removes it from `Open_vSwitch.bridges`: the server's
 *    garbage collection deletes its ports and interfaces.
 *
 * Errors: not reaching the server, a refused transaction, a switch that does
 * not catch up with next_cfg in time, or a port without its number are
 * HarnessErrors (the rig could not build the scenario's switch).
 * Left out: controllers, managers, mirrors, QoS — nothing a scenario sets up yet.
 */
import { Idl, makeDatum, OvsdbClient, type Atom, type Datum, type IdlTxn } from '../../reference/ovsdb/index.ts';
import { HarnessError } from '../harness/index.ts';
import type { BridgeSpec, FailMode } from './adapter.ts';

const DB = 'Open_vSwitch';
const TABLES = {
  Open_vSwitch: ['bridges', 'next_cfg', 'cur_cfg', 'other_config'],
  Bridge: ['name', 'ports', 'fail_mode', 'datapath_type', 'other_config'],
  Port: ['name', 'interfaces'],
  Interface: ['name', 'type', 'ofport', 'ofport_request', 'error'],
} as const;

export interface OvsdbBridgeOptions {
  /** `Bridge.datapath_type`, e.g. `netdev`; omitted: the switch's default. */
  readonly datapathType?: string;
  /** `other_config:datapath-id`, 16 hex digits. */
  readonly datapathId?: string;
  /** `Interface.type` of the scenario's ports; default "" (a system interface: the sandbox's veth). */
  readonly portType?: string;
}

export class OvsdbConfig {
  private constructor(
    private readonly client: OvsdbClient,
    private readonly idl: Idl,
    readonly endpoint: string,
    private readonly timeoutMs: number,
  ) {}

  /** Connects to `endpoint` (`unix:PATH`) and replicates what the setup needs; HarnessError when it cannot. */
  static async open(endpoint: string, timeoutMs: number): Promise<OvsdbConfig> {
    let client: OvsdbClient | undefined;
    try {
      client = await OvsdbClient.connect(endpoint, { timeoutMs });
      const idl = await Idl.open(client, DB, TABLES);
      return new OvsdbConfig(client, idl, endpoint, timeoutMs);
    } catch (e) {
      client?.close();
      throw new HarnessError(`open the OVSDB database ${DB} at ${endpoint}: ${message(e)}`, undefined, { cause: e });
    }
  }

  /** Like `ovs-vsctl --no-wait init -- set Open_vSwitch . other_config:K=V…`. */
  async init(otherConfig: Readonly<Record<string, string>> = {}): Promise<void> {
    const keys = Object.keys(otherConfig);
    const map = this.datum(DB, 'other_config', keys, keys.map((k) => otherConfig[k] ?? ''));
    await this.commit('initialise the Open_vSwitch row', (txn) => {
      const root = this.rootUuid();
      if (root === undefined) txn.insert(DB, { other_config: map });
      else if (keys.length > 0) {
        txn.mutate(DB, root, 'other_config', 'delete', this.datum(DB, 'other_config', keys, undefined, 'set'));
        txn.mutate(DB, root, 'other_config', 'insert', map);
      }
      txn.comment('refswitch harness: init');
    });
  }

  /** Creates the bridge with its ports, waits for the switch, then checks every port's OpenFlow number. */
  async addBridge(spec: BridgeSpec, opts: OvsdbBridgeOptions = {}): Promise<void> {
    const what = `add bridge ${spec.name} with ports ${spec.ports.map((p) => `${p.name}=${p.ofport}`).join(' ')}`;
    await this.reconfigure(what, (txn) => {
      const root = this.requireRoot();
      const ports: string[] = [];
      const addPort = (name: string, type: string, ofport?: number): void => {
        const iface = txn.insert('Interface', {
          name: this.datum('Interface', 'name', [name]),
          type: this.datum('Interface', 'type', [type]),
          ...(ofport === undefined ? {} : { ofport_request: this.datum('Interface', 'ofport_request', [ofport]) }),
        });
        ports.push(txn.insert('Port', { name: this.datum('Port', 'name', [name]), interfaces: this.datum('Port', 'interfaces', [iface]) }));
      };
      addPort(spec.name, 'internal');
      for (const p of spec.ports) addPort(p.name, opts.portType ?? '', p.ofport);
      const bridge = txn.insert('Bridge', {
        name: this.datum('Bridge', 'name', [spec.name]),
        ports: this.datum('Bridge', 'ports', ports),
        fail_mode: this.datum('Bridge', 'fail_mode', [spec.failMode]),
        ...(opts.datapathType === undefined ? {} : { datapath_type: this.datum('Bridge', 'datapath_type', [opts.datapathType]) }),
        ...(opts.datapathId === undefined ? {} : { other_config: this.datum('Bridge', 'other_config', ['datapath-id'], [opts.datapathId]) }),
      });
      txn.mutate(DB, root, 'bridges', 'insert', this.datum(DB, 'bridges', [bridge]));
      txn.comment(`refswitch harness: ${what}`);
    });
    this.checkPorts(spec);
  }

  /** `ovs-vsctl set-fail-mode BRIDGE MODE`, waiting for the switch. */
  async setFailMode(bridge: string, mode: FailMode): Promise<void> {
    await this.reconfigure(`set fail mode ${mode} on ${bridge}`, (txn) => {
      txn.update('Bridge', this.requireBridge(bridge), { fail_mode: this.datum('Bridge', 'fail_mode', [mode]) });
    });
  }

  /** `ovs-vsctl --if-exists del-br BRIDGE`, waiting for the switch (at most `timeoutMs`). */
  async deleteBridge(bridge: string): Promise<void> {
    const uuid = this.bridgeUuid(bridge);
    const root = this.rootUuid();
    if (uuid === undefined || root === undefined) return;
    await this.reconfigure(`delete bridge ${bridge}`, (txn) => {
      txn.mutate(DB, root, 'bridges', 'delete', this.datum(DB, 'bridges', [uuid]));
    });
  }

  /** The interface's `ofport`, or undefined when it has none. */
  ofport(iface: string): number | undefined {
    const row = this.interfaceRow(iface);
    const k = row?.get('ofport')?.keys[0];
    return typeof k === 'number' ? k : undefined;
  }

  close(): void {
    this.idl.close();
    this.client.close();
  }

  /** Commits `build` plus a next_cfg increment, then waits for cur_cfg to reach it. */
  private async reconfigure(what: string, build: (txn: IdlTxn) => void): Promise<void> {
    const result = await this.commit(what, (txn) => {
      build(txn);
      txn.increment(DB, this.requireRoot(), 'next_cfg');
    });
    const target = result.incremented;
    if (result.status === 'unchanged' || target === undefined) return;
    try {
      await this.idl.waitFor(() => this.curCfg() >= target, this.timeoutMs);
    } catch (e) {
      throw new HarnessError(`${what}: the switch did not apply configuration ${target} (cur_cfg ${this.curCfg()}): ${message(e)}`, undefined, { cause: e });
    }
  }

  private async commit(what: string, build: (txn: IdlTxn) => void): Promise<{ status: string; incremented?: number }> {
    try {
      return await this.idl.transact(build);
    } catch (e) {
      if (e instanceof HarnessError) throw e;
      throw new HarnessError(`${what} through OVSDB at ${this.endpoint}: ${message(e)}`, undefined, { cause: e });
    }
  }

  private checkPorts(spec: BridgeSpec): void {
    const problems: string[] = [];
    for (const p of spec.ports) {
      const ofport = this.ofport(p.name);
      const error = this.interfaceRow(p.name)?.get('error')?.keys[0];
      if (ofport !== p.ofport || typeof error === 'string') {
        problems.push(`${p.name}: ofport ${ofport ?? 'none'} (requested ${p.ofport})${typeof error === 'string' ? `, error ${JSON.stringify(error)}` : ''}`);
      }
    }
    if (problems.length > 0) throw new HarnessError(`bridge ${spec.name}: ${problems.join('; ')}`);
  }

  private datum(table: string, column: string, keys: readonly Atom[], values?: readonly Atom[], as?: 'set'): Datum {
    const type = this.idl.schema.tables.get(table)?.columns.get(column)?.type;
    if (type === undefined) throw new HarnessError(`the ${DB} schema has no column ${table}.${column}`);
    // A map column's `delete` mutation takes a set of keys: the key type alone, no value type.
    const t = as === 'set' ? { key: type.key, min: 0, max: Infinity } : type;
    return makeDatum(t, keys, values);
  }

  private rootUuid(): string | undefined {
    return this.idl.rows(DB).keys().next().value;
  }

  private requireRoot(): string {
    const root = this.rootUuid();
    if (root === undefined) throw new HarnessError(`the ${DB} database at ${this.endpoint} has no ${DB} row (init first)`);
    return root;
  }

  private curCfg(): number {
    const root = this.rootUuid();
    const k = root === undefined ? undefined : this.idl.row(DB, root)?.columns.get('cur_cfg')?.keys[0];
    return typeof k === 'number' ? k : 0;
  }

  private bridgeUuid(name: string): string | undefined {
    for (const [uuid, row] of this.idl.rows('Bridge')) if (row.columns.get('name')?.keys[0] === name) return uuid;
    return undefined;
  }

  private requireBridge(name: string): string {
    const uuid = this.bridgeUuid(name);
    if (uuid === undefined) throw new HarnessError(`no bridge ${JSON.stringify(name)} in the database at ${this.endpoint}`);
    return uuid;
  }

  private interfaceRow(name: string): ReadonlyMap<string, Datum> | undefined {
    for (const row of this.idl.rows('Interface').values()) if (row.columns.get('name')?.keys[0] === name) return row.columns;
    return undefined;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
