/**
 * `refswitch switch --rundir DIR [--db unix:PATH] [--datapath NAME] [--bridge NAME]...
 * [--port NAME[,type=system|internal|dummy][,port_no=N][,tx_pcap=F][,rxq_pcap=F]]...`:
 * runs the reference switch in the foreground until SIGTERM, SIGINT or
 * `ovs-appctl -t DIR/refswitch.ctl exit`.
 *
 * The switch is configured from the Open_vSwitch database, as
 * ovs-vswitchd is: by default our own OVSDB server runs in the process on
 * DIR/db.sock over DIR/conf.db (created from Open vSwitch's schema when
 * absent); `--db unix:PATH` uses another server instead (e.g. Open
 * vSwitch's ovsdb-server). `ovs-vsctl --db=unix:DIR/db.sock ...` then
 * adds and removes bridges and ports. `--bridge` and `--port` are written
 * into the database when missing (ports on the first bridge, `br0` when
 * there is none; `port_no` becomes `ofport_request`).
 *
 * The control socket is DIR/refswitch.ctl (DIR made absolute, so
 * `ovs-appctl -t` can be given the printed path), the pid goes to
 * DIR/refswitch.pid and the log to DIR/refswitch.log. A port's type
 * defaults to `system` (a network interface of the switch's namespace),
 * as `ovs-dpctl add-if` does. Exit codes: 0 after a clean stop, 1 when the
 * switch cannot start (a port that cannot be opened, a socket in use), 2
 * for usage errors.
 *
 * Not built yet, and said so in the usage text: there is no OpenFlow layer,
 * so a packet that misses every datapath flow is counted (coverage
 * `upcall_miss_no_handler`) and dropped; flows come from `dpctl/add-flow`.
 */
import { resolve } from 'node:path';
import { Datapath, VPORT_TYPES, type VportType } from '../datapath/index.ts';
import { SwitchProcess, SwitchStartError, type SwitchConfig } from '../vswitchd/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

type PortSpec = SwitchConfig['ports'][number];

const PORT_OPTIONS = new Set(['tx_pcap', 'rxq_pcap']);

/** `NAME[,type=T][,port_no=N][,tx_pcap=F][,rxq_pcap=F]` → a port request, or a UsageError. */
export function parsePortSpec(text: string): PortSpec {
  const [name = '', ...items] = text.split(',');
  if (name === '' || name.includes('=')) throw new UsageError(`--port ${text}: expected NAME[,type=T][,port_no=N][,tx_pcap=F][,rxq_pcap=F]`);
  let type: VportType = 'system';
  let portNo: number | undefined;
  const options = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (key === 'type') {
      if (!(VPORT_TYPES as readonly string[]).includes(value)) throw new UsageError(`--port ${text}: type must be one of ${VPORT_TYPES.join(', ')}, not '${value}'`);
      type = value as VportType;
    } else if (key === 'port_no') {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 0xfffffffe) throw new UsageError(`--port ${text}: port_no must be a number from 1 (0 is the datapath's own port), not '${value}'`);
      portNo = Number(value);
    } else if (PORT_OPTIONS.has(key) && value !== '') {
      if (options.has(key)) throw new UsageError(`--port ${text}: ${key} given twice`);
      options.set(key, resolve(value));
    } else {
      throw new UsageError(`--port ${text}: unknown option '${item}' (known: type, port_no, ${[...PORT_OPTIONS].join(', ')})`);
    }
  }
  return { name, type, ...(portNo !== undefined ? { portNo } : {}), options };
}

/** The switch configuration a command line asks for; UsageError when it is wrong. */
export function parseSwitchArgs(argv: readonly string[]): SwitchConfig {
  const { values, positionals } = parseCommandArgs(argv, {
    rundir: { type: 'string' },
    db: { type: 'string' },
    datapath: { type: 'string' },
    bridge: { type: 'string', multiple: true },
    port: { type: 'string', multiple: true },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.rundir) throw new UsageError('--rundir DIR is required');
  if (values.db !== undefined && !/^unix:./.test(values.db)) throw new UsageError(`--db ${values.db}: expected unix:PATH`);
  const ports = (values.port ?? []).map(parsePortSpec);
  const names = [values.datapath ?? 'ovs-system', ...(values.bridge ?? []), ...ports.map((p) => p.name)];
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UsageError(`port name '${dup}' used twice (the datapath's own port is named after it)`);
  return {
    rundir: resolve(values.rundir),
    ...(values.datapath ? { datapathName: values.datapath } : {}),
    bridges: values.bridge ?? [],
    ports,
    ovsdb: values.db !== undefined ? { remote: `unix:${resolve(values.db.slice(5))}` } : {},
  };
}

export const switchCommand: Command = {
  name: 'switch',
  usage: [
    'switch --rundir DIR [--db unix:PATH] [--datapath NAME] [--bridge NAME]... [--port NAME[,type=system|internal|dummy][,port_no=N][,tx_pcap=F][,rxq_pcap=F]]...' +
      '  (configured from OVSDB: our own server on DIR/db.sock unless --db; no OpenFlow yet: packets missing every dpctl/add-flow flow are counted as upcall_miss_no_handler, then dropped)',
  ],
  async run(argv) {
    const config = parseSwitchArgs(argv);
    let sw: SwitchProcess;
    try {
      sw = await SwitchProcess.start(config, { createDatapath: ({ name, clock }) => new Datapath({ name, clock }) });
    } catch (err) {
      if (!(err instanceof SwitchStartError)) throw err;
      process.stderr.write(`refswitch switch: ${err.message}\n`);
      return 1;
    }
    const onSignal = (signal: NodeJS.Signals): void => {
      sw.log('refswitch', 'info', `${signal} received`);
      void sw.stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.stderr.write(`refswitch switch: control socket ${sw.socketPath} (pid ${process.pid})\n`);
    await sw.done;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    return 0;
  },
};
