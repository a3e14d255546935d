/**
 * Applies an `OvsConfig` to the switch's one datapath, as bridge.c's
 * bridge_reconfigure does for Open vSwitch: every bridge gets an internal
 * port named after it (its OpenFlow LOCAL port, 65534); every other
 * interface becomes a datapath port by its `type` ("" or "system": the
 * named network device, "internal", "dummy": an in-memory port), with an
 * OpenFlow number from the bridge's `OfportAllocator` (ofport_request
 * honoured). Ports whose bridge, type, requested number or options changed
 * are deleted and added again; ports no longer configured are deleted.
 *
 * The result of each pass is an `InterfaceStatus` per Interface row (what
 * vswitchd writes back: ofport, error, mac_in_use, states…) and a
 * `BridgeStatus` per bridge (MAC, datapath_id).
 *
 * Invariants: a failed interface holds no datapath port and no OpenFlow
 * number, and its status carries ofport -1 and OVS's error text; `apply`
 * never throws for bad configuration.
 *
 * Left out on purpose: tunnel and patch types (refused like an unknown
 * type), several datapaths per datapath_type (all bridges share one), MTU
 * changes, options other than dummy's tx_pcap/rxq_pcap.
 */
import { readFileSync } from 'node:fs';
import type { Dpif, VportType } from '../datapath/index.ts';
import { datapathIdFor, formatMac, pickBridgeMac, type BridgeConfig, type InterfaceConfig, type OvsConfig } from './bridge-config.ts';
import { OFPP_LOCAL, OfportAllocator } from './ofport-allocator.ts';

export interface InterfaceStatus {
  /** OpenFlow port number, -1 when the interface could not be added. */
  readonly ofport: number;
  readonly error?: string;
  readonly macInUse?: string;
  readonly ifindex?: number;
  readonly mtu?: number;
  readonly up: boolean;
  /** The datapath port number (not written to the database). */
  readonly dpPortNo?: number;
}

export interface BridgeStatus {
  readonly mac: string;
  readonly datapathId: string;
}

export interface ApplyResult {
  /** Interface row UUID → status. */
  readonly interfaces: ReadonlyMap<string, InterfaceStatus>;
  /** Bridge row UUID → status. */
  readonly bridges: ReadonlyMap<string, BridgeStatus>;
}

/** One interface as it is in the datapath now. */
interface LiveInterface {
  readonly name: string;
  readonly bridge: string;
  readonly key: string;
  readonly ofport: number;
  readonly dpPortNo: number;
  readonly mac: Uint8Array;
}

/** Where interface MACs come from; injectable for tests. */
export interface MacSource {
  /** The MAC of a system network device, or undefined when unknown. */
  systemMac(name: string): Uint8Array | undefined;
  systemIfindex(name: string): number | undefined;
  random(): Uint8Array;
}

export const sysfsMacSource: MacSource = {
  systemMac(name) {
    try {
      const t = readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim();
      return Uint8Array.from(t.split(':').map((h) => parseInt(h, 16)));
    } catch {
      return undefined;
    }
  },
  systemIfindex(name) {
    try {
      return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
    } catch {
      return undefined;
    }
  },
  random() {
    const b = crypto.getRandomValues(new Uint8Array(6));
    b[0] = ((b[0] ?? 0) & ~1) | 2;
    return b;
  },
};

const DP_TYPES: Readonly<Record<string, VportType>> = { '': 'system', system: 'system', internal: 'internal', dummy: 'dummy' };
const STRERROR: Readonly<Record<string, string>> = {
  ENODEV: 'No such device',
  EEXIST: 'File exists',
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  EFBIG: 'File too large',
  EAFNOSUPPORT: 'Address family not supported by protocol',
};

/** What identifies a datapath port's configuration: a change means delete and add again. */
function ifaceKey(bridge: string, iface: InterfaceConfig): string {
  const opts = [...iface.options].filter(([k]) => k === 'tx_pcap' || k === 'rxq_pcap').sort();
  return JSON.stringify([bridge, DP_TYPES[iface.type] ?? iface.type, iface.ofportRequest ?? null, opts]);
}

export class BridgeApplier {
  private readonly live = new Map<string, LiveInterface>();
  private readonly allocators = new Map<string, OfportAllocator>();
  /** netdev-dummy numbers its devices' MACs aa:55:aa:55:00:NN in creation order. */
  private dummyCount = 0;

  constructor(
    private readonly dpif: Dpif,
    private readonly macs: MacSource = sysfsMacSource,
  ) {}

  /** The datapath port numbers of configured interfaces, by name (for the OpenFlow layer). */
  get ports(): ReadonlyMap<string, { readonly bridge: string; readonly ofport: number; readonly dpPortNo: number }> {
    return this.live;
  }

  /** Brings the datapath to `config`; returns the status of every Interface row and bridge. */
  async apply(config: OvsConfig): Promise<ApplyResult> {
    const wanted = new Map<string, { bridge: BridgeConfig; iface: InterfaceConfig; key: string }>();
    for (const bridge of config.bridges) {
      wanted.set(bridge.name, { bridge, iface: { uuid: '', name: bridge.name, type: 'internal', options: new Map() }, key: JSON.stringify([bridge.name, 'local']) });
      for (const port of bridge.ports) {
        for (const iface of port.interfaces) {
          if (iface.name === bridge.name) continue;
          wanted.set(iface.name, { bridge, iface, key: ifaceKey(bridge.name, iface) });
        }
      }
    }
    for (const [name, l] of [...this.live]) {
      const w = wanted.get(name);
      if (!w || w.key !== l.key) this.remove(l);
    }
    for (const bridge of config.bridges) {
      if (!this.allocators.has(bridge.name)) this.allocators.set(bridge.name, new OfportAllocator());
    }
    for (const name of [...this.allocators.keys()]) if (!config.bridges.some((b) => b.name === name)) this.allocators.delete(name);

    const errors = new Map<string, string>();
    // Interfaces with a requested number first (their datapath port number follows it), then the bridges' own
    // ports, then the rest, each group in name order.
    const rank = (w: { iface: InterfaceConfig }): number => (w.iface.ofportRequest !== undefined ? 0 : w.iface.uuid === '' ? 1 : 2);
    const pending = [...wanted.values()].filter((w) => !this.live.has(w.iface.name));
    pending.sort((a, b) => rank(a) - rank(b));
    for (const w of pending) {
      const err = await this.add(w.bridge, w.iface, w.key);
      if (err !== undefined) errors.set(w.iface.name, err);
    }
    return this.status(config, errors);
  }

  private remove(l: LiveInterface): void {
    this.dpif.vportDel(l.dpPortNo);
    if (l.ofport !== OFPP_LOCAL) this.allocators.get(l.bridge)?.release(l.ofport);
    this.live.delete(l.name);
  }

  /** Adds one interface; returns OVS's error text when it cannot. */
  private async add(bridge: BridgeConfig, iface: InterfaceConfig, key: string): Promise<string | undefined> {
    const type = DP_TYPES[iface.type];
    if (type === undefined) return `could not open network device ${iface.name} (${STRERROR['EAFNOSUPPORT']})`;
    const isLocal = iface.uuid === '';
    const alloc = this.allocators.get(bridge.name) ?? new OfportAllocator();
    if (!isLocal && iface.ofportRequest !== undefined && alloc.isInUse(iface.ofportRequest)) {
      return `could not add network device ${iface.name} to ofproto (${STRERROR['EEXIST']})`;
    }
    const ofport = isLocal ? OFPP_LOCAL : alloc.allocate(iface.ofportRequest);
    if (ofport === undefined) return `could not add network device ${iface.name} to ofproto (${STRERROR['EFBIG']})`;
    const free = ofport !== OFPP_LOCAL && !this.dpif.vportGet(ofport).ok;
    const options = new Map([...iface.options].filter(([k]) => k === 'tx_pcap' || k === 'rxq_pcap'));
    const r = await this.dpif.vportNew({ name: iface.name, type, ...(free ? { portNo: ofport } : {}), ...(type === 'dummy' ? { options } : {}) });
    if (!r.ok) {
      if (!isLocal) alloc.undo();
      const reason = STRERROR[r.error.errno] ?? r.error.message;
      return `could not open network device ${iface.name} (${reason})`;
    }
    let mac: Uint8Array;
    if (type === 'dummy') mac = Uint8Array.from([0xaa, 0x55, 0xaa, 0x55, (this.dummyCount >> 8) & 0xff, this.dummyCount++ & 0xff]);
    else if (type === 'system') mac = this.macs.systemMac(iface.name) ?? this.macs.random();
    else mac = this.macs.random();
    this.live.set(iface.name, { name: iface.name, bridge: bridge.name, key, ofport, dpPortNo: r.value.portNo, mac });
    return undefined;
  }

  private status(config: OvsConfig, errors: ReadonlyMap<string, string>): ApplyResult {
    const interfaces = new Map<string, InterfaceStatus>();
    const bridges = new Map<string, BridgeStatus>();
    for (const bridge of config.bridges) {
      const macs = new Map<string, Uint8Array>();
      for (const l of this.live.values()) if (l.bridge === bridge.name) macs.set(l.name, l.mac);
      const bridgeMac = pickBridgeMac(bridge, macs);
      bridges.set(bridge.uuid, { mac: formatMac(bridgeMac), datapathId: datapathIdFor(bridge, bridgeMac) });
      for (const port of bridge.ports) {
        for (const iface of port.interfaces) {
          const l = this.live.get(iface.name);
          const err = errors.get(iface.name);
          if (!l || l.bridge !== bridge.name || err !== undefined) {
            interfaces.set(iface.uuid, { ofport: -1, up: false, ...(err !== undefined ? { error: err } : {}) });
            continue;
          }
          const isSystem = DP_TYPES[iface.type] === 'system';
          const ifindex = isSystem ? (this.macs.systemIfindex(iface.name) ?? 0) : 0;
          const mac = l.ofport === OFPP_LOCAL ? bridgeMac : l.mac;
          interfaces.set(iface.uuid, { ofport: l.ofport, macInUse: formatMac(mac), ifindex, mtu: 1500, up: true, dpPortNo: l.dpPortNo });
        }
      }
    }
    return { interfaces, bridges };
  }
}
