/**
 * The megaflow table's mask cache and the packet hash that indexes it,
 * modelled on the Linux datapath's per-CPU mask cache
 * (net/openvswitch/flow_table.c, `ovs_flow_tbl_lookup_stats`).
 *
 * What: `size` slots (a power of two, or 0 = off), each holding a packet
 * hash and the position of the mask that last answered a packet with that
 * hash. A hash picks up to four slots, one per 8-bit segment of the hash
 * (`hash >>> 8·seg` masked to the size). The table (megaflow-table.ts) runs
 * the lookup algorithm; this file keeps the slots and says which slot a
 * hash uses.
 *
 * Invariants:
 *  - A slot's mask position always names a live mask, or its hash is 0
 *    (empty): `forgetMask` re-points slots when a mask leaves the ordered
 *    mask list, `clear` empties them all.
 *  - A stored hash is never 0; `megaflowCacheHash` never returns 0.
 *
 * Also here: the 32-bit word hash (a murmur3-style mixer, written for this
 * project) shared with the table's masked-key hash.
 *
 * Left out: per-CPU caches (one cache serves every lookup), the kernel's
 * per-mask usage counters and the periodic mask rebalance that reorders the
 * mask list by use.
 */
import { FlowOffset } from '../flow/index.ts';

/** Entries of a new table's mask cache (kernel MC_DEFAULT_HASH_ENTRIES). */
export const DEFAULT_MASK_CACHE_SIZE = 256;
/** Largest mask cache this table accepts. */
export const MAX_MASK_CACHE_SIZE = 1 << 16;
/** Slots a hash may use, one per 8-bit segment (kernel MC_HASH_SEGS). */
const SEGMENTS = 4;
const SEGMENT_BITS = 8;

/** Mixes one 32-bit word into a running hash. */
export function hashAddWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let x = h ^ k;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

/** Final avalanche of a running hash; returns an unsigned 32-bit value. */
export function hashFinish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const addWord = hashAddWord;
const finish = hashFinish;
const W_IN_PORT = FlowOffset.in_port / 4;
const W_RECIRC = FlowOffset.recirc_id / 4;
const W_DL_FIRST = FlowOffset.dl_dst / 4; // dl_dst, dl_src, dl_type (+ padding): 4 words
const W_NW_SRC = FlowOffset.nw_src / 4; // nw_src, nw_dst, ipv6_src, ipv6_dst: 10 words
const W_PROTO = FlowOffset.nw_proto >> 2; // nw_proto is the last byte of its word
const W_PORTS = FlowOffset.tp_src / 4; // tp_src and tp_dst share a word
const HASH_SEED = 0x2f0e1a93;
const RECIRC_SEED = 0x5bd1e995;

/**
 * The mask-cache hash of a packet's flow key, standing in for the kernel's
 * `skb_get_hash`: over in_port, the Ethernet addresses and type, the IPv4
 * and IPv6 addresses, the IP protocol and the L4 ports (not TTL, TOS, VLAN
 * or metadata other than in_port). A non-zero `recirc_id` is then hashed in
 * on top, as the kernel does before probing the cache, so a recirculated
 * packet does not share the pre-recirculation slot. Never 0 (0 maps to 1),
 * because the table reads hash 0 as "no hash, skip the cache".
 */
export function megaflowCacheHash(key: { readonly words: Uint32Array }): number {
  const w = key.words;
  let h = addWord(HASH_SEED, w[W_IN_PORT]!);
  for (let i = W_DL_FIRST; i < W_DL_FIRST + 4; i++) h = addWord(h, w[i]!);
  for (let i = W_NW_SRC; i < W_NW_SRC + 10; i++) h = addWord(h, w[i]!);
  h = addWord(h, w[W_PROTO]! >>> 24);
  h = addWord(h, w[W_PORTS]!);
  let hash = finish(h);
  const recirc = w[W_RECIRC]!;
  if (recirc !== 0) hash = finish(addWord(addWord(RECIRC_SEED, hash), recirc));
  return hash === 0 ? 1 : hash;
}

/** True for the sizes a mask cache may have: 0 (off) or a power of two up to `MAX_MASK_CACHE_SIZE`. */
export function isValidMaskCacheSize(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_MASK_CACHE_SIZE && (n & (n - 1)) === 0;
}

/**
 * The slots. Fields are public for the table's hot path; only the table
 * writes them.
 */
export class MaskCache {
  readonly size: number;
  /** Packet hash per slot; 0 = empty. */
  readonly hashes: Uint32Array;
  /** Position in the mask list of the mask that last answered this slot's hash. */
  readonly maskIndex: Uint32Array;

  /** `size` must satisfy `isValidMaskCacheSize`. */
  constructor(size: number) {
    if (!isValidMaskCacheSize(size)) throw new RangeError(`MaskCache: size ${size} is not 0 or a power of two ≤ ${MAX_MASK_CACHE_SIZE}`);
    this.size = size;
    this.hashes = new Uint32Array(size);
    this.maskIndex = new Uint32Array(size);
  }

  /**
   * The slot holding `hash` (≥ 0), or, when none of the hash's slots holds
   * it, `-1 - slot` of the slot to replace: the one with the lowest stored
   * hash (an empty one first), the earliest on a tie, as the kernel picks.
   * `hash` is non-zero and the cache is not off.
   */
  find(hash: number): number {
    const hashes = this.hashes;
    const sizeMask = this.size - 1;
    let h = hash;
    let candidate = -1;
    let candidateHash = 0;
    for (let seg = 0; seg < SEGMENTS; seg++) {
      const slot = h & sizeMask;
      const stored = hashes[slot]!;
      if (stored === hash) return slot;
      if (candidate < 0 || stored < candidateHash) {
        candidate = slot;
        candidateHash = stored;
      }
      h >>>= SEGMENT_BITS;
    }
    return -1 - candidate;
  }

  /**
   * The mask at list position `index` left the list and the masks after it
   * moved up one: slots naming it are emptied (position reset to 0), slots
   * naming a later mask follow it.
   */
  forgetMask(index: number): void {
    const hashes = this.hashes;
    const pos = this.maskIndex;
    for (let s = 0; s < this.size; s++) {
      const p = pos[s]!;
      if (p === index) {
        hashes[s] = 0;
        pos[s] = 0;
      } else if (p > index) {
        pos[s] = p - 1;
      }
    }
  }

  /** Empties every slot. */
  clear(): void {
    this.hashes.fill(0);
    this.maskIndex.fill(0);
  }
}
