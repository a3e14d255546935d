/**
 * The megaflow table: the datapath's flow cache of masked flows, with the
 * semantics of the Linux datapath's flow table (net/openvswitch/flow_table.c).
 *
 * What. A megaflow is a (key, mask) pair plus the caller's payload; a packet
 * key matches it when the two agree on every bit the mask sets. Flows with
 * equal masks share one reference-counted mask; masks sit in one list, in
 * the order they were first needed. A lookup probes masks in list order and
 * returns the first flow that matches. Overlapping megaflows are not
 * arbitrated (keeping them disjoint is userspace's job).
 *
 * Why this shape. Per mask, only one hash probe is needed: the packet key
 * is masked, hashed and looked up among that mask's flows. A datapath with
 * a handful of masks answers in a handful of probes, whatever the number of
 * flows; the number of masks probed (`nMaskHit`) is what `ovs-dpctl show`
 * reports as `masks: hit`.
 *
 * How.
 *  - Each mask precomputes the word positions where it is non-zero (and the
 *    mask words there); a flow stores its masked key compacted to those
 *    positions. Hashing and comparing touch those words only. Buckets are a
 *    `Map` from a 30-bit hash (a V8 small integer: no boxing) to the flows
 *    with that hash; per-mask `Set`s keep flow insertion order for dumps.
 *  - The mask cache (mask-cache.ts) runs in front as the kernel runs it:
 *    when the packet hash has a slot, the slot's mask is probed first and
 *    answers as a cache hit; otherwise, or when it does not match, the
 *    other masks are probed in order, skipping the one already probed, and
 *    the slot learns the mask that answered. On a cache miss the slot to be
 *    replaced is probed the same way (the kernel starts its scan at that
 *    slot's old mask). Consequence, as in the kernel: with overlapping
 *    flows a cached mask may answer before an earlier mask that also
 *    matches. Hash 0 or cache size 0 probe in plain list order.
 *  - `lookup` allocates nothing and returns one reused result object.
 *
 * Invariants.
 *  - Every mask in the list has refCount ≥ 1 = the number of its flows;
 *    no two masks in the list are equal.
 *  - No two flows have an equal mask and equal masked key; ufids are unique.
 *  - Removing a mask keeps the order of the others; the mask cache never
 *    names a removed mask (it is re-pointed or emptied).
 *
 * Deviations from the kernel, on purpose: a removed mask's slot is closed
 * up (the kernel moves its last mask into the hole), the mask list is never
 * rebalanced by usage, there is one cache rather than one per CPU, and
 * the cache accepts up to 2^16 slots (the kernel stops at 4096, 32 KiB of
 * per-CPU memory). Left out: flow identification by unmasked key (the
 * caller gives every flow a ufid), the table-full limit (the caller's).
 */
import { FLOW_WORDS, FlowKey } from '../flow/index.ts';
import { DEFAULT_MASK_CACHE_SIZE, MaskCache, hashAddWord, hashFinish, isValidMaskCacheSize } from './mask-cache.ts';

export { DEFAULT_MASK_CACHE_SIZE, megaflowCacheHash } from './mask-cache.ts';

/** A mask in the table's mask list. */
export interface MaskEntry {
  readonly mask: FlowKey;
  /** Flows using it. */
  readonly refCount: number;
}

/** One megaflow. */
export interface MegaflowEntry<T> {
  /** Lowercase UUID text. */
  readonly ufid: string;
  /** Masked copy, owned by the table. */
  readonly key: FlowKey;
  /** Shared between flows with equal masks. */
  readonly mask: MaskEntry;
  /** The caller's payload (actions, stats); mutable. */
  value: T;
}

/** What `lookup` found. */
export interface MegaflowLookup<T> {
  entry: MegaflowEntry<T> | undefined;
  /** Masks probed. */
  nMaskHit: number;
  /** The mask cache named the mask that answered. */
  cacheHit: boolean;
}

export type MegaflowInsertResult<T> =
  | { readonly ok: true; readonly entry: MegaflowEntry<T> }
  | { readonly ok: false; readonly reason: 'exists' | 'ufid-exists'; readonly existing: MegaflowEntry<T> };

// Module-level aliases: under tsx every access to an imported binding is a getter call.
const WORDS = FLOW_WORDS;
const addWord = hashAddWord;
const finish = hashFinish;
const HASH_SEED = 0x6a09e667;
/** Keeps bucket hashes V8 small integers (31-bit with pointer compression). */
const BUCKET_HASH_BITS = 0x3fffffff;

class MaskRecord<T> implements MaskEntry {
  readonly mask: FlowKey;
  refCount = 0;
  /** Word positions where the mask is non-zero, ascending. */
  readonly wordIndex: Uint8Array;
  /** The mask's words at those positions. */
  readonly maskWords: Uint32Array;
  /** Bucket hash → flows with that hash. */
  readonly buckets = new Map<number, FlowRecord<T>[]>();
  /** Flows in insertion order. */
  readonly flows = new Set<FlowRecord<T>>();

  constructor(mask: FlowKey) {
    this.mask = mask.clone();
    const idx: number[] = [];
    const mw = this.mask.words;
    for (let i = 0; i < WORDS; i++) if (mw[i] !== 0) idx.push(i);
    this.wordIndex = Uint8Array.from(idx);
    this.maskWords = Uint32Array.from(idx, (i) => mw[i]!);
  }
}

class FlowRecord<T> implements MegaflowEntry<T> {
  /** False once removed from its table. */
  live = true;
  constructor(
    readonly table: MegaflowTable<T>,
    readonly ufid: string,
    readonly key: FlowKey,
    readonly mask: MaskRecord<T>,
    /** The masked key at the mask's word positions. */
    readonly maskedWords: Uint32Array,
    readonly hash: number,
    public value: T,
  ) {}
}

/** Masks `key` at `m`'s word positions into `out`; returns the bucket hash. */
function maskWords<T>(m: MaskRecord<T>, key: Uint32Array, out: Uint32Array): number {
  const idx = m.wordIndex;
  const mw = m.maskWords;
  let h = HASH_SEED;
  for (let j = 0; j < idx.length; j++) {
    const w = (key[idx[j]!]! & mw[j]!) >>> 0;
    out[j] = w;
    h = addWord(h, w);
  }
  return finish(h) & BUCKET_HASH_BITS;
}

/** The flow of mask `m` matching packet key `key`, if any. */
function probeMask<T>(m: MaskRecord<T>, key: Uint32Array): FlowRecord<T> | undefined {
  const idx = m.wordIndex;
  const mw = m.maskWords;
  const n = idx.length;
  let h = HASH_SEED;
  for (let j = 0; j < n; j++) h = addWord(h, key[idx[j]!]! & mw[j]!);
  const bucket = m.buckets.get(finish(h) & BUCKET_HASH_BITS);
  if (bucket === undefined) return undefined;
  for (let b = 0; b < bucket.length; b++) {
    const f = bucket[b]!;
    const fw = f.maskedWords;
    let j = 0;
    while (j < n && ((key[idx[j]!]! & mw[j]!) >>> 0) === fw[j]) j++;
    if (j === n) return f;
  }
  return undefined;
}

/** The flow of `m` whose masked words equal `words` (already masked), if any. */
function findInMask<T>(m: MaskRecord<T>, words: Uint32Array, hash: number): FlowRecord<T> | undefined {
  const bucket = m.buckets.get(hash);
  if (bucket === undefined) return undefined;
  const n = m.wordIndex.length;
  for (const f of bucket) {
    let j = 0;
    while (j < n && f.maskedWords[j] === words[j]) j++;
    if (j === n) return f;
  }
  return undefined;
}

/**
 * The hash under which the table files `key` among the flows of mask
 * `mask` (30 bits). For tests and diagnostics, not the lookup path.
 */
export function megaflowBucketHash(key: FlowKey, mask: FlowKey): number {
  const m = new MaskRecord<never>(mask);
  return maskWords(m, key.words, new Uint32Array(m.wordIndex.length));
}

/** A flow table of masked flows; see the file comment. */
export class MegaflowTable<T> {
  private readonly maskList: MaskRecord<T>[] = [];
  private readonly byUfid = new Map<string, FlowRecord<T>>();
  private cache: MaskCache;
  private nFlows = 0;
  private readonly result: MegaflowLookup<T> = { entry: undefined, nMaskHit: 0, cacheHit: false };
  private readonly scratch = new Uint32Array(WORDS);

  /** Throws RangeError for a `maskCacheSize` that `setMaskCacheSize` would refuse. */
  constructor(opts?: { maskCacheSize?: number }) {
    this.cache = new MaskCache(opts?.maskCacheSize ?? DEFAULT_MASK_CACHE_SIZE);
  }

  get flowCount(): number {
    return this.nFlows;
  }

  get maskCount(): number {
    return this.maskList.length;
  }

  get maskCacheSize(): number {
    return this.cache.size;
  }

  /**
   * Resizes the mask cache: `n` is 0 (off) or a power of two ≤ 2^16; false,
   * and nothing changes, otherwise. A new size starts empty; the current
   * size keeps the cache as it is (as the kernel does).
   */
  setMaskCacheSize(n: number): boolean {
    if (!isValidMaskCacheSize(n)) return false;
    if (n !== this.cache.size) this.cache = new MaskCache(n);
    return true;
  }

  /**
   * Adds a flow matching `key` under `mask`; the table keeps `key & mask`
   * (a copy) and shares the mask with equal masks. Refused, with the flow in
   * the way, as 'exists' when a flow with an equal mask and an equal masked
   * key exists (checked first), as 'ufid-exists' when `ufid` is taken.
   */
  insert(key: FlowKey, mask: FlowKey, ufid: string, value: T): MegaflowInsertResult<T> {
    let m = this.findMask(mask);
    const probeMaskRec = m ?? new MaskRecord<T>(mask);
    const words = new Uint32Array(probeMaskRec.wordIndex.length);
    const hash = maskWords(probeMaskRec, key.words, words);
    const dup = m && findInMask(m, words, hash);
    if (dup) return { ok: false, reason: 'exists', existing: dup };
    const sameUfid = this.byUfid.get(ufid);
    if (sameUfid) return { ok: false, reason: 'ufid-exists', existing: sameUfid };
    if (!m) {
      m = probeMaskRec;
      this.maskList.push(m);
    }
    const f = new FlowRecord<T>(this, ufid, key.clone().andWith(m.mask), m, words, hash, value);
    m.refCount++;
    const bucket = m.buckets.get(hash);
    if (bucket) bucket.push(f);
    else m.buckets.set(hash, [f]);
    m.flows.add(f);
    this.byUfid.set(ufid, f);
    this.nFlows++;
    return { ok: true, entry: f };
  }

  /**
   * The flow `key` hits, probing the mask cache's slot for `hash` first
   * (see the file comment); `hash` 0 skips the cache (a packet without a
   * hash, like the kernel's skb hash 0). Use `megaflowCacheHash(key)` for a
   * packet's hash. The returned object is reused by the next `lookup` on
   * this table: read it before looking up again.
   */
  lookup(key: FlowKey, hash: number): MegaflowLookup<T> {
    const r = this.result;
    r.nMaskHit = 0;
    r.cacheHit = false;
    const cache = this.cache;
    const h = hash >>> 0;
    if (h === 0 || cache.size === 0) {
      r.entry = this.scan(key.words, 0, -1);
      r.cacheHit = false;
      return r;
    }
    const found = cache.find(h);
    const slot = found >= 0 ? found : -1 - found;
    const f = this.scan(key.words, cache.maskIndex[slot]!, slot);
    r.entry = f;
    if (found >= 0) {
      if (f === undefined) cache.hashes[slot] = 0;
    } else {
      if (f !== undefined) cache.hashes[slot] = h;
      r.cacheHit = false;
    }
    return r;
  }

  /**
   * Probes mask `first` (when it exists), then every other mask in order.
   * Counts probes in the result, sets `cacheHit` when `first` answered, and
   * stores the answering mask's position in cache slot `slot` (-1: none).
   */
  private scan(key: Uint32Array, first: number, slot: number): FlowRecord<T> | undefined {
    const masks = this.maskList;
    const n = masks.length;
    const r = this.result;
    if (first < n) {
      r.nMaskHit++;
      const f = probeMask(masks[first]!, key);
      if (f !== undefined) {
        r.cacheHit = true;
        return f;
      }
    }
    for (let i = 0; i < n; i++) {
      if (i === first) continue;
      r.nMaskHit++;
      const f = probeMask(masks[i]!, key);
      if (f !== undefined) {
        if (slot >= 0) this.cache.maskIndex[slot] = i;
        return f;
      }
    }
    return undefined;
  }

  /** The flow with a mask equal to `mask` and a key equal to `key & mask`. */
  findExact(key: FlowKey, mask: FlowKey): MegaflowEntry<T> | undefined {
    const m = this.findMask(mask);
    if (!m) return undefined;
    const words = this.scratch;
    const hash = maskWords(m, key.words, words);
    return findInMask(m, words, hash);
  }

  findByUfid(ufid: string): MegaflowEntry<T> | undefined {
    return this.byUfid.get(ufid);
  }

  /**
   * Removes a flow of this table; its mask leaves the list (the others
   * keeping their order) when this was its last flow. Throws for an entry
   * that is not in this table (already removed, or another table's).
   */
  remove(entry: MegaflowEntry<T>): void {
    if (!(entry instanceof FlowRecord) || entry.table !== this || !entry.live) {
      throw new Error(`MegaflowTable.remove: flow ${entry.ufid} is not in this table (removed already, or from another table)`);
    }
    const f = entry as FlowRecord<T>;
    f.live = false;
    const m = f.mask;
    const bucket = m.buckets.get(f.hash)!;
    if (bucket.length === 1) m.buckets.delete(f.hash);
    else bucket.splice(bucket.indexOf(f), 1);
    m.flows.delete(f);
    this.byUfid.delete(f.ufid);
    this.nFlows--;
    if (--m.refCount === 0) {
      const index = this.maskList.indexOf(m);
      this.maskList.splice(index, 1);
      this.cache.forgetMask(index);
    }
  }

  /** Removes every flow and mask and empties the mask cache; returns the number of flows removed. */
  flush(): number {
    const n = this.nFlows;
    for (const f of this.byUfid.values()) f.live = false;
    for (const m of this.maskList) m.refCount = 0;
    this.byUfid.clear();
    this.maskList.length = 0;
    this.cache.clear();
    this.nFlows = 0;
    return n;
  }

  /** Every flow: masks in list order, within a mask flows in insertion order. */
  entries(): MegaflowEntry<T>[] {
    const out: MegaflowEntry<T>[] = [];
    for (const m of this.maskList) for (const f of m.flows) out.push(f);
    return out;
  }

  /** The mask list, in order. */
  masks(): MaskEntry[] {
    return this.maskList.slice();
  }

  private findMask(mask: FlowKey): MaskRecord<T> | undefined {
    for (const m of this.maskList) if (m.mask.equals(mask)) return m;
    return undefined;
  }
}
