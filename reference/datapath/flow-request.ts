/**
 * `dpctl/add-flow` (and mod-flow) requests as text: the arguments
 * `[dp] "<key>" "<actions>"` (lib/dpctl.c dpctl_put_flow takes the key and
 * the actions as two separate arguments, the datapath name optionally
 * before them), parsed and checked the whole way to the datapath:
 *
 *   1. shell-like argument splitting (flow-request-text.ts);
 *   2. the key (an optional `ufid:<uuid>` prefix, port names allowed in
 *      in_port) and the actions (numbers only, as dpctl passes no port
 *      names to odp_actions_from_string), with the ODP parsers;
 *   3. what dpif-netlink does before sending: packet_type is dropped from
 *      the key (put_exclude_packet_type), its ethertype moved to eth_type
 *      when there is no eth();
 *   4. the kernel's checks: flowMatchFromOdp, then validateActions.
 *
 * Invariant: never throws; every error carries a 1-based line and column
 * of the text, pointing at the offending token, attribute or action (its
 * first character), the errno the datapath would answer, and a message.
 *
 * Left out: `ufid:` with fewer than 128 bits, the add-flows file format
 * (one request per line; call this once per line).
 */
import type { DpErrno } from './dpif-types.ts';
import type { OdpAction, OdpAttr, OdpKey, OdpParseError, OdpPortNames } from '../flow/index.ts';
import { parseOdpFlow, readUint } from '../flow/index.ts';
import { flowMatchFromOdp } from './flow-match.ts';
import type { FlowMatch } from './flow-match.ts';
import { validateActions } from './validate-actions.ts';
import type { Arg } from './flow-request-text.ts';
import { argOffset, lineColumn, locateAction, locateAttr, splitArgs, tokenAt } from './flow-request-text.ts';

export interface FlowRequest {
  /** The datapath name, when three arguments were given. */
  readonly dp?: string;
  /** From a `ufid:` prefix of the key, lowercase. */
  readonly ufid?: string;
  /** The key as the datapath receives it (packet_type already removed). */
  readonly key: OdpKey;
  readonly actions: OdpAction[];
  /** The datapath's match for `key` (already validated). */
  readonly match: FlowMatch;
}

export interface FlowRequestError extends OdpParseError {
  readonly errno: DpErrno;
  /** Where the error was found. */
  readonly stage: 'arguments' | 'key' | 'actions';
}

export type FlowRequestResult = { readonly ok: true; readonly request: FlowRequest } | { readonly ok: false; readonly error: FlowRequestError };

export interface FlowRequestOptions {
  /** Datapath port number → name: names are then accepted in in_port(…). */
  readonly portNames?: OdpPortNames;
}

const DP_NAME = /^[A-Za-z0-9_.@:-]+$/;
const ACTIONS_PREFIX = 'actions:';

/** Parses and validates a `[dp] <key> <actions>` request (see the file comment). Never throws. */
export function parseFlowRequest(text: string, opts: FlowRequestOptions = {}): FlowRequestResult {
  try {
    return parseRequest(String(text), opts);
  } catch (e) {
    return { ok: false, error: { line: 1, column: 1, token: '', message: `internal error: ${e instanceof Error ? e.message : String(e)}`, errno: 'EINVAL', stage: 'arguments' } };
  }
}

function parseRequest(text: string, opts: FlowRequestOptions): FlowRequestResult {
  const fail = (offset: number, message: string, stage: FlowRequestError['stage'], errno: DpErrno = 'EINVAL', token?: string): FlowRequestResult => {
    const { line, column } = lineColumn(text, offset);
    return { ok: false, error: { line, column, token: token ?? tokenAt(text, offset), message, errno, stage } };
  };
  const split = splitArgs(text);
  if (!split.ok) return fail(split.offset, split.message, 'arguments');
  const args = split.args;
  if (args.length < 2) return fail(args.length ? text.length : 0, args.length ? 'missing the actions argument' : 'missing the flow key and actions arguments', 'arguments');
  if (args.length > 3) return fail(argOffset(args[3]!, 0), 'too many arguments: expected [dp] <key> <actions>', 'arguments');
  if (args.length === 3 && !DP_NAME.test(args[0]!.text)) {
    return fail(argOffset(args[1]!, 0), 'unexpected argument: the key and the actions are one argument each (quote one that contains spaces)', 'arguments');
  }
  const keyArg = args[args.length - 2]!;
  const actArg = args[args.length - 1]!;
  const parseErr = (arg: Arg, e: OdpParseError, shift: number, stage: 'key' | 'actions'): FlowRequestResult =>
    fail(argOffset(arg, e.column - 1 - shift), e.message, stage, 'EINVAL', e.token);

  const keyText = keyArg.text;
  const stray = /(?:^|[\s,])((?:actions|packets|bytes|used):)/.exec(keyText);
  if (stray) {
    const at = stray.index + stray[0].length - (stray[1]?.length ?? 0);
    return fail(argOffset(keyArg, at), `unexpected '${stray[1]}' in the flow key: the actions are a separate argument`, 'key');
  }
  const k = parseOdpFlow(keyText, opts.portNames ? { portNames: opts.portNames } : {});
  if (!k.ok) return parseErr(keyArg, k.error, 0, 'key');
  const a = parseOdpFlow(ACTIONS_PREFIX + actArg.text);
  if (!a.ok) return parseErr(actArg, a.error, ACTIONS_PREFIX.length, 'actions');
  if (a.flow.dpExtraInfo !== undefined) {
    const at = actArg.text.indexOf('dp-extra-info:');
    return fail(argOffset(actArg, Math.max(0, at)), "unexpected 'dp-extra-info:' after the actions", 'actions');
  }

  const { key, origin } = excludePacketType(k.flow.key);
  const m = flowMatchFromOdp(key);
  if (!m.ok) {
    const path = m.error.path.length ? [origin[m.error.path[0]!] ?? 0, ...m.error.path.slice(1)] : [];
    const keyStart = argOffset(keyArg, 0);
    const pos = path.length ? locateAttr(keyText, path, -1) : -1;
    const offset = pos < 0 ? keyStart : argOffset(keyArg, pos);
    return fail(offset, m.error.message, 'key', m.error.errno, pos < 0 ? undefined : tokenAt(keyText, pos));
  }
  const v = validateActions(m.match, a.flow.actions);
  if (!v.ok) {
    const pos = locateAction(actArg.text, 0, v.error.path, -1);
    const offset = pos < 0 ? argOffset(actArg, 0) : argOffset(actArg, pos);
    const where = v.error.path.length > 1 ? `inside action #${v.error.index + 1}` : `action #${v.error.index + 1}`;
    return fail(offset, `${v.error.message} (${where}: ${v.error.action})`, 'actions', v.error.errno, pos < 0 ? undefined : tokenAt(actArg.text, pos));
  }
  const request: FlowRequest = {
    ...(args.length === 3 ? { dp: args[0]!.text } : {}),
    ...(k.flow.ufid !== undefined ? { ufid: k.flow.ufid } : {}),
    key,
    actions: a.flow.actions,
    match: m.match,
  };
  return { ok: true, request };
}

/**
 * dpif-netlink's put_exclude_packet_type: drops a top-level packet_type and,
 * without eth(), writes its ethertype into eth_type (added at the end when
 * missing). `origin[i]` is the index in the original list of attribute i.
 */
function excludePacketType(key: OdpKey): { key: OdpKey; origin: number[] } {
  const at = key.attrs.findIndex((x) => x.name === 'packet_type');
  const origin = key.attrs.map((_, i) => i);
  if (at < 0) return { key, origin };
  const pt = key.attrs[at]!;
  const attrs: OdpAttr[] = key.attrs.filter((_, i) => i !== at);
  origin.splice(at, 1);
  if (pt.name !== 'packet_type' || attrs.some((x) => x.name === 'eth')) return { key: { attrs }, origin };
  const type = readUint(pt.key, 2, 2);
  const typeMask = readUint(pt.mask, 2, 2);
  const et = attrs.findIndex((x) => x.name === 'eth_type');
  const ethType = { name: 'eth_type' as const, key: Uint8Array.of(type >> 8, type & 0xff), mask: Uint8Array.of(typeMask >> 8, typeMask & 0xff) };
  if (et >= 0) attrs[et] = ethType;
  else {
    attrs.push(ethType);
    origin.push(at);
  }
  return { key: { attrs }, origin };
}
