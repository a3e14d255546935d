/**
 * The order in which Open vSwitch iterates a `struct shash` (JSON objects,
 * table and column lists): it is a hash map, so members come out by bucket
 * (hash_string(name, 0) & mask), and within a bucket newest first, with the
 * bucket count growing as lib/hmap.c grows it. ovsdb-server writes every
 * JSON object in this order, and walks columns in it when it looks for the
 * first error, so replies match byte for byte only if we do the same.
 *
 * Assumes OVS built without SSE4.2 CRC hashing (the murmur-based
 * lib/hash.h path), as the Debian/Ubuntu x86-64 packages are.
 */

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function mhashAdd(hash: number, data: number): number {
  if (data !== 0) {
    let d = Math.imul(data, 0xcc9e2d51) >>> 0;
    d = rotl(d, 15);
    d = Math.imul(d, 0x1b873593) >>> 0;
    hash = (hash ^ d) >>> 0;
  }
  hash = rotl(hash, 13);
  return (Math.imul(hash, 5) + 0xe6546b64) >>> 0;
}

function mhashFinish(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** OVS hash_string(s, 0): murmur over the UTF-8 bytes in little-endian 32-bit words. */
export function ovsHashString(s: string): number {
  const b = Buffer.from(s, 'utf8');
  let hash = 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) hash = mhashAdd(hash, b.readUInt32LE(i));
  if (i < b.length) {
    let tmp = 0;
    for (let j = 0; i + j < b.length; j++) tmp |= (b[i + j] as number) << (8 * j);
    hash = mhashAdd(hash, tmp >>> 0);
  }
  return mhashFinish((hash ^ b.length) >>> 0);
}

function calcMask(capacity: number): number {
  let mask = Math.floor(capacity / 2);
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  mask |= (mask & 1) << 1;
  return mask;
}

function computeOrder(keys: readonly string[]): string[] {
  let mask = 0;
  let buckets: { key: string; hash: number }[][] = [[]];
  let n = 0;
  for (const key of keys) {
    const node = { key, hash: ovsHashString(key) };
    (buckets[node.hash & mask] as { key: string; hash: number }[]).unshift(node);
    n++;
    if (Math.floor(n / 2) > mask) {
      const newMask = calcMask(n);
      if (newMask > mask) {
        const next: { key: string; hash: number }[][] = Array.from({ length: newMask + 1 }, () => []);
        for (const chain of buckets) for (const nd of chain) (next[nd.hash & newMask] as typeof chain).unshift(nd);
        buckets = next;
        mask = newMask;
      }
    }
  }
  return buckets.flat().map((nd) => nd.key);
}

const cache = new Map<string, readonly string[]>();
let lastKeys: readonly string[] = [];
let lastOrder: readonly string[] = [];

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `keys` (distinct, in insertion order) in the order OVS's shash would iterate them. */
export function ovsHashOrder(keys: readonly string[]): readonly string[] {
  if (keys.length < 2) return keys;
  // Replies repeat one shape (rows of a table), so the previous answer is often the answer.
  if (sameKeys(keys, lastKeys)) return lastOrder;
  const id = keys.join('\u0000');
  let order = cache.get(id);
  if (!order) {
    order = computeOrder(keys);
    if (cache.size > 10000) cache.clear();
    cache.set(id, order);
  }
  lastKeys = keys.slice();
  lastOrder = order;
  return order;
}
