/**
 * vswitchd's side of the Open_vSwitch database: keeps the datapath equal to
 * the configuration in an `Idl` replica and writes back what Open vSwitch's
 * bridge.c writes, so the real `ovs-vsctl` works against this switch
 * without `--no-wait`.
 *
 * How: every replica change schedules a reconfiguration (changes arriving
 * meanwhile are coalesced into one more pass). A pass reads the
 * configuration (`readOvsConfig`), applies it (`BridgeApplier`), then in ONE
 * transaction writes each Interface's ofport/error/mac_in_use/ifindex/mtu/
 * admin_state/link_state/link_resets (ofport -1 and the error with the rest
 * cleared when it failed), each Bridge's datapath_id and datapath_version,
 * the Open_vSwitch row's datapath_types/iface_types/dpdk_version, and
 * cur_cfg = the next_cfg the pass read. Interface statistics are written
 * every `statsIntervalMs` (OVS: 5 s) in a transaction of their own.
 *
 * Invariants: only values that differ from the replica are written, so our
 * own writes coming back as updates cause a pass that sends nothing (the
 * loop settles). cur_cfg never moves backwards and is written only after
 * the configuration of that next_cfg is in the datapath. A failed pass is
 * logged and retried on the next change; it never stops the switch.
 *
 * Left out on purpose: the OpenFlow layer (fail_mode, controllers and
 * Flow_Table settings are kept in `config` for it), Interface.status,
 * duplex/link_speed, Controller.is_connected, ovs_version/db_version/
 * system_type (ovs-vswitchd leaves those to its start script).
 */
import type { Datum, Idl, IdlTxn } from '../ovsdb/index.ts';
import type { Dpif, VportStats } from '../datapath/index.ts';
import { optionalDatum, readOvsConfig, stringMapDatum, type OvsConfig } from './bridge-config.ts';
import type { ApplyResult, BridgeApplier, InterfaceStatus } from './bridge-apply.ts';

/** Columns this module reads or writes, per table (what the Idl must replicate). */
export const VSWITCHD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  Open_vSwitch: ['bridges', 'next_cfg', 'cur_cfg', 'datapath_types', 'iface_types', 'dpdk_version', 'other_config'],
  Bridge: ['name', 'ports', 'controller', 'fail_mode', 'datapath_type', 'datapath_id', 'datapath_version', 'protocols', 'flow_tables', 'other_config'],
  Port: ['name', 'interfaces'],
  Interface: ['name', 'type', 'options', 'ofport_request', 'ofport', 'error', 'mac_in_use', 'ifindex', 'mtu', 'admin_state', 'link_state', 'link_resets', 'statistics'],
  Controller: ['target', 'connection_mode', 'max_backoff', 'inactivity_probe'],
  Flow_Table: ['name', 'flow_limit', 'overflow_policy', 'groups', 'prefixes'],
};

/** What this switch offers, as vswitchd advertises it in the Open_vSwitch row. */
export const DATAPATH_TYPES = ['netdev', 'system'];
export const IFACE_TYPES = ['dummy', 'internal', 'system'];
/** Bridge.datapath_version of a userspace datapath in OVS. */
export const DATAPATH_VERSION = '<built-in>';

export interface BridgeConfigSyncOptions {
  readonly log?: (level: 'info' | 'warn' | 'err', text: string) => void;
  /** Default 5000; 0 disables the periodic statistics. */
  readonly statsIntervalMs?: number;
}

const DUMMY_STAT_KEYS = ['rx_custom_packets_1', 'rx_custom_packets_2'];

/** Interface.statistics as OVS's netdev implementations name them (dummy adds its queue counters). */
export function statisticsDatum(type: string, s: VportStats): Datum {
  if (type === 'dummy') {
    return stringMapDatum(
      new Map<string, number>([
        ['rx_packets', s.rxPackets], ['rx_bytes', s.rxBytes], ['tx_packets', s.txPackets], ['tx_bytes', s.txBytes],
        ['rx_q0_packets', s.rxPackets], ['rx_q0_bytes', s.rxBytes], ['tx_q0_packets', s.txPackets], ['tx_q0_bytes', s.txBytes],
        ...DUMMY_STAT_KEYS.map((k): [string, number] => [k, 0]),
      ]),
    );
  }
  return stringMapDatum(
    new Map<string, number>([
      ['rx_packets', s.rxPackets], ['rx_bytes', s.rxBytes], ['tx_packets', s.txPackets], ['tx_bytes', s.txBytes],
      ['rx_dropped', s.rxDropped], ['tx_dropped', s.txDropped], ['rx_errors', s.rxErrors], ['tx_errors', s.txErrors],
    ]),
  );
}

function sameDatum(a: Datum | undefined, b: Datum): boolean {
  if (!a || a.keys.length !== b.keys.length) return false;
  return a.keys.every((k, i) => k === b.keys[i] && a.values?.[i] === b.values?.[i]);
}

const EMPTY: Datum = { keys: [] };
const EMPTY_MAP: Datum = { keys: [], values: [] };

export class BridgeConfigSync {
  private current: OvsConfig = { nextCfg: 0, curCfg: 0, bridges: [] };
  private last: ApplyResult | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly log: NonNullable<BridgeConfigSyncOptions['log']>;

  private constructor(
    private readonly idl: Idl,
    private readonly applier: BridgeApplier,
    private readonly dpif: Dpif,
    opts: BridgeConfigSyncOptions,
  ) {
    this.log = opts.log ?? (() => undefined);
    this.unsubscribe = idl.onChange(() => this.schedule());
    const every = opts.statsIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => void this.writeStatistics().catch((e: unknown) => this.log('warn', `statistics: ${String(e)}`)), every);
      this.timer.unref();
    }
  }

  /** Starts following `idl`; resolves after the first pass (the datapath then holds the configuration). */
  static async start(idl: Idl, applier: BridgeApplier, dpif: Dpif, opts: BridgeConfigSyncOptions = {}): Promise<BridgeConfigSync> {
    const s = new BridgeConfigSync(idl, applier, dpif, opts);
    s.schedule();
    await s.settled();
    return s;
  }

  /** The configuration of the last pass (for the OpenFlow layer: fail_mode, controllers, Flow_Table). */
  get config(): OvsConfig {
    return this.current;
  }

  /** What the last pass did with an Interface row (undefined when it is not configured). */
  status(ifaceUuid: string): InterfaceStatus | undefined {
    return this.last?.interfaces.get(ifaceUuid);
  }

  /** Resolves when no pass is running or pending. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    this.dirty = true;
    this.running ??= (async () => {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        try {
          await this.reconfigure();
        } catch (e) {
          this.log('warn', `reconfiguration failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      this.running = undefined;
    })();
  }

  private async reconfigure(): Promise<void> {
    const cfg = readOvsConfig(this.idl);
    const result = await this.applier.apply(cfg);
    this.current = cfg;
    this.last = result;
    if (this.closed) return;
    const r = await this.idl.transact((txn) => this.writeStatus(txn, cfg, result));
    if (r.status === 'success') this.log('info', `configuration ${cfg.nextCfg} applied (${cfg.bridges.length} bridges)`);
  }

  private update(txn: IdlTxn, table: string, uuid: string, cols: Record<string, Datum>): void {
    const row = this.idl.row(table, uuid);
    if (!row) return;
    const changed = Object.entries(cols).filter(([c, d]) => !sameDatum(row.columns.get(c), d));
    if (changed.length > 0) txn.update(table, uuid, Object.fromEntries(changed));
  }

  private writeStatus(txn: IdlTxn, cfg: OvsConfig, result: ApplyResult): void {
    for (const [uuid, st] of result.interfaces) {
      if (st.ofport < 0) {
        this.update(txn, 'Interface', uuid, {
          ofport: { keys: [-1] }, error: optionalDatum(st.error), mac_in_use: EMPTY, ifindex: EMPTY, mtu: EMPTY,
          admin_state: EMPTY, link_state: EMPTY, link_resets: EMPTY, statistics: EMPTY_MAP,
        });
        continue;
      }
      const stats = this.statsFor(uuid);
      this.update(txn, 'Interface', uuid, {
        ofport: { keys: [st.ofport] }, error: EMPTY, mac_in_use: optionalDatum(st.macInUse), ifindex: optionalDatum(st.ifindex),
        mtu: optionalDatum(st.mtu), admin_state: { keys: [st.up ? 'up' : 'down'] }, link_state: { keys: [st.up ? 'up' : 'down'] },
        link_resets: { keys: [0] }, ...(stats && !this.idl.row('Interface', uuid)?.columns.get('statistics')?.keys.length ? { statistics: stats } : {}),
      });
    }
    for (const [uuid, st] of result.bridges) {
      this.update(txn, 'Bridge', uuid, { datapath_id: { keys: [st.datapathId] }, datapath_version: { keys: [DATAPATH_VERSION] } });
    }
    if (cfg.rootUuid === undefined) return;
    const root = this.idl.row('Open_vSwitch', cfg.rootUuid);
    const cur = root?.columns.get('cur_cfg')?.keys[0];
    this.update(txn, 'Open_vSwitch', cfg.rootUuid, {
      datapath_types: { keys: DATAPATH_TYPES },
      iface_types: { keys: IFACE_TYPES },
      dpdk_version: { keys: ['none'] },
      ...(typeof cur !== 'number' || cur < cfg.nextCfg ? { cur_cfg: { keys: [cfg.nextCfg] } } : {}),
    });
  }

  private statsFor(ifaceUuid: string): Datum | undefined {
    const st = this.last?.interfaces.get(ifaceUuid);
    if (st?.dpPortNo === undefined) return undefined;
    const port = this.dpif.vportGet(st.dpPortNo);
    const type = this.idl.row('Interface', ifaceUuid)?.columns.get('type')?.keys[0];
    return port.ok ? statisticsDatum(String(type ?? ''), port.value.stats) : undefined;
  }

  /** Writes Interface.statistics of every working interface (what OVS does every 5 s). */
  async writeStatistics(): Promise<void> {
    if (this.closed || !this.last) return;
    const uuids = [...(this.last.interfaces.keys())];
    await this.idl.transact((txn) => {
      for (const uuid of uuids) {
        const stats = this.statsFor(uuid);
        if (stats) this.update(txn, 'Interface', uuid, { statistics: stats });
      }
    });
  }

  /** Stops following the replica (the Idl stays open; its owner closes it). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe();
    await this.settled();
  }
}
