/**
 * Datapath actions (OVS_ACTION_ATTR_*): the model and its formatter, printing
 * exactly as Open vSwitch 3.1's format_odp_actions() / format_odp_action()
 * in lib/odp-util.c.
 *
 * Invariant: an empty action list prints `drop`; actions are joined by `,`
 * without spaces. `set` carries a key attribute whose mask is all ones and
 * prints every sub-field (verbose); `set_masked` prints only sub-fields with
 * a non-zero mask, partial ones as `value/mask`.
 *
 * Left out on purpose: tnl_push/tnl_pop headers beyond the port, push_nsh,
 * set(tunnel(...)), and the `actionN(hex)` form of unknown actions.
 */
import type { OdpFixedAttr } from './odp-key.ts';
import { formatOdpAttr, formatFlags, formatMplsLse, formatVlanTci } from './odp-key-format.ts';
import type { OdpPortNames } from './odp-key-format.ts';
import { formatHexBytes, formatHexPlain, formatIpv4, formatIpv6, formatMac, hexAlt } from './odp-text-values.ts';

/** Slow-path reasons (SLOW_PATH_REASONS in lib/odp-util.h), bit order. */
export const SLOW_PATH_REASONS = [
  [0x01, 'cfm'], [0x02, 'bfd'], [0x04, 'lacp'], [0x08, 'stp'], [0x10, 'lldp'], [0x20, 'action'], [0x40, 'match'],
] as const;

export type OdpUserspaceCookie =
  | { readonly type: 'sFlow'; readonly vid: number; readonly pcp: number; readonly output: number }
  | { readonly type: 'slow_path'; readonly reasons: number }
  | {
      readonly type: 'flow_sample'; readonly probability: number; readonly collectorSetId: number; readonly obsDomainId: number;
      readonly obsPointId: number; readonly outputPort: number; readonly direction?: 'ingress' | 'egress';
    }
  | { readonly type: 'ipfix'; readonly outputPort: number }
  | {
      readonly type: 'controller'; readonly reason: number; readonly dontSend: boolean; readonly continuation: boolean;
      readonly recircId: number; readonly ruleCookie: bigint; readonly controllerId: number; readonly maxLen: number;
    }
  | { readonly type: 'userdata'; readonly bytes: Uint8Array };

export interface OdpNat {
  readonly kind?: 'src' | 'dst';
  /** Dotted IPv4 or IPv6 text bytes: 4 or 16 bytes. */
  readonly addrMin?: Uint8Array;
  readonly addrMax?: Uint8Array;
  readonly portMin?: number;
  readonly portMax?: number;
  readonly persistent?: boolean;
  readonly hash?: boolean;
  readonly random?: boolean;
}

export interface OdpCt {
  readonly commit?: boolean;
  readonly forceCommit?: boolean;
  readonly zone?: number;
  readonly mark?: { readonly value: number; readonly mask: number };
  readonly label?: { readonly value: Uint8Array; readonly mask: Uint8Array };
  readonly helper?: string;
  readonly timeout?: string;
  readonly nat?: OdpNat;
}

export type OdpAction =
  | { readonly type: 'output'; readonly port: number }
  | { readonly type: 'drop' }
  | { readonly type: 'userspace'; readonly pid: number; readonly cookie?: OdpUserspaceCookie; readonly actions?: boolean; readonly tunnelOutPort?: number }
  | { readonly type: 'set'; readonly attr: OdpFixedAttr }
  | { readonly type: 'set_masked'; readonly attr: OdpFixedAttr }
  | { readonly type: 'push_vlan'; readonly tpid: number; readonly tci: number }
  | { readonly type: 'pop_vlan' }
  | { readonly type: 'push_mpls'; readonly lse: number; readonly ethType: number }
  | { readonly type: 'add_mpls'; readonly lse: number; readonly ethType: number }
  | { readonly type: 'pop_mpls'; readonly ethType: number }
  | { readonly type: 'recirc'; readonly id: number }
  | { readonly type: 'hash'; readonly alg: 'l4' | 'sym_l4'; readonly basis: number }
  | { readonly type: 'sample'; readonly probability: number; readonly actions: OdpAction[] }
  | { readonly type: 'clone'; readonly actions: OdpAction[] }
  | { readonly type: 'ct'; readonly ct: OdpCt }
  | { readonly type: 'ct_clear' }
  | { readonly type: 'trunc'; readonly maxLen: number }
  | { readonly type: 'meter'; readonly id: number }
  | { readonly type: 'check_pkt_len'; readonly size: number; readonly gt: OdpAction[]; readonly le: OdpAction[] }
  | { readonly type: 'push_eth'; readonly src: Uint8Array; readonly dst: Uint8Array }
  | { readonly type: 'pop_eth' }
  | { readonly type: 'lb_output'; readonly bond: number }
  | { readonly type: 'tnl_pop'; readonly port: number }
  | { readonly type: 'pop_nsh' };

export type OdpActionType = OdpAction['type'];

/** Formats an action list; `[]` prints `drop`. */
export function formatOdpActions(actions: readonly OdpAction[], portNames?: OdpPortNames): string {
  if (actions.length === 0) return 'drop';
  return actions.map((a) => formatOdpAction(a, portNames)).join(',');
}

function port(p: number, names: OdpPortNames | undefined): string {
  return names?.get(p) ?? String(p);
}

export function formatOdpAction(a: OdpAction, names?: OdpPortNames): string {
  switch (a.type) {
    case 'output': return port(a.port, names);
    case 'drop': return 'drop';
    case 'userspace': return formatUserspace(a, names);
    case 'set': return `set(${formatOdpAttr({ name: a.attr.name, key: a.attr.key, mask: new Uint8Array(a.attr.key.length).fill(0xff) }, true)})`;
    case 'set_masked': return `set(${formatOdpAttr(a.attr, false)})`;
    case 'push_vlan': {
      const tpid = a.tpid !== 0x8100 ? `tpid=0x${a.tpid.toString(16).padStart(4, '0')},` : '';
      return `push_vlan(${tpid}${formatVlanTci(a.tci, 0xffff, false)})`;
    }
    case 'pop_vlan': return 'pop_vlan';
    case 'push_mpls': return `push_mpls(${formatMplsLse(a.lse)},eth_type=0x${a.ethType.toString(16)})`;
    case 'add_mpls': return `add_mpls(${formatMplsLse(a.lse)},eth_type=0x${a.ethType.toString(16)})`;
    case 'pop_mpls': return `pop_mpls(eth_type=0x${a.ethType.toString(16)})`;
    case 'recirc': return `recirc(${hexAlt(a.id)})`;
    case 'hash': return `hash(${a.alg}(${a.basis}))`;
    case 'sample': return `sample(sample=${((100 * a.probability) / 0xffffffff).toFixed(1)}%,actions(${formatOdpActions(a.actions, names)}))`;
    case 'clone': return `clone(${formatOdpActions(a.actions, names)})`;
    case 'ct': return formatCt(a.ct);
    case 'ct_clear': return 'ct_clear';
    case 'trunc': return `trunc(${a.maxLen})`;
    case 'meter': return `meter(${a.id})`;
    case 'check_pkt_len':
      return `check_pkt_len(size=${a.size},gt(${formatOdpActions(a.gt, names)}),le(${formatOdpActions(a.le, names)}))`;
    case 'push_eth': return `push_eth(src=${formatMac(a.src, 0)},dst=${formatMac(a.dst, 0)})`;
    case 'pop_eth': return 'pop_eth';
    case 'lb_output': return `lb_output(${a.bond})`;
    case 'tnl_pop': return `tnl_pop(${port(a.port, names)})`;
    case 'pop_nsh': return 'pop_nsh()';
  }
}

function formatUserspace(a: Extract<OdpAction, { type: 'userspace' }>, names: OdpPortNames | undefined): string {
  let s = `userspace(pid=${a.pid}`;
  const c = a.cookie;
  if (c) s += ',' + formatCookie(c, names);
  if (a.actions) s += ',actions';
  if (a.tunnelOutPort !== undefined) s += `,tunnel_out_port=${port(a.tunnelOutPort, names)}`;
  return s + ')';
}

function formatCookie(c: OdpUserspaceCookie, names: OdpPortNames | undefined): string {
  switch (c.type) {
    case 'sFlow': return `sFlow(vid=${c.vid},pcp=${c.pcp},output=${c.output})`;
    case 'slow_path': return `slow_path(${formatFlags(c.reasons, SLOW_PATH_REASONS, ',')})`;
    case 'flow_sample':
      return `flow_sample(probability=${c.probability},collector_set_id=${c.collectorSetId},obs_domain_id=${c.obsDomainId},` +
        `obs_point_id=${c.obsPointId},output_port=${port(c.outputPort, names)}${c.direction ? ',' + c.direction : ''})`;
    case 'ipfix': return `ipfix(output_port=${port(c.outputPort, names)})`;
    case 'controller':
      return `controller(reason=${c.reason},dont_send=${c.dontSend ? 1 : 0},continuation=${c.continuation ? 1 : 0},` +
        `recirc_id=${c.recircId},rule_cookie=${c.ruleCookie === 0n ? '0' : '0x' + c.ruleCookie.toString(16)},` +
        `controller_id=${c.controllerId},max_len=${c.maxLen})`;
    case 'userdata': return `userdata(${formatHexPlain(c.bytes)})`;
  }
}

function formatCt(ct: OdpCt): string {
  const parts: string[] = [];
  if (ct.commit) parts.push('commit');
  if (ct.forceCommit) parts.push('force_commit');
  if (ct.zone) parts.push(`zone=${ct.zone}`);
  if (ct.mark) parts.push(`mark=${hexAlt(ct.mark.value)}/${hexAlt(ct.mark.mask)}`);
  if (ct.label) {
    const ones = ct.label.mask.every((b) => b === 0xff);
    parts.push(`label=${formatHexBytes(ct.label.value)}${ones ? '' : '/' + formatHexBytes(ct.label.mask)}`);
  }
  if (ct.helper !== undefined) parts.push(`helper=${ct.helper}`);
  if (ct.timeout !== undefined) parts.push(`timeout=${ct.timeout}`);
  if (ct.nat) parts.push(formatNat(ct.nat));
  return parts.length ? `ct(${parts.join(',')})` : 'ct';
}

function formatAddr(b: Uint8Array, bracket: boolean): string {
  if (b.length === 4) return formatIpv4(b, 0);
  const s = formatIpv6(b, 0);
  return bracket ? `[${s}]` : s;
}

function formatNat(n: OdpNat): string {
  if (!n.kind) return 'nat';
  let s = n.kind;
  if (n.addrMin) {
    const bracket = (n.portMin ?? 0) !== 0 && n.addrMin.length === 16;
    s += '=' + formatAddr(n.addrMin, bracket);
    const max = n.addrMax;
    if (max && max.some((b) => b !== 0) && !max.every((b, i) => b === n.addrMin?.[i])) s += '-' + formatAddr(max, bracket);
    if (n.portMin) {
      s += `:${n.portMin}`;
      if (n.portMax && n.portMax !== n.portMin) s += `-${n.portMax}`;
    }
  }
  const flags = [n.persistent ? 'persistent' : '', n.hash ? 'hash' : '', n.random ? 'random' : ''].filter(Boolean);
  return `nat(${[s, ...flags].join(',')})`;
}
