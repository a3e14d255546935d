/**
 * Formats an ODP key (value + mask attribute list) exactly as Open vSwitch
 * 3.1's odp_flow_format() / format_odp_key_attr__() in lib/odp-util.c.
 *
 * Rules followed (non-verbose): attributes whose mask is all zero are left
 * out, except `encap` (always descended into) and `eth` (printed as `eth()`
 * when no packet_type attribute precedes it); sub-fields with a zero mask are
 * left out; a full mask prints `name=value`, a partial one `name=value/mask`;
 * an `eth_type` present only in the mask is printed last as
 * `eth_type(0/0x....)`. Verbose (`-m`) prints every attribute and sub-field.
 *
 * Invariant: output depends only on the attribute list, in its given order;
 * reordering into the kernel's order is the caller's choice
 * (canonicalizeOdpKey in odp-flow-canonical.ts).
 *
 * Left out on purpose: tunnel and nsh attributes (not in the model), and the
 * `***N leftover bytes***` forms for undecodable netlink.
 */
import {
  CT_STATE_FLAGS, ODP_STRUCT_FIELDS, TCP_FLAG_NAMES, TCP_FLAGS_MASK, isAllBytes, isOdpAttrExact, isOdpAttrWildcard, readUint,
} from './odp-key.ts';
import type { OdpAttr, OdpFieldDesc, OdpFixedAttr, OdpKey, OdpMplsAttr, OdpStructAttrName } from './odp-key.ts';
import { formatHexBytes, formatIpv4, formatIpv6, formatMac, hexAlt } from './odp-text-values.ts';

/** Datapath port number → name, used for in_port(...) and output actions. */
export type OdpPortNames = ReadonlyMap<number, string>;

export interface OdpKeyFormatOptions {
  /** `-m`: print every attribute and sub-field, with masks. */
  readonly verbose?: boolean;
  readonly portNames?: OdpPortNames;
}

/** Formats a whole key as `odp_flow_format` does; an empty key prints `<empty>`. */
export function formatOdpKey(key: OdpKey, opts: OdpKeyFormatOptions = {}): string {
  if (key.attrs.length === 0) return '<empty>';
  return formatAttrList(key.attrs, opts.verbose ?? false, opts.portNames);
}

function formatAttrList(attrs: readonly OdpAttr[], verbose: boolean, portNames: OdpPortNames | undefined): string {
  const parts: string[] = [];
  let hasEthType = false;
  let hasPacketType = false;
  let trailingEthTypeMask: number | undefined;
  for (const a of attrs) {
    if (a.name === 'eth_type' && a.keyAbsent) {
      trailingEthTypeMask = readUint(a.mask, 0, 2);
      continue;
    }
    if (a.name === 'eth_type') hasEthType = true;
    else if (a.name === 'packet_type') hasPacketType = true;
    const wildcard = isOdpAttrWildcard(a);
    if (verbose || !wildcard || a.name === 'encap') {
      parts.push(formatOdpAttr(a, verbose, portNames));
    } else if (a.name === 'eth' && !hasPacketType) {
      parts.push('eth()');
    } else if (a.name === 'packet_type') {
      hasPacketType = false;
    }
  }
  let s = parts.join(',');
  if (!hasEthType && trailingEthTypeMask !== undefined) {
    s += `,eth_type(0/0x${trailingEthTypeMask.toString(16).padStart(4, '0')})`;
  }
  return s;
}

/**
 * Formats one attribute `name(...)` (format_odp_key_attr__). `verbose` prints
 * every sub-field, with `/mask` unless the mask is full.
 */
export function formatOdpAttr(a: OdpAttr, verbose: boolean, portNames?: OdpPortNames): string {
  if (a.name === 'encap') return `encap(${a.attrs.length ? formatAttrList(a.attrs, verbose, undefined) : ''})`;
  if (a.name === 'mpls') return `mpls(${formatMpls(a)})`;
  return `${a.name}(${formatFixedBody(a, verbose, portNames)})`;
}

function formatFixedBody(a: OdpFixedAttr, verbose: boolean, portNames: OdpPortNames | undefined): string {
  const exact = isOdpAttrExact(a);
  const v = a.key.length <= 4 ? readUint(a.key, 0, a.key.length) : 0;
  const m = a.mask.length <= 4 ? readUint(a.mask, 0, a.mask.length) : 0;
  const maskEmpty = isAllBytes(a.mask, 0);
  switch (a.name) {
    case 'recirc_id':
    case 'dp_hash':
    case 'skb_priority':
    case 'skb_mark':
      return hexAlt(v) + (exact ? '' : '/' + hexAlt(m));
    case 'ct_mark':
    case 'ct_zone':
      return verbose || !maskEmpty ? hexAlt(v) + (exact ? '' : '/' + hexAlt(m)) : '';
    case 'ct_state':
      if (verbose) return hexAlt(v) + (exact ? '' : '/' + hexAlt(m));
      return exact ? formatFlags(v, CT_STATE_FLAGS, '|') : formatFlagsMasked(v, m, 0xffffffff, CT_STATE_FLAGS);
    case 'ct_label':
      if (!verbose && maskEmpty) return '';
      return formatHexBytes(a.key) + (isAllBytes(a.mask, 0xff) ? '' : '/' + formatHexBytes(a.mask));
    case 'in_port':
      return exact ? (portNames?.get(v) ?? String(v)) : `${v}/${hexAlt(m)}`;
    case 'eth_type':
      return '0x' + v.toString(16).padStart(4, '0') + (exact ? '' : '/0x' + m.toString(16).padStart(4, '0'));
    case 'vlan':
      return formatVlanTci(v, m, verbose);
    case 'tcp_flags':
      return exact ? formatFlags(v, TCP_FLAG_NAMES, '|') : formatFlagsMasked(v, m & TCP_FLAGS_MASK, TCP_FLAGS_MASK, TCP_FLAG_NAMES);
    case 'nd_ext':
      return `nd_reserved=0x${readUint(a.key, 0, 4).toString(16)},` + formatFields([NDEXT_TYPE], a, verbose);
    default:
      return formatFields(ODP_STRUCT_FIELDS[a.name satisfies OdpStructAttrName], a, verbose);
  }
}

const NDEXT_TYPE: OdpFieldDesc = { name: 'nd_options_type', parseName: 'nd_options_type', offset: 4, bytes: 1, style: 'dec' };

/** Sub-fields `name=value[/mask]`, comma separated (the ds_chomp of the trailing comma included). */
function formatFields(fields: readonly OdpFieldDesc[], a: { key: Uint8Array; mask: Uint8Array }, verbose: boolean): string {
  const out: string[] = [];
  for (const fd of fields) {
    const s = formatField(fd, a.key, a.mask, verbose);
    if (s) out.push(s);
  }
  return out.join(',');
}

const FRAG_NAMES = ['no', 'first', 'later'] as const;

function formatField(fd: OdpFieldDesc, key: Uint8Array, mask: Uint8Array, verbose: boolean): string {
  const { offset: o, bytes: n } = fd;
  const empty = isAllBytes(mask, 0, o, o + n);
  if (fd.style === 'frag') {
    const m = mask[o] ?? 0;
    if (empty) return '';
    if (m !== 0xff) return `error: partial mask not supported for frag (${hexAlt(m)})`;
    return `${fd.name}=${FRAG_NAMES[key[o] ?? 0] ?? '<error>'}`;
  }
  if (!verbose && empty) return '';
  const full = fd.style === 'label' ? (readUint(mask, o, 4) & 0xfffff) === 0xfffff : isAllBytes(mask, 0xff, o, o + n);
  const text = (b: Uint8Array): string => {
    switch (fd.style) {
      case 'ipv4':
        return formatIpv4(b, o);
      case 'ipv6':
        return formatIpv6(b, o);
      case 'mac':
        return formatMac(b, o);
      case 'dec':
        return String(readUint(b, o, n));
      default:
        return hexAlt(readUint(b, o, n));
    }
  };
  let s = `${fd.name}=${text(key)}`;
  if (!full) s += '/' + (fd.style === 'dec' ? hexAlt(readUint(mask, o, n)) : text(mask));
  return s;
}

/** format_vlan_tci(): vid, pcp and a `cfi=0` marker. */
export function formatVlanTci(tci: number, mask: number, verbose: boolean): string {
  const out: string[] = [];
  const vid = tci & 0xfff;
  const vidMask = mask & 0xfff;
  const pcp = (tci >> 13) & 7;
  const pcpMask = (mask >> 13) & 7;
  if (verbose || vid || vidMask) out.push(`vid=${vid}` + (vidMask !== 0xfff ? `/0x${vidMask.toString(16)}` : ''));
  if (verbose || pcp || pcpMask) out.push(`pcp=${pcp}` + (pcpMask !== 7 ? `/0x${pcpMask.toString(16)}` : ''));
  if (!(tci & 0x1000)) out.push('cfi=0');
  return out.join(',');
}

export function formatMplsLse(lse: number): string {
  return `label=${lse >>> 12},tc=${(lse >> 9) & 7},ttl=${lse & 0xff},bos=${(lse >> 8) & 1}`;
}

function formatMpls(a: OdpMplsAttr): string {
  const exact = isOdpAttrExact(a);
  const out: string[] = [];
  for (let i = 0; i + 4 <= a.key.length; i += 4) {
    const k = readUint(a.key, i, 4);
    if (exact) {
      out.push(formatMplsLse(k));
      continue;
    }
    const m = readUint(a.mask, i, 4);
    out.push(
      `label=${k >>> 12}/0x${(m >>> 12).toString(16)},tc=${(k >> 9) & 7}/${((m >> 9) & 7).toString(16)},` +
        `ttl=${k & 0xff}/0x${(m & 0xff).toString(16)},bos=${(k >> 8) & 1}/${((m >> 8) & 1).toString(16)}`,
    );
  }
  return out.join(',');
}

type FlagNames = readonly (readonly [number, string])[];

/** format_flags(): names from the lowest bit up joined by `del`, unknown bits as one hex value, `0` for none. */
export function formatFlags(flags: number, names: FlagNames, del: string): string {
  if (!flags) return '0';
  const out: string[] = [];
  let bad = 0;
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i;
    if (Math.floor((flags >>> 0) / bit) % 2 === 0) continue;
    const name = names.find(([b]) => b === bit)?.[1];
    if (name) out.push(name);
    else bad += bit;
  }
  if (bad) out.push('0x' + bad.toString(16));
  return out.join(del);
}

/** format_flags_masked(): `+name`/`-name` per mask bit, or plain flags when the mask is `max`. */
export function formatFlagsMasked(flags: number, mask: number, max: number, names: FlagNames): string {
  if (mask >>> 0 === max >>> 0) return formatFlags(flags, names, '|');
  if (!mask) return '0/0';
  let s = '';
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i;
    if (Math.floor((mask >>> 0) / bit) % 2 === 0) continue;
    const set = Math.floor((flags >>> 0) / bit) % 2 === 1;
    s += (set ? '+' : '-') + (names.find(([b]) => b === bit)?.[1] ?? '[Unknown]');
  }
  return s;
}
