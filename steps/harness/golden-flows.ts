/**
 * Semantic comparison of datapath flow dumps (`ovs-appctl dpctl/dump-flows`)
 * against a golden text, and the normalised form golden `.flows` files hold.
 *
 * Both sides are parsed (kernel or userspace style, `flow-dump from …`
 * headers skipped), put in canonical kernel form (canonicalizeOdpFlow: masked
 * values, kernel attribute order, implied packet_type dropped), printed with
 * datapath port numbers as port names, and compared as sets of flows keyed by
 * the printed (masked key, mask). The value of a key is its actions, where a
 * run of consecutive `output` actions (a flood) is an unordered set, printed
 * sorted. `ufid:`, `used:`, `flags:`, `dp:` and `dp-extra-info:` never
 * matter; `packets:`/`bytes:` matter only when asked (Open vSwitch does not
 * count the packet that caused the upcall, so counts are fragile by default).
 *
 * Invariant: comparing never throws on either text; a parse error comes back
 * as a result naming the side, the source (golden path) and line/column/token.
 * A key seen several times in one dump (one copy per PMD thread) counts once;
 * identical copies have their stats summed.
 *
 * Left out on purpose: matching flows whose masks differ but that cover the
 * same packets (a different mask is a different megaflow, which is a real
 * difference for this project), and `used:` ages.
 * Format followed: lib/dpctl.c format_dpif_flow, lib/odp-util.c (OVS 3.1).
 */
import { canonicalizeOdpFlow, formatOdpAction, formatOdpKey, parseOdpFlows } from '../../reference/flow/index.ts';
import type { OdpAction, OdpFlow, OdpParseError } from '../../reference/flow/index.ts';

/** Which flow statistics take part in the comparison (default 'none'). */
export type FlowStatsPolicy = 'none' | 'packets' | 'packets-bytes';

export interface FlowCompareOptions {
  /** Datapath port number → port name, applied to in_port(…) and to actions; names are accepted on input. */
  readonly portNames?: ReadonlyMap<number, string>;
  readonly stats?: FlowStatsPolicy;
  /** Shown in errors and in the diff header, e.g. the golden file's path. */
  readonly expectedSource?: string;
  readonly actualSource?: string;
}

export interface ChangedFlow {
  /** The normalised key (with mask). */
  readonly key: string;
  /** Normalised actions (plus stats when compared) on each side. */
  readonly expected: string;
  readonly actual: string;
}

export interface FlowComparison {
  readonly ok: true;
  readonly equal: boolean;
  /** Normalised golden lines with no flow of that key in the actual dump. */
  readonly missing: string[];
  /** Normalised actual lines with no flow of that key in the golden. */
  readonly unexpected: string[];
  readonly changed: ChangedFlow[];
  /** Unified-style diff (`-` golden only, `+` actual only, ` ` same), empty when equal. */
  readonly diffText: string;
}

export interface FlowTextError {
  readonly ok: false;
  readonly side: 'expected' | 'actual';
  readonly source: string;
  readonly error: OdpParseError;
  /** `<source>:<line>:<column>: <message> at "<token>"` */
  readonly message: string;
}

export type FlowCompareResult = FlowComparison | FlowTextError;

/** One normalised flow: its key text and value text (actions, stats when compared). */
interface NormalFlow {
  readonly key: string;
  readonly actions: string;
  packets: number;
  bytes: number;
  readonly hasStats: boolean;
}

export type NormalizedFlows = { readonly ok: true; readonly lines: string[] } | FlowTextError;

/**
 * The normalised golden form of a dump: one `<key>, actions:<actions>` line
 * per distinct flow (with `packets:N, bytes:N, used:never` before `actions:`
 * when `stats` is not 'none'), sorted; a key dumped with different actions
 * (by different PMD threads) gives one line per variant. Never throws.
 */
export function normalizeFlowDump(text: string, opts: FlowCompareOptions = {}): NormalizedFlows {
  const r = readFlows(text, 'actual', opts);
  if (!r.ok) return r;
  const stats = opts.stats ?? 'none';
  const lines = [...r.flows.values()].flatMap((f) => f.actions.split(' | ').map((actions) => lineOf({ ...f, actions }, stats)));
  return { ok: true, lines: lines.sort() };
}

/**
 * Compares an actual dump with an expected (golden) text. Never throws; a
 * parse error on either side is returned as a FlowTextError.
 */
export function compareFlowDumps(expectedText: string, actualText: string, opts: FlowCompareOptions = {}): FlowCompareResult {
  const exp = readFlows(expectedText, 'expected', opts);
  if (!exp.ok) return exp;
  const act = readFlows(actualText, 'actual', opts);
  if (!act.ok) return act;
  const stats = opts.stats ?? 'none';
  const missing: string[] = [];
  const unexpected: string[] = [];
  const changed: ChangedFlow[] = [];
  const keys = [...new Set([...exp.flows.keys(), ...act.flows.keys()])].sort();
  const diff: string[] = [];
  for (const key of keys) {
    const e = exp.flows.get(key);
    const a = act.flows.get(key);
    if (e && !a) {
      missing.push(lineOf(e, stats));
      diff.push('- ' + lineOf(e, stats));
    } else if (a && !e) {
      unexpected.push(lineOf(a, stats));
      diff.push('+ ' + lineOf(a, stats));
    } else if (e && a) {
      const ev = valueOf(e, stats);
      const av = valueOf(a, stats);
      if (ev === av) diff.push('  ' + lineOf(e, stats));
      else {
        changed.push({ key, expected: ev, actual: av });
        diff.push('- ' + lineOf(e, stats), '+ ' + lineOf(a, stats));
      }
    }
  }
  const equal = missing.length === 0 && unexpected.length === 0 && changed.length === 0;
  const header = [
    `--- expected ${opts.expectedSource ?? '(golden)'}`,
    `+++ actual ${opts.actualSource ?? '(dpctl/dump-flows)'}`,
    `@@ ${missing.length} missing, ${unexpected.length} unexpected, ${changed.length} with other actions @@`,
  ];
  return { ok: true, equal, missing, unexpected, changed, diffText: equal ? '' : [...header, ...diff].join('\n') + '\n' };
}

function readFlows(
  text: string,
  side: 'expected' | 'actual',
  opts: FlowCompareOptions,
): { ok: true; flows: Map<string, NormalFlow> } | FlowTextError {
  const source = (side === 'expected' ? opts.expectedSource : opts.actualSource) ?? side;
  const parsed = parseOdpFlows(stripComments(text), opts.portNames ? { portNames: opts.portNames } : {});
  if (!parsed.ok) {
    const e = parsed.error;
    return { ok: false, side, source, error: e, message: `${source}:${e.line}:${e.column}: ${e.message} at ${JSON.stringify(e.token)}` };
  }
  const flows = new Map<string, NormalFlow>();
  for (const flow of parsed.flows) {
    const n = normalFlow(flow, opts.portNames);
    const seen = flows.get(n.key);
    if (!seen) flows.set(n.key, n);
    else if (seen.actions === n.actions) {
      seen.packets += n.packets;
      seen.bytes += n.bytes;
    } else {
      const actions = [...new Set([...seen.actions.split(' | '), n.actions])].sort().join(' | ');
      flows.set(n.key, { ...seen, actions, packets: seen.packets + n.packets, bytes: seen.bytes + n.bytes });
    }
  }
  return { ok: true, flows };
}

/** Golden files may carry `#` comment lines; blank them so line numbers stay true. */
function stripComments(text: string): string {
  return text.split('\n').map((l) => (l.trimStart().startsWith('#') ? '' : l)).join('\n');
}

function normalFlow(flow: OdpFlow, portNames: ReadonlyMap<number, string> | undefined): NormalFlow {
  const c = canonicalizeOdpFlow(flow, { dropUfid: true });
  const key = formatOdpKey(c.key, portNames ? { portNames } : {});
  const actions = formatActionList(c.actions, portNames);
  return { key, actions, packets: flow.stats?.packets ?? 0, bytes: flow.stats?.bytes ?? 0, hasStats: flow.stats !== undefined };
}

/**
 * Formats actions with every run of consecutive outputs sorted by printed
 * port, recursing into nested action lists (clone, sample, check_pkt_len).
 */
export function formatActionList(actions: readonly OdpAction[], portNames?: ReadonlyMap<number, string>): string {
  if (actions.length === 0) return 'drop';
  const parts: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    parts.push(...run.sort(comparePorts));
    run = [];
  };
  for (const a of actions) {
    if (a.type === 'output') {
      run.push(formatOdpAction(a, portNames));
      continue;
    }
    flush();
    parts.push(formatNested(a, portNames));
  }
  flush();
  return parts.join(',');
}

function formatNested(a: OdpAction, names: ReadonlyMap<number, string> | undefined): string {
  switch (a.type) {
    case 'clone': return `clone(${formatActionList(a.actions, names)})`;
    case 'sample': {
      const pct = ((100 * a.probability) / 0xffffffff).toFixed(1);
      return `sample(sample=${pct}%,actions(${formatActionList(a.actions, names)}))`;
    }
    case 'check_pkt_len':
      return `check_pkt_len(size=${a.size},gt(${formatActionList(a.gt, names)}),le(${formatActionList(a.le, names)}))`;
    default: return formatOdpAction(a, names);
  }
}

/** Numbers numerically, names as text, numbers first: a stable order for flood sets. */
function comparePorts(x: string, y: string): number {
  const nx = /^[0-9]+$/.test(x);
  const ny = /^[0-9]+$/.test(y);
  if (nx && ny) return Number(x) - Number(y);
  if (nx !== ny) return nx ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function statsText(f: NormalFlow, stats: FlowStatsPolicy): string {
  if (stats === 'none') return '';
  if (!f.hasStats) return 'packets:?, ';
  return stats === 'packets' ? `packets:${f.packets}, ` : `packets:${f.packets}, bytes:${f.bytes}, `;
}

function valueOf(f: NormalFlow, stats: FlowStatsPolicy): string {
  return statsText(f, stats) + 'actions:' + f.actions;
}

function lineOf(f: NormalFlow, stats: FlowStatsPolicy): string {
  if (stats === 'none' || !f.hasStats) return `${f.key}, actions:${f.actions}`;
  return `${f.key}, packets:${f.packets}, bytes:${f.bytes}, used:never, actions:${f.actions}`;
}
