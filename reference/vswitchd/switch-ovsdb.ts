/**
 * The switch's database connection: either an external OVSDB server
 * (`unix:PATH`, e.g. Open vSwitch's own ovsdb-server) or our own
 * `OvsdbServer` started in-process on RUNDIR/db.sock over RUNDIR/conf.db
 * (created from the Open_vSwitch schema when absent; like ovs-vswitchd we
 * never create the Open_vSwitch row ourselves — `ovs-vsctl` does — unless
 * the command line names bridges or ports). Then an `Idl` of the tables
 * vswitchd reads, the command line's bridges and ports written into the
 * database when missing (as `ovs-vsctl --may-exist add-br/add-port`), and
 * `BridgeConfigSync` keeping the datapath equal to the database.
 *
 * Invariant: `close()` stops everything this module started (sync, Idl,
 * client, own server, database file) and nothing else; a start that fails
 * closes what it had opened before rejecting.
 *
 * Left out on purpose: reconnecting after the server goes away (the switch
 * keeps its last configuration and logs the loss), TCP/SSL remotes for our
 * own server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DatabaseFile,
  Idl,
  OvsdbClient,
  OvsdbServer,
  VSWITCH_SCHEMA_PATH,
  type Datum,
  type IdlTxn,
} from '../ovsdb/index.ts';
import type { Dpif, VportNewRequest } from '../datapath/index.ts';
import { BridgeApplier } from './bridge-apply.ts';
import { BridgeConfigSync, VSWITCHD_COLUMNS } from './bridge-config-sync.ts';

export const DB_SOCKET = 'db.sock';
export const DB_FILE = 'conf.db';

export interface SwitchOvsdbOptions {
  readonly rundir: string;
  /** `unix:PATH` of an external server; undefined = start our own. */
  readonly remote?: string;
  readonly dpif: Dpif;
  /** Written into the database when missing. Ports go on the first bridge (`br0` when none is given). */
  readonly bridges: readonly string[];
  readonly ports: readonly Omit<VportNewRequest, 'namespace'>[];
  readonly log: (level: 'info' | 'warn' | 'err', text: string) => void;
  readonly statsIntervalMs?: number;
}

export class SwitchOvsdbError extends Error {
  override readonly name = 'SwitchOvsdbError';
}

const str = (s: string): Datum => ({ keys: [s] });

/** Inserts the missing bridges and ports of the command line (one transaction). */
function seed(txn: IdlTxn, idl: Idl, bridges: readonly string[], ports: SwitchOvsdbOptions['ports']): void {
  let root = [...idl.rows('Open_vSwitch').keys()][0];
  if (root === undefined) root = txn.insert('Open_vSwitch', {});
  const byName = (table: string, name: string): string | undefined =>
    [...idl.rows(table).values()].find((r) => r.columns.get('name')?.keys[0] === name)?.uuid;
  const addPort = (bridge: string, name: string, iface: Record<string, Datum>): void => {
    if (byName('Interface', name) !== undefined) return;
    const i = txn.insert('Interface', { name: str(name), ...iface });
    const p = txn.insert('Port', { name: str(name), interfaces: { keys: [i] } });
    txn.mutate('Bridge', bridge, 'ports', 'insert', { keys: [p] });
  };
  const names = bridges.length > 0 || ports.length === 0 ? bridges : ['br0'];
  const bridgeUuids: string[] = [];
  for (const name of names) {
    let b = byName('Bridge', name);
    if (b === undefined) {
      const i = txn.insert('Interface', { name: str(name), type: str('internal') });
      const p = txn.insert('Port', { name: str(name), interfaces: { keys: [i] } });
      b = txn.insert('Bridge', { name: str(name), ports: { keys: [p] } });
      txn.mutate('Open_vSwitch', root, 'bridges', 'insert', { keys: [b] });
    }
    bridgeUuids.push(b);
  }
  const first = bridgeUuids[0];
  if (first === undefined) return;
  for (const p of ports) {
    const options = [...(p.options ?? new Map<string, string>())].sort(([a], [b]) => (a < b ? -1 : 1));
    addPort(first, p.name, {
      type: str(p.type === 'system' ? '' : p.type),
      ...(p.portNo !== undefined ? { ofport_request: { keys: [p.portNo] } } : {}),
      options: { keys: options.map(([k]) => k), values: options.map(([, v]) => v) },
    });
  }
  txn.comment('refswitch switch: bridges and ports of the command line');
}

export class SwitchOvsdb {
  private constructor(
    readonly target: string,
    readonly sync: BridgeConfigSync,
    private readonly closers: (() => Promise<void> | void)[],
  ) {}

  static async start(opts: SwitchOvsdbOptions): Promise<SwitchOvsdb> {
    const closers: (() => Promise<void> | void)[] = [];
    const closeAll = async (): Promise<void> => {
      for (const c of closers.splice(0).reverse()) await c();
    };
    try {
      let target = opts.remote;
      if (target === undefined) {
        const dbPath = join(opts.rundir, DB_FILE);
        if (!existsSync(dbPath)) {
          if (!existsSync(VSWITCH_SCHEMA_PATH)) throw new SwitchOvsdbError(`${VSWITCH_SCHEMA_PATH}: no Open_vSwitch schema to create ${dbPath} from (apt-get install openvswitch-common)`);
          DatabaseFile.create(dbPath, JSON.parse(readFileSync(VSWITCH_SCHEMA_PATH, 'utf8')) as unknown);
        }
        const { file, db } = DatabaseFile.open(dbPath);
        closers.push(() => file.close());
        const server = await OvsdbServer.start({ databases: [{ db, file }], remotes: [`punix:${join(opts.rundir, DB_SOCKET)}`] });
        closers.push(() => server.close());
        target = `unix:${join(opts.rundir, DB_SOCKET)}`;
        opts.log('info', `OVSDB server listening on ${target} (database ${dbPath})`);
      }
      const client = await OvsdbClient.connect(target);
      closers.push(() => client.close());
      const idl = await Idl.open(client, 'Open_vSwitch', VSWITCHD_COLUMNS);
      closers.push(() => idl.close());
      if (opts.bridges.length > 0 || opts.ports.length > 0) {
        await idl.transact((txn) => seed(txn, idl, opts.bridges, opts.ports));
      }
      const applier = new BridgeApplier(opts.dpif);
      const sync = await BridgeConfigSync.start(idl, applier, opts.dpif, {
        log: (level, text) => opts.log(level, text),
        ...(opts.statsIntervalMs !== undefined ? { statsIntervalMs: opts.statsIntervalMs } : {}),
      });
      closers.push(() => sync.close());
      checkSeededPorts(sync, opts.ports);
      return new SwitchOvsdb(target, sync, closers);
    } catch (err) {
      await closeAll();
      throw err;
    }
  }

  /** Stops the sync, the Idl, the client and our own server (in that order). */
  async close(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c();
  }
}

/** A command-line port that could not be opened stops the start, as before OVSDB (exit 1 with the reason). */
function checkSeededPorts(sync: BridgeConfigSync, ports: SwitchOvsdbOptions['ports']): void {
  const cfg = sync.config;
  for (const p of ports) {
    for (const b of cfg.bridges) {
      const iface = b.ports.flatMap((x) => x.interfaces).find((i) => i.name === p.name);
      const st = iface ? sync.status(iface.uuid) : undefined;
      if (st && st.ofport < 0) throw new SwitchOvsdbError(`cannot open port ${p.name} (type ${p.type}): ${st.error ?? 'failed'}`);
    }
  }
}
