/**
 * Canonical form of a datapath flow, so that dumps from the kernel datapath
 * and from the userspace datapath (and from the reference switch) compare as
 * text: the Linux kernel's attribute order (__ovs_nla_put_key in
 * net/openvswitch/flow_netlink.c), values masked by their masks (as the
 * kernel stores a masked key), `packet_type(ns=0,id=0)` replaced by the
 * Ethernet attribute it implies (printed `eth()` when wildcarded), a
 * wildcarded packet_type dropped, ct_state masks limited to the 8 bits both
 * datapaths store, non-verbose kernel-style printing.
 *
 * Invariant: canonicalisation is idempotent and never changes which packets a
 * flow matches; the ufid is kept unless `dropUfid` is set.
 *
 * Left out on purpose: normalising `used:` or stats (golden-file policy, not
 * format), and port renaming (pass `portNames` to the formatter).
 */
import { KERNEL_ATTR_RANK, cloneOdpAttrs, isAllBytes, newOdpAttr } from './odp-key.ts';
import type { OdpAttr, OdpKey } from './odp-key.ts';
import type { OdpFlow, OdpFormatOptions, OdpParseOptions } from './odp-flow.ts';
import { formatOdpFlow, parseOdpFlow, parseOdpFlows } from './odp-flow.ts';
import type { OdpParseError } from './odp-text-scanner.ts';

export interface OdpCanonicalOptions {
  /** Remove the `ufid:` prefix. */
  readonly dropUfid?: boolean;
}

/** A new key in canonical form (see file comment). */
export function canonicalizeOdpKey(key: OdpKey): OdpKey {
  return { attrs: canonicalAttrs(cloneOdpAttrs(key.attrs)) };
}

function canonicalAttrs(attrs: OdpAttr[]): OdpAttr[] {
  let out: OdpAttr[] = [];
  let dropPacketTypeEth = false;
  for (const a of attrs) {
    if (a.name === 'encap') {
      out.push({ name: 'encap', attrs: canonicalAttrs(a.attrs) });
      continue;
    }
    if (a.name === 'packet_type') {
      if (isAllBytes(a.mask, 0)) continue;
      if (isAllBytes(a.key, 0) && isAllBytes(a.mask, 0xff)) {
        dropPacketTypeEth = true;
        continue;
      }
    }
    if (a.name === 'ct_state') a.mask.fill(0, 0, 3);
    for (let i = 0; i < a.key.length; i++) a.key[i] = (a.key[i] ?? 0) & (a.mask[i] ?? 0);
    out.push(a);
  }
  if (dropPacketTypeEth && !out.some((a) => a.name === 'eth')) out.push(newOdpAttr('eth'));
  out = out
    .map((a, i) => ({ a, i }))
    .sort((x, y) => KERNEL_ATTR_RANK[x.a.name] - KERNEL_ATTR_RANK[y.a.name] || x.i - y.i)
    .map((x) => x.a);
  return out;
}

/** A new flow in canonical form (key canonical, actions as they are). */
export function canonicalizeOdpFlow(flow: OdpFlow, opts: OdpCanonicalOptions = {}): OdpFlow {
  const { ufid, ...rest } = flow;
  const base = { ...rest, key: canonicalizeOdpKey(flow.key) };
  return ufid !== undefined && !opts.dropUfid ? { ufid, ...base } : base;
}

export type OdpNormalizeResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: OdpParseError };

/** Parses one line (either datapath style) and prints it canonically, non-verbose. Never throws. */
export function normalizeOdpFlow(text: string, opts: OdpParseOptions & OdpCanonicalOptions & Omit<OdpFormatOptions, 'verbose'> = {}): OdpNormalizeResult {
  const r = parseOdpFlow(text, opts);
  if (!r.ok) return r;
  const fmt = opts.portNames ? { portNames: opts.portNames } : {};
  return { ok: true, text: formatOdpFlow(canonicalizeOdpFlow(r.flow, opts), fmt) };
}

export type OdpNormalizeDumpResult = { readonly ok: true; readonly lines: string[] } | { readonly ok: false; readonly error: OdpParseError };

/**
 * Normalises a whole dump (header lines skipped) into sorted canonical lines,
 * the form golden files compare.
 */
export function normalizeOdpDump(text: string, opts: Omit<OdpParseOptions, 'line'> & OdpCanonicalOptions = {}): OdpNormalizeDumpResult {
  const r = parseOdpFlows(text, opts);
  if (!r.ok) return r;
  const fmt = opts.portNames ? { portNames: opts.portNames } : {};
  return { ok: true, lines: r.flows.map((f) => formatOdpFlow(canonicalizeOdpFlow(f, opts), fmt)).sort() };
}
