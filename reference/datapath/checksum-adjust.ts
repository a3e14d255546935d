/**
 * Incremental Internet checksum updates (RFC 1624 eqn. 3,
 * HC' = ~(~HC + ~m + m')), as the kernel's csum_replace2/4/16 and
 * inet_proto_csum_replace* do for header rewrites: a checksum stays right
 * if it was right, and stays wrong by the same amount if it was wrong.
 *
 * Invariant: the rewritten bytes must sit at an even offset from the start
 * of what the checksum covers (all rewritable fields do: addresses, ports,
 * type/code, the TTL/protocol and version/TOS words, ND targets and
 * link-layer options); callers pass the sums of the 16-bit words before and
 * after the change, taken with `sumWords` over the same range.
 *
 * Left out: full recomputation; SCTP's CRC32c is recomputed by its caller.
 */
import { sumWords } from '../packet/index.ts';

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum `check` after words summing to `oldSum` were replaced by words summing to `newSum`. */
export function adjustChecksum(check: number, oldSum: number, newSum: number): number {
  return ~fold((~check & 0xffff) + (0xffff - fold(oldSum)) + fold(newSum)) & 0xffff;
}

/** Reads the 16-bit big-endian value at `at`. */
export function read16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/** Writes a 16-bit big-endian value at `at`. */
export function write16(b: Uint8Array, at: number, value: number): void {
  b[at] = (value >>> 8) & 0xff;
  b[at + 1] = value & 0xff;
}

/** Adjusts the 16-bit checksum stored at `checkAt` for a change from `oldSum` to `newSum`. */
export function adjustChecksumAt(b: Uint8Array, checkAt: number, oldSum: number, newSum: number): void {
  write16(b, checkAt, adjustChecksum(read16(b, checkAt), oldSum, newSum));
}

/** What `writeMasked` did: whether any byte changed, and the word sums of the range before and after. */
export interface MaskedWrite {
  changed: boolean;
  oldSum: number;
  newSum: number;
}

const lastWrite: MaskedWrite = { changed: false, oldSum: 0, newSum: 0 };

/**
 * Rewrites `n` bytes of `b` at `at` to `(old & ~mask) | (value & mask)`,
 * byte by byte (`value` and `mask` read at `srcAt`). Returns what changed
 * (one shared object, valid until the next call).
 */
export function writeMasked(b: Uint8Array, at: number, n: number, value: Uint8Array, mask: Uint8Array, srcAt: number): MaskedWrite {
  lastWrite.oldSum = sumWords(b, at, at + n);
  let changed = false;
  for (let i = 0; i < n; i++) {
    const m = mask[srcAt + i] ?? 0;
    const old = b[at + i] ?? 0;
    const v = (old & ~m) | ((value[srcAt + i] ?? 0) & m);
    if (v !== old) {
      b[at + i] = v;
      changed = true;
    }
  }
  lastWrite.changed = changed;
  lastWrite.newSum = changed ? sumWords(b, at, at + n) : lastWrite.oldSum;
  return lastWrite;
}

/** True when any of `n` mask bytes at `at` is non-zero. */
export function hasMask(mask: Uint8Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) if ((mask[at + i] ?? 0) !== 0) return true;
  return false;
}
