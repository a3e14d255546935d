/**
 * One datapath flow as `ovs-appctl dpctl/dump-flows` prints it (lib/dpctl.c
 * format_dpif_flow, lib/dpif.c dpif_flow_stats_format):
 *
 *   [ufid:<uuid>, ]<key>, packets:N, bytes:N, used:never|X.XXXs[, flags:SFPRU.ECN]
 *   [, offloaded:…][, dp:…], actions:<actions>[, dp-extra-info:…]
 *
 * plus the bare `<key>[, actions:<actions>]` form of logs and add-flow.
 *
 * Invariants: `parseOdpFlow` never throws, whatever the input, and reports
 * errors with 1-based line/column and the offending token; `formatOdpFlow`
 * prints attributes in the order held by the flow (see
 * odp-flow-canonical.ts for the canonical kernel form).
 *
 * Left out on purpose: `used:` is kept as the number of seconds printed, not
 * a timestamp (the dump is relative to the time of dumping).
 */
import type { OdpAction } from './odp-actions.ts';
import { formatOdpActions } from './odp-actions.ts';
import { parseOdpActionList } from './odp-actions-parse.ts';
import type { OdpKey, OdpAttr } from './odp-key.ts';
import { formatOdpKey } from './odp-key-format.ts';
import type { OdpPortNames } from './odp-key-format.ts';
import { parseOdpAttr } from './odp-key-parse.ts';
import type { OdpKeyParseContext } from './odp-key-parse.ts';
import { OdpScanner } from './odp-text-scanner.ts';
import type { OdpParseError } from './odp-text-scanner.ts';

export interface OdpFlowStats {
  readonly packets: number;
  readonly bytes: number;
  /** Seconds since last use as printed, or 'never'. */
  readonly used: number | 'never';
  /** TCP flags seen (12 bits), 0 when not printed. */
  readonly tcpFlags: number;
}

export interface OdpFlow {
  readonly ufid?: string;
  readonly key: OdpKey;
  readonly stats?: OdpFlowStats;
  readonly offloaded?: string;
  readonly dpLayer?: string;
  readonly dpExtraInfo?: string;
  readonly actions: OdpAction[];
}

export type OdpFlowParseResult = { readonly ok: true; readonly flow: OdpFlow } | { readonly ok: false; readonly error: OdpParseError };

export interface OdpParseOptions {
  /** Datapath port number → name; names are then accepted in in_port(…) and output actions. */
  readonly portNames?: OdpPortNames;
  /** Line number reported in errors (default 1). */
  readonly line?: number;
}

export interface OdpFormatOptions {
  readonly verbose?: boolean;
  readonly portNames?: OdpPortNames;
}

/** TCP flag letters of the `flags:` stat, in printing order (packet_format_tcp_flags). */
const STAT_FLAG_LETTERS = [
  [0x002, 'S'], [0x001, 'F'], [0x008, 'P'], [0x004, 'R'], [0x020, 'U'], [0x010, '.'], [0x040, 'E'], [0x080, 'C'],
  [0x100, 'N'], [0x200, '[200]'], [0x400, '[400]'], [0x800, '[800]'],
] as const;

export function parseContext(portNames: OdpPortNames | undefined): OdpKeyParseContext {
  if (!portNames) return { depth: 0 };
  const portNumbers = new Map<string, number>();
  for (const [n, name] of portNames) portNumbers.set(name, n);
  return { depth: 0, portNumbers };
}

/** Parses one dump line (or a bare key with optional `actions:`). Never throws. */
export function parseOdpFlow(text: string, opts: OdpParseOptions = {}): OdpFlowParseResult {
  const sc = new OdpScanner(text, opts.line ?? 1);
  try {
    const flow = parseFlowLine(sc, parseContext(opts.portNames));
    if (flow) return { ok: true, flow };
  } catch (e) {
    sc.fail(`internal parser error: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { ok: false, error: sc.error ?? { line: sc.line, column: sc.pos + 1, token: sc.tokenAt(sc.pos), message: 'syntax error' } };
}

function parseFlowLine(sc: OdpScanner, ctx: OdpKeyParseContext): OdpFlow | undefined {
  sc.skipDelimiters();
  let ufid: string | undefined;
  if (sc.eat('ufid:')) {
    const m = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/.exec(sc.text.slice(sc.pos, sc.pos + 36));
    if (!m) return sc.fail('bad ufid');
    ufid = m[0].toLowerCase();
    sc.pos += 36;
  }
  const attrs: OdpAttr[] = [];
  let stats: OdpFlowStats | undefined;
  const extras: { offloaded?: string; dpLayer?: string } = {};
  for (;;) {
    sc.skipDelimiters();
    if (sc.done) return { ...(ufid ? { ufid } : {}), key: { attrs }, actions: [] };
    if (sc.startsWith('packets:')) {
      stats = parseStats(sc, extras);
      if (!stats) return undefined;
      sc.skipDelimiters();
    }
    if (sc.eat('actions:')) break;
    if (stats) return sc.fail("expected 'actions:'");
    const a = parseOdpAttr(sc, ctx);
    if (!a) return undefined;
    attrs.push(a);
  }
  const actions = parseOdpActionList(sc, ctx);
  if (!actions) return undefined;
  sc.skipDelimiters();
  let dpExtraInfo: string | undefined;
  if (sc.eat('dp-extra-info:')) dpExtraInfo = sc.text.slice(sc.pos).trim();
  else if (!sc.done) return sc.fail('unexpected text after actions');
  return {
    ...(ufid ? { ufid } : {}),
    key: { attrs },
    ...(stats ? { stats } : {}),
    ...(extras.offloaded !== undefined ? { offloaded: extras.offloaded } : {}),
    ...(extras.dpLayer !== undefined ? { dpLayer: extras.dpLayer } : {}),
    ...(dpExtraInfo !== undefined ? { dpExtraInfo } : {}),
    actions,
  };
}

function parseStats(sc: OdpScanner, extras: { offloaded?: string; dpLayer?: string }): OdpFlowStats | undefined {
  sc.eat('packets:');
  const packets = sc.dec(Number.MAX_SAFE_INTEGER);
  if (packets === undefined) return sc.fail('bad packets count');
  if (!sc.eat(', bytes:')) return sc.fail("expected ', bytes:'");
  const bytes = sc.dec(Number.MAX_SAFE_INTEGER);
  if (bytes === undefined) return sc.fail('bad bytes count');
  if (!sc.eat(', used:')) return sc.fail("expected ', used:'");
  let used: number | 'never';
  if (sc.eat('never')) used = 'never';
  else {
    const m = /^(-?[0-9]+(?:\.[0-9]+)?)s/.exec(sc.text.slice(sc.pos, sc.pos + 30));
    if (!m) return sc.fail('bad used time');
    used = Number(m[1]);
    sc.pos += m[0].length;
  }
  let tcpFlags = 0;
  if (sc.eat(', flags:')) {
    const f = parseStatFlags(sc);
    if (f === undefined) return sc.fail('bad flags');
    tcpFlags = f;
  }
  for (;;) {
    const m = /^, (offloaded|dp):([^,\s]*)/.exec(sc.text.slice(sc.pos, sc.pos + 64));
    if (!m) break;
    if (m[1] === 'dp') extras.dpLayer = m[2] ?? '';
    else extras.offloaded = m[2] ?? '';
    sc.pos += m[0].length;
  }
  return { packets, bytes, used, tcpFlags };
}

function parseStatFlags(sc: OdpScanner): number | undefined {
  if (sc.eat('none')) return 0;
  let flags = 0;
  let any = false;
  for (const [bit, letter] of STAT_FLAG_LETTERS) {
    if (sc.eat(letter)) {
      flags |= bit;
      any = true;
    }
  }
  return any ? flags : undefined;
}

/** `packets:N, bytes:N, used:…[, flags:…]` exactly as dpif_flow_stats_format. */
export function formatOdpStats(s: OdpFlowStats): string {
  let out = `packets:${s.packets}, bytes:${s.bytes}, used:${s.used === 'never' ? 'never' : s.used.toFixed(3) + 's'}`;
  if (s.tcpFlags) {
    out += ', flags:';
    for (const [bit, letter] of STAT_FLAG_LETTERS) if (s.tcpFlags & bit) out += letter;
  }
  return out;
}

/**
 * Formats a flow as a dump line. The ufid is printed when present; offloaded,
 * dp and dp-extra-info only when verbose (as dpctl does).
 */
export function formatOdpFlow(flow: OdpFlow, opts: OdpFormatOptions = {}): string {
  const verbose = opts.verbose ?? false;
  const keyOpts = { verbose, ...(opts.portNames ? { portNames: opts.portNames } : {}) };
  let s = flow.ufid ? `ufid:${flow.ufid}, ` : '';
  s += formatOdpKey(flow.key, keyOpts);
  if (flow.stats) s += ', ' + formatOdpStats(flow.stats);
  if (verbose && flow.offloaded !== undefined) s += `, offloaded:${flow.offloaded}`;
  if (verbose && flow.dpLayer !== undefined) s += `, dp:${flow.dpLayer}`;
  s += ', actions:' + formatOdpActions(flow.actions, opts.portNames);
  if (verbose && flow.dpExtraInfo !== undefined) s += `, dp-extra-info:${flow.dpExtraInfo}`;
  return s;
}

export type OdpFlowsParseResult = { readonly ok: true; readonly flows: OdpFlow[] } | { readonly ok: false; readonly error: OdpParseError };

/**
 * Parses a whole dump: one flow per non-empty line; `flow-dump from …`
 * header lines (userspace datapath) are skipped. Stops at the first error.
 */
export function parseOdpFlows(text: string, opts: Omit<OdpParseOptions, 'line'> = {}): OdpFlowsParseResult {
  const flows: OdpFlow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.trim() || line.startsWith('flow-dump from')) continue;
    const r = parseOdpFlow(line, { ...opts, line: i + 1 });
    if (!r.ok) return r;
    flows.push(r.flow);
  }
  return { ok: true, flows };
}
