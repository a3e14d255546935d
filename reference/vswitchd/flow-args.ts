/**
 * The FLOW and ACTIONS arguments of `dpctl/add-flow`, `mod-flow`,
 * `del-flow` and of flow-file lines, through the datapath's
 * `parseFlowRequest` (ODP parsers, dpif-netlink's packet_type removal, the
 * kernel's match and action checks), with its errors sorted the way
 * lib/dpctl.c words them:
 *  - `ufid`: a `ufid:` prefix that is not a UUID ("parsing flow ufid");
 *  - `key-syntax` / `actions-syntax`: text the ODP parser refuses
 *    ("parsing flow key (…)", "parsing actions");
 *  - `semantic`: parsed, but the datapath would refuse it (the kernel's
 *    EINVAL, "updating flow table (Invalid argument)").
 * Every message gives the 1-based column inside the argument it is about.
 *
 * As in OVS, FLOW may name ports in `in_port(NAME)`; ACTIONS takes port
 * numbers only.
 *
 * Invariant: never throws.
 */
import { parseOdpFlow, type OdpAction, type OdpKey, type OdpPortNames } from '../flow/index.ts';
import { parseFlowRequest, type DpErrno } from '../datapath/index.ts';

export interface FlowArgs {
  readonly ufid?: string;
  readonly key: OdpKey;
  readonly actions: readonly OdpAction[];
}

export interface FlowArgsError {
  readonly kind: 'ufid' | 'key-syntax' | 'actions-syntax' | 'semantic';
  readonly errno: DpErrno;
  /** `column C: what (at 'token')`, prefixed by `key, ` or `actions, ` for semantic errors. */
  readonly message: string;
}

export type ParseFlowArgsResult = { readonly ok: true; readonly value: FlowArgs } | { readonly ok: false; readonly error: FlowArgsError };

/** Quotes one argument for parseFlowRequest's shell-like splitter (its first character lands one column after the quote). */
function quote(arg: string): string {
  return arg.includes("'") ? `"${arg.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `'${arg}'`;
}

function at(column: number, message: string, token: string): string {
  return `column ${Math.max(1, column)}: ${message}${token ? ` (at '${token}')` : ''}`;
}

/** Parses and checks FLOW and ACTIONS (ACTIONS `drop` or '' is the empty list). */
export function parseFlowArgs(keyText: string, actionsText: string, portNames?: OdpPortNames): ParseFlowArgsResult {
  const qKey = quote(keyText);
  const actions = actionsText.trim() === '' ? 'drop' : actionsText;
  const r = parseFlowRequest(`${qKey} ${quote(actions)}`, portNames ? { portNames } : {});
  if (r.ok) {
    const q = r.request;
    return { ok: true, value: { ...(q.ufid !== undefined ? { ufid: q.ufid } : {}), key: q.key, actions: q.actions } };
  }
  const e = r.error;
  if (e.stage === 'actions') {
    const column = e.column - (qKey.length + 2);
    const syntax = !parseOdpFlow(`actions:${actions}`).ok;
    return { ok: false, error: { kind: syntax ? 'actions-syntax' : 'semantic', errno: e.errno, message: `${syntax ? '' : 'actions, '}${at(column, e.message, e.token)}` } };
  }
  const column = e.column - 1;
  if (/^\s*ufid:/.test(keyText) && e.message === 'bad ufid') return { ok: false, error: { kind: 'ufid', errno: 'EINVAL', message: at(column, e.message, e.token) } };
  const k = parseOdpFlow(keyText, portNames ? { portNames } : {});
  const syntax = e.stage !== 'key' || !k.ok || /(?:^|[\s,])(?:actions|packets|bytes|used):/.test(keyText);
  return { ok: false, error: { kind: syntax ? 'key-syntax' : 'semantic', errno: e.errno, message: `${syntax ? '' : 'key, '}${at(column, e.message, e.token)}` } };
}

/** `uuid` if `text` is `ufid:UUID` (nothing else), else undefined. */
export function parseUfidArg(text: string): string | undefined {
  const m = /^ufid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/.exec(text.trim());
  return m?.[1]?.toLowerCase();
}
