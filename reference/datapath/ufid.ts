/**
 * Unique flow identifiers (UFIDs): the 128-bit flow ids of the kernel's
 * FLOW family (OVS_FLOW_ATTR_UFID), written as UUID text.
 *
 * `ufidFromKey` derives one from a key the way `ovs-appctl dpctl/add-flow`
 * does when no `ufid:` is given (lib/dpctl.c: a 128-bit hash of the key
 * attributes, then `uuid_set_bits_v4`), except that the hash is a stable one
 * (SHA-256 of a canonical text) instead of OVS's per-process random basis.
 *
 * Invariants: only key values count, never masks (as odp_flow_key_hash
 * hashes the key buffer only), and attribute order does not matter (the text
 * lists attributes in the kernel's order); the result is lowercase
 * 8-4-4-4-12 text with the UUID version-4 and variant bits set.
 */
import { createHash } from 'node:crypto';
import type { OdpAttr, OdpKey } from '../flow/index.ts';
import { KERNEL_ATTR_RANK } from '../flow/index.ts';

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True when `text` is a UUID (any case, no prefix). */
export function isUfid(text: string): boolean {
  return UUID_RE.test(text);
}

/** `text` as a canonical ufid (trimmed, an optional `ufid:` prefix removed, lowercase), or undefined when it is not one. */
export function normalizeUfid(text: string): string | undefined {
  let t = text.trim();
  if (t.toLowerCase().startsWith('ufid:')) t = t.slice(5);
  return isUfid(t) ? t.toLowerCase() : undefined;
}

/** A stable UFID for a flow key (see the file comment). */
export function ufidFromKey(key: OdpKey): string {
  const h = createHash('sha256').update(canonicalKeyText(key.attrs)).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Key values only, attributes sorted into the kernel's order (stable), nested lists in braces. */
function canonicalKeyText(attrs: readonly OdpAttr[]): string {
  const ranked = attrs.map((a, i) => ({ a, i, r: (KERNEL_ATTR_RANK as Record<string, number | undefined>)[a.name] ?? 99 }));
  ranked.sort((x, y) => x.r - y.r || x.i - y.i);
  return ranked
    .map(({ a }) => {
      if (a.name === 'encap') return `encap{${canonicalKeyText(a.attrs)}}`;
      if (a.name === 'eth_type' && a.keyAbsent) return 'eth_type()';
      return `${a.name}(${Buffer.from(a.key).toString('hex')})`;
    })
    .join(',');
}
