/**
 * Action-list validation for FLOW NEW/SET and PACKET EXECUTE: the Linux
 * kernel datapath's `ovs_nla_copy_actions` / `__ovs_nla_copy_actions` /
 * `validate_set` (net/openvswitch/flow_netlink.c), against the flow's
 * masked key, plus the refusal of what this datapath does not execute.
 *
 * Rules kept from the kernel (EINVAL unless noted):
 *  - output port < DP_MAX_PORTS; userspace pid ≠ 0; trunc max_len ≥ 14;
 *    hash only l4 (sym_l4 is userspace-only); check_pkt_len size ≠ 0;
 *    push_vlan with TPID 0x8100/0x88a8 and the CFI bit (0x1000) set, on an
 *    Ethernet flow; an explicit drop only as the last action of its list.
 *  - set/set_masked: one settable attribute (skb_priority, skb_mark,
 *    ct_mark, ct_label, eth, ipv4, ipv6, tcp, udp, sctp — and, departing
 *    from the kernel, icmp, icmpv6, arp and nd, which Open vSwitch's
 *    userspace datapath sets and issue 4 asks for), its length right,
 *    no value bit outside the mask; ipv4/ipv6 need the flow's eth_type and
 *    may not change proto or frag (set: must equal the flow's); the flow
 *    label stays 20 bits; tcp/udp/sctp need that IP proto in the flow.
 *  - Nested lists (sample, clone, check_pkt_len le then gt) are validated
 *    with the enclosing list's state; deeper than 16 levels is refused
 *    (kernel: EOVERFLOW, reported here as EINVAL: DP_ERRNOS has no
 *    EOVERFLOW); the kernel's internal copy is sized as it grows and may not
 *    pass MAX_ACTIONS_BUFSIZE (32 KiB, EMSGSIZE).
 *  - EOPNOTSUPP for actions this datapath does not execute: ct, ct_clear,
 *    MPLS push/pop/add, push_eth/pop_eth, pop_nsh, tnl_pop, lb_output, and
 *    set of ct_mark/ct_label (no conntrack).
 *
 * Invariant: never throws; the first error in list order wins, naming the
 * action (`index` in the top-level list, `path` into nested lists, `action`
 * its text).
 */
import type { OdpAction, OdpFixedAttr } from '../flow/index.ts';
import { FlowOffset, NwFrag, ODP_ATTR_BYTES, formatOdpAction, readUint } from '../flow/index.ts';
import type { DpErrno, DpError } from './dpif-types.ts';
import type { FlowMatch } from './flow-match.ts';
import { DP_MAX_PORTS } from './flow-match-parse.ts';

/** Largest internal action buffer of the kernel (MAX_ACTIONS_BUFSIZE). */
export const MAX_ACTIONS_BYTES = 32 * 1024;
/** Nesting limit of action lists (OVS_COPY_ACTIONS_MAX_DEPTH). */
export const MAX_ACTION_DEPTH = 16;
/** Header of struct sw_flow_actions before the action bytes (rcu_head, orig_len, actions_len). */
const SFA_HEADER_BYTES = 28;
const NESTING_ERRNO: DpErrno = 'EINVAL';

/** One step into an action list: an index, or the branch of a check_pkt_len. */
export type ActionStep = number | 'gt' | 'le';

export interface ActionError extends DpError {
  /** The action's text (shortened). */
  readonly action: string;
  /** Index of the top-level action the error is in. */
  readonly index: number;
  /** Full path: indices, with 'gt'/'le' after a check_pkt_len index. */
  readonly path: readonly ActionStep[];
}

export type ValidateActionsResult = { readonly ok: true } | { readonly ok: false; readonly error: ActionError };

/** Validates `actions` for a flow with `match` (see the file comment). */
export function validateActions(match: FlowMatch, actions: readonly OdpAction[]): ValidateActionsResult {
  const k = match.key.view;
  const w: Walk = { match, bytes: SFA_HEADER_BYTES };
  const state: ListState = {
    ethType: k.getUint16(FlowOffset.dl_type),
    vlanTci: k.getUint16(FlowOffset.vlan0_tci),
    macEthernet: k.getUint32(FlowOffset.packet_type) === 0,
  };
  const err = walkList(w, Array.isArray(actions) ? actions : [], state, 0, []);
  return err ? { ok: false, error: err } : { ok: true };
}

interface Walk {
  readonly match: FlowMatch;
  /** Bytes of the kernel's internal copy so far. */
  bytes: number;
}

/** What the kernel tracks while walking a list (passed by value into nested lists). */
interface ListState {
  ethType: number;
  vlanTci: number;
  macEthernet: boolean;
}

type Failure = { readonly errno: DpErrno; readonly message: string };

function fail(message: string, errno: DpErrno = 'EINVAL'): Failure {
  return { errno, message };
}

function actionError(a: OdpAction, path: readonly ActionStep[], f: Failure): ActionError {
  let text: unknown;
  try {
    text = formatOdpAction(a);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') text = String((a as { type?: unknown } | null)?.type ?? '?');
  const action = String(text);
  const index = typeof path[0] === 'number' ? path[0] : 0;
  return { errno: f.errno, message: f.message, action: action.length > 60 ? action.slice(0, 59) + '…' : action, index, path };
}

function walkList(w: Walk, list: readonly OdpAction[], st: ListState, depth: number, path: readonly ActionStep[]): ActionError | undefined {
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    const p = [...path, i];
    if (typeof a !== 'object' || a === null) return actionError(a, p, fail(`action ${i + 1} is not an action`));
    const f = checkAction(w, a, st, i === list.length - 1);
    if (f) return actionError(a, p, f);
    w.bytes += ownBytes(a);
    if (w.bytes > MAX_ACTIONS_BYTES) {
      return actionError(a, p, fail(`the actions take more than ${MAX_ACTIONS_BYTES} bytes in the datapath (${w.bytes} so far)`, 'EMSGSIZE'));
    }
    const nested = nestedLists(a);
    if (nested.length > 0 && depth + 1 > MAX_ACTION_DEPTH) {
      return actionError(a, p, fail(`actions nested more than ${MAX_ACTION_DEPTH} levels deep`, NESTING_ERRNO));
    }
    for (const [step, sub] of nested) {
      w.bytes += step === undefined ? 0 : 4;
      const err = walkList(w, sub, { ...st }, depth + 1, step === undefined ? p : [...p, step]);
      if (err) return err;
    }
  }
  return undefined;
}

function nestedLists(a: OdpAction): readonly (readonly [ActionStep | undefined, readonly OdpAction[]])[] {
  const list = (x: unknown): readonly OdpAction[] => (Array.isArray(x) ? (x as OdpAction[]) : []);
  switch (a.type) {
    case 'sample':
    case 'clone':
      return [[undefined, list(a.actions)]];
    case 'check_pkt_len':
      return [['le', list(a.le)], ['gt', list(a.gt)]];
    default:
      return [];
  }
}

const nla = (payload: number): number => 4 + ((payload + 3) & ~3);

/** Bytes the kernel's copy of `a` takes, nested lists and their headers excepted. */
function ownBytes(a: OdpAction): number {
  switch (a.type) {
    case 'pop_vlan': case 'ct_clear': case 'pop_eth': case 'pop_nsh': return nla(0);
    case 'hash': return nla(8);
    case 'set': case 'set_masked': return 4 + nla(2 * (a.attr?.key?.length ?? 0));
    case 'sample': return 4 + nla(8);
    case 'clone': return 4 + nla(4);
    case 'check_pkt_len': return 4 + nla(4);
    case 'userspace': {
      const cookie = a.cookie ? nla(a.cookie.type === 'userdata' ? a.cookie.bytes.length : 48) : 0;
      return 4 + nla(4) + cookie + (a.actions ? nla(0) : 0) + (a.tunnelOutPort !== undefined ? nla(4) : 0);
    }
    default: return nla(4);
  }
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

const UNSUPPORTED = new Set<string>(['ct', 'ct_clear', 'push_mpls', 'add_mpls', 'pop_mpls', 'push_eth', 'pop_eth', 'pop_nsh', 'tnl_pop', 'lb_output']);

function checkAction(w: Walk, a: OdpAction, st: ListState, last: boolean): Failure | undefined {
  if (UNSUPPORTED.has(a.type)) return fail(`action ${a.type} is not supported by this datapath`, 'EOPNOTSUPP');
  switch (a.type) {
    case 'output':
      return isU32(a.port) && a.port < DP_MAX_PORTS ? undefined : fail(`output port ${a.port} is out of range (largest ${DP_MAX_PORTS - 1})`);
    case 'drop':
      return last ? undefined : fail('an explicit drop must be the last action of its list');
    case 'userspace':
      if (!isU32(a.pid) || a.pid === 0) return fail(`userspace(pid=${a.pid}): the pid must be a non-zero 32-bit number`);
      return a.tunnelOutPort === undefined || isU32(a.tunnelOutPort) ? undefined : fail(`bad tunnel_out_port ${a.tunnelOutPort}`);
    case 'set':
    case 'set_masked':
      return checkSet(w, a.attr, a.type === 'set_masked', st);
    case 'push_vlan':
      if (!st.macEthernet) return fail('push_vlan on a flow without an Ethernet header');
      if (a.tpid !== 0x8100 && a.tpid !== 0x88a8) return fail(`push_vlan TPID 0x${Number(a.tpid).toString(16)} is not 0x8100 or 0x88a8`);
      if (!isU32(a.tci) || a.tci > 0xffff || (a.tci & 0x1000) === 0) return fail('push_vlan TCI must have the CFI bit (0x1000) set (cfi=1)');
      st.vlanTci = a.tci;
      return undefined;
    case 'pop_vlan':
      if (!st.macEthernet) return fail('pop_vlan on a flow without an Ethernet header');
      st.vlanTci = 0;
      return undefined;
    case 'recirc':
      return isU32(a.id) ? undefined : fail(`bad recirc id ${a.id}`);
    case 'meter':
      return isU32(a.id) ? undefined : fail(`bad meter id ${a.id}`);
    case 'hash':
      if (a.alg !== 'l4') return fail(`hash(${a.alg}): the kernel datapath supports only l4`);
      return isU32(a.basis) ? undefined : fail(`bad hash basis ${a.basis}`);
    case 'trunc':
      return isU32(a.maxLen) && a.maxLen >= 14 ? undefined : fail(`trunc(${a.maxLen}): max_len must be at least 14 (an Ethernet header)`);
    case 'sample':
      if (!Array.isArray(a.actions)) return fail('sample without an action list');
      return isU32(a.probability) ? undefined : fail(`bad sample probability ${a.probability}`);
    case 'clone':
      return Array.isArray(a.actions) ? undefined : fail('clone without an action list');
    case 'check_pkt_len':
      if (!Array.isArray(a.gt) || !Array.isArray(a.le)) return fail('check_pkt_len without both action lists');
      return isU32(a.size) && a.size > 0 && a.size <= 0xffff ? undefined : fail(`check_pkt_len(size=${a.size}): size must be 1 to 65535`);
    default:
      return fail(`unknown action ${String((a as { type?: unknown }).type)}`);
  }
}

const SETTABLE = new Set<string>([
  'skb_priority', 'skb_mark', 'ct_mark', 'ct_label', 'eth', 'ipv4', 'ipv6', 'tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'arp', 'nd',
]);
const L4_PROTO: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };
/** Settable here as in Open vSwitch's userspace datapath (odp-execute), though the kernel refuses them: [eth_type(s), nw_proto]. */
const USERSPACE_SETS: Record<string, readonly [readonly number[], number | undefined]> = {
  icmp: [[0x0800], 1], icmpv6: [[0x86dd], 58], nd: [[0x86dd], 58], arp: [[0x0806, 0x8035], undefined],
};

/** validate_set, then the conntrack fields this datapath cannot set. */
function checkSet(w: Walk, attr: OdpFixedAttr | undefined, masked: boolean, st: ListState): Failure | undefined {
  const name = String(attr?.name);
  if (!attr || !(attr.key instanceof Uint8Array) || !(attr.mask instanceof Uint8Array)) return fail('set without an attribute');
  const want = (ODP_ATTR_BYTES as Record<string, number | undefined>)[name];
  if (want === undefined || attr.key.length !== want || (masked && attr.mask.length !== want)) return fail(`set(${name}(…)) has a bad length`);
  if (masked && attr.key.some((b, i) => (b & ~(attr.mask[i] ?? 0)) !== 0)) return fail(`set(${name}(…)): the value has bits outside the mask`);
  if (!SETTABLE.has(name)) return fail(`set(${name}(…)): ${name} is not a settable field`);
  const k = w.match.key.view;
  const proto = k.getUint8(FlowOffset.nw_proto);
  const fragBits = k.getUint8(FlowOffset.nw_frag);
  const frag = (fragBits & NwFrag.ANY) === 0 ? 0 : (fragBits & NwFrag.LATER) !== 0 ? 2 : 1;
  if (name === 'eth' && !st.macEthernet) return fail('set(eth(…)) on a flow without an Ethernet header');
  if (name === 'ipv4' || name === 'ipv6') {
    const v6 = name === 'ipv6';
    const [protoAt, fragAt] = v6 ? [36, 39] : [8, 11];
    if (st.ethType !== (v6 ? 0x86dd : 0x0800)) return fail(`set(${name}(…)) needs a flow that matches eth_type(${v6 ? '0x86dd' : '0x0800'})`);
    if (masked && (attr.mask[protoAt] || attr.mask[fragAt])) return fail(`set(${name}(…)) may not change proto or frag`);
    if (!masked && (attr.key[protoAt] !== proto || attr.key[fragAt] !== frag)) {
      return fail(`set(${name}(…)) must keep the flow's proto=${proto} and frag=${['no', 'first', 'later'][frag]}`);
    }
    if (v6 && ((masked && readUint(attr.mask, 32, 4) & 0xfff00000) || readUint(attr.key, 32, 4) & 0xfff00000)) {
      return fail('set(ipv6(…)): the flow label has only 20 bits');
    }
  }
  const l4 = L4_PROTO[name];
  if (l4 !== undefined && ((st.ethType !== 0x0800 && st.ethType !== 0x86dd) || proto !== l4)) {
    return fail(`set(${name}(…)) needs a flow that matches ipv4 or ipv6 with proto=${l4}`);
  }
  const us = USERSPACE_SETS[name];
  if (us !== undefined && (!us[0].includes(st.ethType ?? -1) || (us[1] !== undefined && proto !== us[1]))) {
    return fail(`set(${name}(…)) needs a flow that matches ${name === 'arp' ? 'eth_type(0x0806) or eth_type(0x8035)' : `${us[1] === 1 ? 'ipv4' : 'ipv6'} with proto=${us[1]}`}`);
  }
  if (name === 'ct_mark' || name === 'ct_label') return fail(`set(${name}(…)) needs conntrack, which this datapath does not have`, 'EOPNOTSUPP');
  return undefined;
}
