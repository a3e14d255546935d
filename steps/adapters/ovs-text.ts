/**
 * Readers for the text Open vSwitch 3.1's tools print, used by the `ovs`
 * adapter: `ovs-ofctl dump-flows`, `ovs-appctl dpctl/show` and
 * `ovs-appctl ofproto/trace`, plus a rewrite of datapath port numbers to
 * names in a datapath action list.
 *
 * Invariant: pure functions that never throw; output they cannot read gives
 * `{ ok: false, error }` naming the line, so the adapter can report a
 * HarnessError with the text that surprised it.
 *
 * Choices (the FlowStat contract in ./adapter.ts):
 *  - A rule's identity is what OpenFlow matches on: table, priority and
 *    match. The cookie (any value), timeouts, importance and the flow-mod
 *    flags (`send_flow_rem reset_counts ...`, printed by OF1.3+ dumps) are
 *    properties, not identity: they are kept on `OvsFlowEntry` but left out of
 *    `rule`, so a rule compares equal however it was installed.
 *  - Durations and ages (`duration=`, `idle_age=`, `hard_age=`) are dropped.
 *  - Port renaming touches only datapath port numbers: bare outputs in an
 *    action list (top level, `clone(...)`, `sample(...,actions(...))`,
 *    `check_pkt_len(...,gt(...),le(...))`), `tnl_pop(N)`, and the
 *    `tunnel_out_port=`/`output_port=` of `userspace(...)` — the places the
 *    reference's ODP formatter prints names. Everything else (`push_vlan(vid=3)`,
 *    `recirc(0x1)`, `set(...)`) is left byte for byte as OVS printed it; the
 *    text is not round-tripped through the reference's parser, so a bug there
 *    cannot hide in the oracle.
 * Left out on purpose: table names (`table=NAME`, only printed with
 * `--names` and table names configured), `tnl_push(...)` ports.
 */
import type { FlowStat } from './adapter.ts';

export type OvsTextResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** One `dump-flows` line: the contract's FlowStat plus the properties left out of `rule`. */
export interface OvsFlowEntry extends FlowStat {
  /** As printed, e.g. `0x0` or `0x1234`. */
  readonly cookie: string;
  /** From `priority=` in the match, 32768 (OFP_DEFAULT_PRIORITY) when OVS omitted it. */
  readonly priority: number;
  readonly idleTimeoutS?: number;
  readonly hardTimeoutS?: number;
  readonly importance?: number;
  /** Flow-mod flags in printing order, e.g. ['send_flow_rem', 'reset_counts'] (OF1.3+ dumps only). */
  readonly flags: readonly string[];
}

const DEFAULT_PRIORITY = 32768;
const STAT_KEYS = new Set(['cookie', 'duration', 'table', 'n_packets', 'n_bytes', 'idle_timeout', 'hard_timeout', 'importance', 'idle_age', 'hard_age']);
const FLAG_WORDS = new Set(['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts']);
const REPLY_HEADER = /^(?:NXST|OFPST)_FLOW reply\b/;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/**
 * Reads `ovs-ofctl [-O OpenFlowXY] dump-flows BR` output (with stats): one
 * entry per rule, in the order printed. Reply header lines (repeated once per
 * multipart reply) and blank lines are skipped.
 */
export function parseOfctlDumpFlows(text: string): OvsTextResult<OvsFlowEntry[]> {
  const out: OvsFlowEntry[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || REPLY_HEADER.test(line)) continue;
    const entry = parseFlowLine(line);
    if (!entry.ok) return fail(`dump-flows line ${i + 1}: ${entry.error}: ${JSON.stringify(line)}`);
    out.push(entry.value);
  }
  return { ok: true, value: out };
}

function parseFlowLine(line: string): OvsTextResult<OvsFlowEntry> {
  const at = /(?:^| )actions=/.exec(line);
  if (at === null) return fail('no actions=');
  const actions = line.slice(at.index + at[0].length);
  const tokens = line.slice(0, at.index).trim().split(/\s+/).filter((s) => s !== '');
  const stats = new Map<string, string>();
  const flags: string[] = [];
  let rule = '';
  for (const [i, tok] of tokens.entries()) {
    const kv = /^([a-z_]+)=(.*),$/.exec(tok);
    if (kv?.[1] !== undefined && kv[2] !== undefined && STAT_KEYS.has(kv[1])) stats.set(kv[1], kv[2]);
    else if (FLAG_WORDS.has(tok)) flags.push(tok);
    else if (i === tokens.length - 1) rule = tok;
    else return fail(`unexpected ${JSON.stringify(tok)} before the match`);
  }
  const num = (key: string): number | undefined => {
    const v = stats.get(key);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const nPackets = num('n_packets');
  const nBytes = num('n_bytes');
  if (nPackets === undefined || nBytes === undefined) return fail('no n_packets=/n_bytes= (dump without stats?)');
  const table = stats.has('table') ? num('table') : 0;
  if (table === undefined) return fail(`table ${JSON.stringify(stats.get('table'))} is not a number`);
  const prio = /(?:^|,)priority=(\d+)(?:,|$)/.exec(rule)?.[1];
  const idle = num('idle_timeout');
  const hard = num('hard_timeout');
  const importance = num('importance');
  return {
    ok: true,
    value: {
      table,
      rule,
      actions,
      nPackets,
      nBytes,
      cookie: stats.get('cookie') ?? '0x0',
      priority: prio === undefined ? DEFAULT_PRIORITY : Number(prio),
      ...(idle === undefined ? {} : { idleTimeoutS: idle }),
      ...(hard === undefined ? {} : { hardTimeoutS: hard }),
      ...(importance === undefined ? {} : { importance }),
      flags,
    },
  };
}

/** Just the contract's fields of an entry (for deep equality with other switches). */
export function toFlowStat(e: FlowStat): FlowStat {
  return { table: e.table, rule: e.rule, actions: e.actions, nPackets: e.nPackets, nBytes: e.nBytes };
}

/** Order for dumps: table ascending, priority descending, then rule and actions text. */
export function compareFlowEntries(a: OvsFlowEntry, b: OvsFlowEntry): number {
  return a.table - b.table || b.priority - a.priority || cmp(a.rule, b.rule) || cmp(a.actions, b.actions);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Reads `ovs-appctl dpctl/show` (one datapath): datapath port number → name,
 * e.g. `port 0: ovs-netdev (tap)`, `port 3: p1`. More than one datapath, or a
 * number listed twice, is an error.
 */
export function parseDpctlShow(text: string): OvsTextResult<Map<number, string>> {
  const ports = new Map<number, string>();
  let datapaths = 0;
  for (const line of text.split('\n')) {
    if (/^\S.*:\s*$/.test(line)) {
      datapaths++;
      continue;
    }
    const m = /^\s+port (\d+): (\S+)(?: \(.*\))?\s*$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const n = Number(m[1]);
    if (ports.has(n)) return fail(`dpctl/show lists port ${n} twice (${ports.get(n)}, ${m[2]})`);
    ports.set(n, m[2]);
  }
  if (datapaths !== 1) return fail(`dpctl/show lists ${datapaths} datapaths, expected exactly one`);
  return { ok: true, value: ports };
}

/** One datapath pass of a trace: the packet's first pass, then one per recirculation. */
export interface TracePass {
  readonly megaflow: string;
  /** As printed, with datapath port numbers. */
  readonly datapathActions: string;
}

/**
 * Reads the `Megaflow:` / `Datapath actions:` line pairs of
 * `ovs-appctl ofproto/trace` output, in order. A trace through `ct(table=N)`
 * or another recirculation has one pair per pass; the first pair is the
 * packet's own (recirc_id=0). No pair at all is an error.
 */
export function parseTrace(text: string): OvsTextResult<TracePass[]> {
  const passes: TracePass[] = [];
  let megaflow: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('Megaflow: ')) {
      if (megaflow !== undefined) return fail(`trace has two Megaflow: lines without Datapath actions: between them`);
      megaflow = line.slice('Megaflow: '.length).trim();
    } else if (line.startsWith('Datapath actions: ')) {
      if (megaflow === undefined) return fail('trace has Datapath actions: without a Megaflow: line before it');
      passes.push({ megaflow, datapathActions: line.slice('Datapath actions: '.length).trim() });
      megaflow = undefined;
    }
  }
  if (passes.length === 0) return fail('trace has no Megaflow:/Datapath actions: lines');
  if (megaflow !== undefined) return fail('trace ends with a Megaflow: line without Datapath actions:');
  return { ok: true, value: passes };
}

/**
 * Rewrites datapath port numbers in an ODP action list (dump-flows `actions:`
 * or a trace's `Datapath actions:`) to names from `names`; numbers not in the
 * map stay as they are. Text it cannot split (unbalanced parentheses) is
 * returned unchanged.
 */
export function renameDatapathPorts(actions: string, names: ReadonlyMap<number, string>): string {
  const port = (n: string): string => names.get(Number(n)) ?? n;
  const renameList = (list: string): string => splitTopLevel(list)?.map(renameAction).join(',') ?? list;
  const renameArgs = (args: string, rename: (arg: string) => string): string =>
    splitTopLevel(args)?.map(rename).join(',') ?? args;
  function renameAction(action: string): string {
    if (/^\d+$/.test(action)) return port(action);
    const call = /^([a-z_]+)\((.*)\)$/s.exec(action);
    if (call?.[1] === undefined || call[2] === undefined) return action;
    const [, name, args] = call;
    switch (name) {
      case 'clone':
        return `clone(${renameList(args)})`;
      case 'sample':
        return `sample(${renameArgs(args, (a) => renameNested(a, ['actions']))})`;
      case 'check_pkt_len':
        return `check_pkt_len(${renameArgs(args, (a) => renameNested(a, ['gt', 'le']))})`;
      case 'tnl_pop':
        return /^\d+$/.test(args) ? `tnl_pop(${port(args)})` : action;
      case 'userspace':
        return `userspace(${renameArgs(args, renameUserspaceArg)})`;
      default:
        return action;
    }
  }
  function renameNested(arg: string, lists: readonly string[]): string {
    const m = /^([a-z_]+)\((.*)\)$/s.exec(arg);
    return m?.[1] !== undefined && m[2] !== undefined && lists.includes(m[1]) ? `${m[1]}(${renameList(m[2])})` : arg;
  }
  function renameUserspaceArg(arg: string): string {
    const direct = /^tunnel_out_port=(\d+)$/.exec(arg);
    if (direct?.[1] !== undefined) return `tunnel_out_port=${port(direct[1])}`;
    const cookie = /^(flow_sample|ipfix)\((.*)\)$/s.exec(arg);
    if (cookie?.[1] === undefined || cookie[2] === undefined) return arg;
    const inner = renameArgs(cookie[2], (a) => a.replace(/^output_port=(\d+)$/, (_, n: string) => `output_port=${port(n)}`));
    return `${cookie[1]}(${inner})`;
  }
  return renameList(actions);
}

/** Splits at commas outside parentheses; undefined when parentheses do not balance. */
function splitTopLevel(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return undefined;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start));
  return parts;
}
