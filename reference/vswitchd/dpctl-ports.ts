/**
 * The datapath and port commands of `dpctl/*` (lib/dpctl.c): show,
 * dump-dps, add-if, del-if, over the dpif DATAPATH and VPORT families.
 *
 * `dpctl/show` prints what ovs-dpctl prints for the Linux datapath
 * (show_dpif):
 *
 *   system@ovs-system:
 *     lookups: hit:H missed:M lost:L
 *     flows: F
 *     masks: hit:N total:T hit/pkt:%.2f
 *     cache: hit:C hit-rate:%.2f%
 *     caches:
 *       masks-cache: size:S
 *     port 0: ovs-system (internal)
 *     port 1: eth1
 *     port 2: p2 (dummy: k=v, k=v)
 *
 * ports sorted by number, type left out for `system`, options sorted by
 * key; `-s` adds the RX/TX counter block per port. Counters a vport does not
 * keep (overruns, frame, aborted, carrier, collisions) print 0, as the
 * Linux netdev layer reports them for our ports.
 *
 * add-if takes `NAME[,type=T][,port_no=N][,KEY=VALUE]…` (types: system,
 * internal, dummy; dummy options tx_pcap and rxq_pcap); del-if takes names
 * or port numbers. Left out on purpose: set-if, add-dp, del-dp (one fixed
 * datapath per switch).
 */
import type { VportInfo, VportNewRequest, VportType } from '../datapath/index.ts';
import { VPORT_TYPES } from '../datapath/index.ts';
import type { DpctlRun } from './dpctl-context.ts';

function humanSize(v: number): string {
  const units: readonly [number, string][] = [[1024 ** 4, 'TiB'], [1024 ** 3, 'GiB'], [1024 ** 2, 'MiB'], [1024, 'KiB']];
  for (const [size, unit] of units) if (v >= size) return ` (${(v / size).toFixed(1)} ${unit})`;
  return '';
}

function portLine(p: VportInfo): string {
  let s = `  port ${p.portNo}: ${p.name}`;
  if (p.type !== 'system') {
    const opts = [...p.options].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    s += ` (${p.type}${opts.map(([k, v], j) => `${j ? ',' : ':'} ${k}=${v}`).join('')})`;
  }
  return s + '\n';
}

function portStats(p: VportInfo): string {
  const s = p.stats;
  return [
    `    RX packets:${s.rxPackets} errors:${s.rxErrors} dropped:${s.rxDropped} overruns:0 frame:0`,
    `    TX packets:${s.txPackets} errors:${s.txErrors} dropped:${s.txDropped} aborted:0 carrier:0`,
    '    collisions:0',
    `    RX bytes:${s.rxBytes}${humanSize(s.rxBytes)}  TX bytes:${s.txBytes}${humanSize(s.txBytes)}`,
  ].join('\n') + '\n';
}

/** show_dpif for our one datapath. */
export function showDatapath(run: DpctlRun): void {
  const info = run.dpif.datapathGet();
  const st = info.stats;
  const packets = st.hit + st.missed;
  run.print(`${run.dpFullName}:\n`);
  run.print(`  lookups: hit:${st.hit} missed:${st.missed} lost:${st.lost}\n  flows: ${st.flows}\n`);
  run.print(`  masks: hit:${st.maskHit} total:${st.masksTotal} hit/pkt:${(packets ? st.maskHit / packets : 0).toFixed(2)}\n`);
  run.print(`  cache: hit:${st.cacheHit} hit-rate:${(packets ? (st.cacheHit / packets) * 100 : 0).toFixed(2)}%\n`);
  run.print(`  caches:\n    masks-cache: size:${info.masksCacheSize}\n`);
  for (const p of [...run.dpif.vportDump()].sort((a, b) => a.portNo - b.portNo)) {
    run.print(portLine(p));
    if (run.opts.statistics) run.print(portStats(p));
  }
}

export function show(argv: readonly string[], run: DpctlRun): boolean {
  if (argv.length <= 1) {
    showDatapath(run);
    return true;
  }
  let allOk = true;
  for (const name of argv.slice(1)) {
    if (run.isDpName(name)) showDatapath(run);
    else {
      run.error('ENODEV', `opening datapath ${name} failed`);
      allOk = false;
    }
  }
  return allOk;
}

export function dumpDps(_argv: readonly string[], run: DpctlRun): boolean {
  run.print(`${run.dpFullName}\n`);
  return true;
}

/** C atoi: leading blanks, optional sign, digits; anything else stops (0 when none). */
function atoi(s: string): number {
  const m = /^\s*([-+]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1] ?? '0', 10) : 0;
}

/** One `NAME[,k=v]…` argument of add-if, or undefined after printing why not. */
function parseIfaceArg(run: DpctlRun, arg: string): VportNewRequest | undefined {
  const [name, ...opts] = arg.split(',').filter((x) => x !== '');
  if (name === undefined) {
    run.error(undefined, `${arg} is not a valid network device name`);
    return undefined;
  }
  let type = 'system';
  let portNo: number | undefined;
  const options = new Map<string, string>();
  for (const o of opts) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    const value = eq < 0 ? '' : o.slice(eq + 1);
    if (key === 'type') type = value;
    else if (key === 'port_no') portNo = atoi(value);
    else if (options.has(key)) run.error(undefined, `duplicate "${key}" option`);
    else options.set(key, value);
  }
  if (!(VPORT_TYPES as readonly string[]).includes(type)) {
    run.error('EAFNOSUPPORT', `${name}: failed to open network device`);
    return undefined;
  }
  return { name, type: type as VportType, ...(portNo !== undefined ? { portNo } : {}), options };
}

export async function addIf(argv: readonly string[], run: DpctlRun): Promise<boolean> {
  const dp = argv[1] ?? '';
  if (!run.openDp(dp)) return false;
  let allOk = true;
  for (const arg of argv.slice(2)) {
    const req = parseIfaceArg(run, arg);
    if (!req) {
      allOk = false;
      continue;
    }
    const r = await run.dpif.vportNew(req);
    if (!r.ok) allOk = run.dpError(`adding ${req.name} to ${dp} failed`, r.error);
  }
  return allOk;
}

export function delIf(argv: readonly string[], run: DpctlRun): boolean {
  const dp = argv[1] ?? '';
  if (!run.openDp(dp)) return false;
  let allOk = true;
  for (const name of argv.slice(2)) {
    let port: number | string;
    if (/^\d*$/.test(name)) port = atoi(name);
    else if (run.dpif.vportGet(name).ok) port = name;
    else {
      run.error(undefined, `no port named ${name}`);
      allOk = false;
      continue;
    }
    const r = run.dpif.vportDel(port);
    if (!r.ok) allOk = run.dpError(`deleting port ${name} from ${dp} failed`, r.error);
  }
  return allOk;
}
