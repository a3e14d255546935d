/**
 * The flow commands of `dpctl/*` (lib/dpctl.c): dump-flows, add-flow,
 * mod-flow, del-flow, get-flow, del-flows and the flow files of
 * add-flows/mod-flows/del-flows, with OVS's argument shapes, output and
 * error lines, over the dpif FLOW family.
 *
 * Dump lines are the Linux datapath's through ovs-dpctl (no `flow-dump
 * from …` header): `[ufid:U, ]KEY, packets:N, bytes:N, used:never|S.SSSs[,
 * flags:F][, dp:ovs], actions:A`; ufid and `dp:ovs` only with `-m`, port
 * names with `--names` (default with `-m`); `used:` is measured on the
 * datapath clock.
 *
 * Deviations from OVS 3.1, on purpose: get-flow with a bad ufid, and a
 * flow file that is missing or has a bad line, answer with an error reply
 * (OVS prints the error but exits 0); a bad `pmd=` says so (OVS answers an
 * empty error). Flow files are read by the switch process, `-` included
 * (its standard input, usually empty).
 */
import { readFileSync } from 'node:fs';
import { flowFromOdpKey, formatOdpFlow, formatOdpStats, parseOfFlow, type OdpFlowStats } from '../flow/index.ts';
import type { DpFlow, DpFlowStats } from '../datapath/index.ts';
import type { DpctlRun } from './dpctl-context.ts';
import { parseFlowArgs, parseUfidArg, type FlowArgsError } from './flow-args.ts';

/** dpif_flow_stats_format's view of the datapath's stats at `nowMs`. */
export function odpStatsAt(s: DpFlowStats, nowMs: number): OdpFlowStats {
  return { packets: s.packets, bytes: s.bytes, used: s.usedMs === 0 ? 'never' : Math.max(0, nowMs - s.usedMs) / 1000, tcpFlags: s.tcpFlags };
}

/** format_dpif_flow: one dump line, without the newline. */
export function formatDpFlow(run: DpctlRun, f: DpFlow, portNames: ReadonlyMap<number, string> | undefined): string {
  const verbose = run.opts.verbosity > 0;
  return formatOdpFlow(
    { ...(verbose ? { ufid: f.ufid, dpLayer: 'ovs' } : {}), key: f.key, stats: odpStatsAt(f.stats, run.target.now()), actions: [...f.actions] },
    { verbose, ...(portNames ? { portNames } : {}) },
  );
}

type FlowFilter = (f: DpFlow) => boolean;

/** `filter=` as dpctl_dump_flows applies it: filter fields the flow matches must agree under the flow's mask. */
function parseFilter(run: DpctlRun, text: string): FlowFilter | undefined {
  const r = parseOfFlow(text);
  if (!r.ok) {
    run.error(undefined, `Failed to parse filter (${r.error.message}${r.error.token ? ` at '${r.error.token}'` : ''})`);
    return undefined;
  }
  const fk = r.flow.words;
  const fm = r.mask.words;
  return (f) => {
    const { key, mask } = flowFromOdpKey(f.key);
    for (let i = 0; i < fm.length; i++) {
      const m = fm[i] ?? 0;
      if (((key.words[i] ?? 0) & m) !== ((fk[i] ?? 0) & (mask.words[i] ?? 0) & m)) return false;
    }
    return true;
  };
}

const DUMP_TYPES = new Set(['ovs', 'tc', 'dpdk', 'offloaded', 'non-offloaded', 'partially-offloaded', 'all']);

/** `type=` list: our flows are all `dp:ovs`, never offloaded. Undefined after printing an error. */
function typesShowOurFlows(run: DpctlRun, list: string): boolean | undefined {
  let shown = false;
  for (const t of list.split(',').filter((x) => x !== '')) {
    if (!DUMP_TYPES.has(t)) {
      run.error('EINVAL', `Failed to parse type (${t})`);
      return undefined;
    }
    if (t === 'ovs' || t === 'non-offloaded' || t === 'all') shown = true;
  }
  return shown;
}

export function dumpFlows(argv: readonly string[], run: DpctlRun): boolean {
  const args = [...argv];
  let filter: string | undefined;
  let types: string | undefined;
  for (let last = -1; args.length > 1 && last !== args.length; ) {
    last = args.length;
    const a = args[args.length - 1] ?? '';
    if (a.startsWith('filter=') && filter === undefined) filter = args.pop()?.slice(7);
    else if (a.startsWith('type=') && types === undefined) types = args.pop()?.slice(5);
    else if (a.startsWith('pmd=')) {
      if (!/^pmd=[-+]?\d+/.test(a)) {
        run.error('EINVAL', `bad pmd id '${a.slice(4)}'`);
        return false;
      }
      args.pop();
    }
  }
  if (!run.openOptionalDp(args, 2)) return false;
  const names = run.opts.names ? run.portNames() : undefined;
  const keep = filter === undefined ? () => true : parseFilter(run, filter);
  if (!keep) return false;
  const shown = types === undefined ? true : typesShowOurFlows(run, types);
  if (shown === undefined) return false;
  if (!shown) return true;
  for (const f of run.dpif.flowDump()) if (keep(f)) run.print(formatDpFlow(run, f, names) + '\n');
  return true;
}

/** Prints the error of a FLOW or ACTIONS argument as dpctl words it for `what`; always false. */
function argsError(run: DpctlRun, e: FlowArgsError, what: 'put' | 'del'): false {
  switch (e.kind) {
    case 'ufid':
      run.error('EINVAL', 'parsing flow ufid', e.message);
      break;
    case 'actions-syntax':
      run.error('EINVAL', 'parsing actions', e.message);
      break;
    case 'key-syntax':
      if (what === 'put') run.error('EINVAL', `parsing flow key (${e.message})`);
      else run.error('EINVAL', e.message);
      break;
    case 'semantic':
      run.error(e.errno, what === 'put' ? 'updating flow table' : 'deleting flow', e.message);
      break;
  }
  return false;
}

interface PutMode {
  readonly create: boolean;
  readonly modify: boolean;
}

/** dpctl_put_flow_dpif: parse FLOW and ACTIONS, FLOW NEW/SET; `-s` prints the flow's stats before the change. */
function putFlowText(run: DpctlRun, keyText: string, actionsText: string, mode: PutMode): boolean {
  const p = parseFlowArgs(keyText, actionsText, run.portNames());
  if (!p.ok) return argsError(run, p.error, 'put');
  const { ufid, key, actions } = p.value;
  const before = run.opts.statistics ? run.dpif.flowGet(ufid ? { ufid } : { key }) : undefined;
  const r = run.dpif.flowPut({
    key,
    actions,
    ...(ufid ? { ufid } : {}),
    create: mode.create,
    modify: mode.modify,
    ...(run.opts.zeroStats ? { zeroStats: true } : {}),
  });
  if (!r.ok) return run.dpError('updating flow table', r.error);
  if (before) {
    const zero = { packets: 0, bytes: 0, usedMs: 0, tcpFlags: 0 };
    run.print(formatOdpStats(odpStatsAt(before.ok ? before.value.stats : zero, run.target.now())) + '\n');
  }
  return true;
}

/** dpctl_del_flow_dpif: by ufid when given, else by key (matched exactly, key and mask). */
function delFlowText(run: DpctlRun, keyText: string): boolean {
  const p = parseFlowArgs(keyText, 'drop', run.portNames());
  if (!p.ok) return argsError(run, p.error, 'del');
  const { ufid, key } = p.value;
  const r = run.dpif.flowDel(ufid ? { ufid } : { key });
  if (!r.ok) {
    run.dpError('deleting flow', r.error);
    if (r.error.errno === 'ENOENT' && !ufid) run.print('Perhaps you need to specify a UFID?\n');
    return false;
  }
  if (run.opts.statistics) run.print(formatOdpStats(odpStatsAt(r.value.stats, run.target.now())) + '\n');
  return true;
}

export function addFlow(argv: readonly string[], run: DpctlRun): boolean {
  if (!run.openOptionalDp(argv, 4)) return false;
  return putFlowText(run, argv[argv.length - 2] ?? '', argv[argv.length - 1] ?? '', { create: true, modify: false });
}

export function modFlow(argv: readonly string[], run: DpctlRun): boolean {
  if (!run.openOptionalDp(argv, 4)) return false;
  return putFlowText(run, argv[argv.length - 2] ?? '', argv[argv.length - 1] ?? '', { create: run.opts.mayCreate, modify: true });
}

export function delFlow(argv: readonly string[], run: DpctlRun): boolean {
  if (!run.openOptionalDp(argv, 3)) return false;
  return delFlowText(run, argv[argv.length - 1] ?? '');
}

export function getFlow(argv: readonly string[], run: DpctlRun): boolean {
  if (!run.openOptionalDp(argv, 3)) return false;
  const text = argv[argv.length - 1] ?? '';
  const ufid = parseUfidArg(text);
  if (ufid === undefined) {
    run.error(text.startsWith('ufid:') ? 'EINVAL' : undefined, 'parsing flow ufid');
    return false;
  }
  const r = run.dpif.flowGet({ ufid });
  if (!r.ok) return run.dpError('getting flow', r.error);
  run.print(formatDpFlow(run, r.value, run.opts.names ? run.portNames() : undefined) + '\n');
  return true;
}

export function delFlows(argv: readonly string[], run: DpctlRun): boolean {
  if ((argv.length === 2 && !run.isDpName(argv[1] ?? '')) || argv.length > 2) return processFlowFile(argv, run);
  if (!run.openOptionalDp(argv, 2)) return false;
  run.dpif.flowFlush();
  return true;
}

type FileCommand = 'add' | 'modify' | 'delete';

/** dpctl_process_flows: `[add|modify|delete] FLOW [ACTIONS]` per line, `#` comments, blank lines skipped. */
export function processFlowFile(argv: readonly string[], run: DpctlRun): boolean {
  const name = argv[0] ?? '';
  const defaultCommand: FileCommand = name.includes('mod-flows') ? 'modify' : name.includes('del-flows') ? 'delete' : 'add';
  if (!run.openOptionalDp(argv, 4)) return false;
  const file = argv[argv.length - 1] ?? '';
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    run.error(code === 'ENOENT' || code === 'EISDIR' ? 'ENOENT' : 'EIO', `Opening file "${file}" failed`);
    return false;
  }
  let allOk = true;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    if (!runFileLine(run, line, i + 1, defaultCommand)) allOk = false;
  });
  return allOk;
}

function runFileLine(run: DpctlRun, line: string, lineNumber: number, defaultCommand: FileCommand): boolean {
  let command = defaultCommand;
  let rest = line;
  const word = /^[^, \t\r\n]*/.exec(line)?.[0] ?? '';
  for (const c of ['add', 'delete', 'modify'] as const) {
    if (word !== '' && c.startsWith(word)) {
      command = c;
      rest = line.slice(word.length).trimStart();
      break;
    }
  }
  const flow = /^\S*/.exec(rest)?.[0] ?? '';
  const actions = rest.slice(flow.length).trim();
  if (flow === '' || (command !== 'delete' && actions === '') || (command === 'delete' && actions !== '')) {
    run.error(undefined, `Failed parsing line number ${lineNumber}, skipped!`);
    return false;
  }
  if (command === 'delete') return delFlowText(run, flow);
  return putFlowText(run, flow, actions, command === 'add' ? { create: true, modify: false } : { create: false, modify: true });
}
