/**
 * The switch configuration as vswitchd reads it from the Open_vSwitch
 * database: a pure function from replica rows (Open_vSwitch, Bridge, Port,
 * Interface, Controller, Flow_Table) to a plain `OvsConfig`, plus the
 * values vswitchd derives from it the way Open vSwitch 3.1's bridge.c does
 * (bridge MAC, datapath_id).
 *
 * Invariants: reading never throws on odd data. A row that refers to a
 * missing row is skipped (the server's referential integrity makes that
 * transient). Like bridge.c, a second bridge of the same name, a second
 * port or interface of the same name (across all bridges) is ignored, the
 * first in name order wins; bridge names, ports and interfaces come out
 * sorted by name so the result does not depend on UUIDs.
 *
 * Left out on purpose: bonds (a port keeps only its first interface for
 * the datapath; all its interfaces are listed), VLAN settings, mirrors,
 * QoS, STP/RSTP, NetFlow/sFlow/IPFIX, Manager, SSL.
 */
import type { Atom, Datum, Row } from '../ovsdb/index.ts';

/** What the reader needs from a replica: the Idl and the engine's Database both fit. */
export interface ReplicaView {
  rows(table: string): ReadonlyMap<string, Row>;
}

export interface InterfaceConfig {
  readonly uuid: string;
  readonly name: string;
  /** As in the database: "" means a system network device. */
  readonly type: string;
  readonly ofportRequest?: number;
  readonly options: ReadonlyMap<string, string>;
}

export interface PortConfig {
  readonly uuid: string;
  readonly name: string;
  readonly interfaces: readonly InterfaceConfig[];
}

export interface ControllerConfig {
  readonly uuid: string;
  readonly target: string;
  /** Controller.connection_mode: "in-band" (default) or "out-of-band". */
  readonly connectionMode?: string;
  readonly maxBackoffMs?: number;
  readonly inactivityProbeMs?: number;
}

export interface FlowTableConfig {
  readonly uuid: string;
  readonly name?: string;
  readonly flowLimit?: number;
  readonly overflowPolicy?: string;
  readonly groups: readonly string[];
  readonly prefixes: readonly string[];
}

export interface BridgeConfig {
  readonly uuid: string;
  readonly name: string;
  readonly datapathType: string;
  /** Bridge.fail_mode: "standalone" (OVS's default when unset) or "secure". */
  readonly failMode?: string;
  readonly protocols: readonly string[];
  readonly controllers: readonly ControllerConfig[];
  /** OpenFlow table id → its Flow_Table settings. */
  readonly flowTables: ReadonlyMap<number, FlowTableConfig>;
  readonly otherConfig: ReadonlyMap<string, string>;
  readonly ports: readonly PortConfig[];
}

export interface OvsConfig {
  /** UUID of the Open_vSwitch row; undefined while the table is empty (before `ovs-vsctl init`). */
  readonly rootUuid?: string;
  readonly nextCfg: number;
  readonly curCfg: number;
  readonly bridges: readonly BridgeConfig[];
}

// ------------------------------------------------------------ datum access

export function scalar(row: Row, column: string): Atom | undefined {
  return row.columns.get(column)?.keys[0];
}

export function stringOf(row: Row, column: string): string | undefined {
  const a = scalar(row, column);
  return typeof a === 'string' ? a : undefined;
}

export function numberOf(row: Row, column: string): number | undefined {
  const a = scalar(row, column);
  return typeof a === 'number' ? a : undefined;
}

export function setOf(row: Row, column: string): readonly Atom[] {
  return row.columns.get(column)?.keys ?? [];
}

export function stringMapOf(row: Row, column: string): Map<string, string> {
  const d = row.columns.get(column);
  const m = new Map<string, string>();
  d?.keys.forEach((k, i) => m.set(String(k), String(d.values?.[i] ?? '')));
  return m;
}

/** A set datum of 0 or 1 atoms (optional scalar column). */
export function optionalDatum(a: Atom | undefined): Datum {
  return { keys: a === undefined ? [] : [a] };
}

/** A string→string map datum, keys sorted (byte order equals code-unit order for ASCII keys). */
export function stringMapDatum(m: ReadonlyMap<string, string | number>): Datum {
  const keys = [...m.keys()].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return { keys, values: keys.map((k) => m.get(k) ?? '') };
}

// ------------------------------------------------------------ reading

function byName<T extends { readonly name: string }>(items: T[]): T[] {
  return items.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

function readInterface(row: Row): InterfaceConfig {
  const req = numberOf(row, 'ofport_request');
  return {
    uuid: row.uuid,
    name: stringOf(row, 'name') ?? '',
    type: stringOf(row, 'type') ?? '',
    ...(req !== undefined ? { ofportRequest: req } : {}),
    options: stringMapOf(row, 'options'),
  };
}

function readController(row: Row): ControllerConfig {
  const mode = stringOf(row, 'connection_mode');
  const backoff = numberOf(row, 'max_backoff');
  const probe = numberOf(row, 'inactivity_probe');
  return {
    uuid: row.uuid,
    target: stringOf(row, 'target') ?? '',
    ...(mode !== undefined ? { connectionMode: mode } : {}),
    ...(backoff !== undefined ? { maxBackoffMs: backoff } : {}),
    ...(probe !== undefined ? { inactivityProbeMs: probe } : {}),
  };
}

function readFlowTable(row: Row): FlowTableConfig {
  const name = stringOf(row, 'name');
  const limit = numberOf(row, 'flow_limit');
  const policy = stringOf(row, 'overflow_policy');
  return {
    uuid: row.uuid,
    ...(name !== undefined ? { name } : {}),
    ...(limit !== undefined ? { flowLimit: limit } : {}),
    ...(policy !== undefined ? { overflowPolicy: policy } : {}),
    groups: setOf(row, 'groups').map(String),
    prefixes: setOf(row, 'prefixes').map(String),
  };
}

function refs(view: ReplicaView, table: string, uuids: readonly Atom[]): Row[] {
  const rows = view.rows(table);
  return uuids.flatMap((u) => {
    const r = rows.get(String(u));
    return r ? [r] : [];
  });
}

function readBridge(view: ReplicaView, row: Row, seenIfaces: Set<string>, seenPorts: Set<string>): BridgeConfig {
  const ports: PortConfig[] = [];
  for (const p of byName(refs(view, 'Port', setOf(row, 'ports')).map((r) => ({ r, name: stringOf(r, 'name') ?? '' })))) {
    if (seenPorts.has(p.name)) continue;
    seenPorts.add(p.name);
    const interfaces = byName(refs(view, 'Interface', setOf(p.r, 'interfaces')).map(readInterface)).filter((i) => {
      if (seenIfaces.has(i.name)) return false;
      seenIfaces.add(i.name);
      return true;
    });
    if (interfaces.length > 0) ports.push({ uuid: p.r.uuid, name: p.name, interfaces });
  }
  const flowTables = new Map<number, FlowTableConfig>();
  const ft = row.columns.get('flow_tables');
  ft?.keys.forEach((k, i) => {
    const target = view.rows('Flow_Table').get(String(ft.values?.[i]));
    if (typeof k === 'number' && target) flowTables.set(k, readFlowTable(target));
  });
  const failMode = stringOf(row, 'fail_mode');
  return {
    uuid: row.uuid,
    name: stringOf(row, 'name') ?? '',
    datapathType: stringOf(row, 'datapath_type') ?? '',
    ...(failMode !== undefined ? { failMode } : {}),
    protocols: setOf(row, 'protocols').map(String),
    controllers: refs(view, 'Controller', setOf(row, 'controller'))
      .map(readController)
      .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0)),
    flowTables,
    otherConfig: stringMapOf(row, 'other_config'),
    ports,
  };
}

/** Reads the whole switch configuration from the replica (see the file comment for the rules). */
export function readOvsConfig(view: ReplicaView): OvsConfig {
  const root = [...view.rows('Open_vSwitch').values()][0];
  if (!root) return { nextCfg: 0, curCfg: 0, bridges: [] };
  const seenIfaces = new Set<string>();
  const seenPorts = new Set<string>();
  const seenBridges = new Set<string>();
  const bridgeRows = byName(refs(view, 'Bridge', setOf(root, 'bridges')).map((r) => ({ r, name: stringOf(r, 'name') ?? '' })));
  const bridges: BridgeConfig[] = [];
  for (const b of bridgeRows) {
    if (seenBridges.has(b.name)) continue;
    seenBridges.add(b.name);
    bridges.push(readBridge(view, b.r, seenIfaces, seenPorts));
  }
  return { rootUuid: root.uuid, nextCfg: numberOf(root, 'next_cfg') ?? 0, curCfg: numberOf(root, 'cur_cfg') ?? 0, bridges };
}

// ------------------------------------------------------------ derived values

/** 6 bytes as "xx:xx:xx:xx:xx:xx". */
export function formatMac(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function parseMac(text: string): Uint8Array | undefined {
  const m = /^([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2})$/i.exec(text);
  return m ? Uint8Array.from(m.slice(1).map((h) => parseInt(h, 16))) : undefined;
}

/**
 * The MAC OVS gives a bridge with no usable port address: the first six
 * bytes of the row UUID as the C struct holds it (four 32-bit words in
 * little-endian memory), multicast bit cleared, local bit set.
 */
export function bridgeMacFromUuid(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  const word = (i: number): number[] => {
    const w = hex.slice(i * 8, i * 8 + 8);
    return [6, 4, 2, 0].map((o) => parseInt(w.slice(o, o + 2), 16));
  };
  const bytes = Uint8Array.from([...word(0), ...word(1)].slice(0, 6));
  bytes[0] = ((bytes[0] ?? 0) & ~1) | 2;
  return bytes;
}

/**
 * The bridge's MAC: other_config:hwaddr when it is a valid unicast
 * address; else the numerically lowest universally administered unicast
 * MAC among its non-internal interfaces; else derived from the UUID.
 */
export function pickBridgeMac(bridge: BridgeConfig, ifaceMacs: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const hw = parseMac(bridge.otherConfig.get('hwaddr') ?? '');
  if (hw && ((hw[0] ?? 0) & 1) === 0 && hw.some((b) => b !== 0)) return hw;
  let best: Uint8Array | undefined;
  for (const port of bridge.ports) {
    for (const iface of port.interfaces) {
      const mac = ifaceMacs.get(iface.name);
      if (!mac || iface.type === 'internal' || ((mac[0] ?? 0) & 3) !== 0 || mac.every((b) => b === 0)) continue;
      if (!best || Buffer.compare(mac, best) < 0) best = mac;
    }
  }
  return best ?? bridgeMacFromUuid(bridge.uuid);
}

/** Bridge.datapath_id: other_config:datapath-id when it is 16 hex digits, else 0000 + the bridge MAC. */
export function datapathIdFor(bridge: BridgeConfig, mac: Uint8Array): string {
  const want = bridge.otherConfig.get('datapath-id') ?? '';
  if (/^[0-9a-fA-F]{16}$/.test(want) && !/^0+$/.test(want)) return want.toLowerCase();
  return '0000' + formatMac(mac).replace(/:/g, '');
}
