/**
 * Test support for the fuzz tests: a seeded random source and the
 * mutations applied to frames and text lines. Deterministic for a given
 * seed, so a failure prints the seed and the offending input and can be
 * replayed. Not used outside tests and benchmarks.
 */

/** mulberry32: a small, fast, seedable 32-bit PRNG. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('SeededRandom.pick: empty list');
    return xs[this.below(xs.length)]!;
  }
}

/** Interesting byte values for length, type and flag fields. */
const SPECIAL_BYTES = [0x00, 0x01, 0x05, 0x06, 0x08, 0x11, 0x2c, 0x3a, 0x3b, 0x40, 0x45, 0x4f, 0x60, 0x7f, 0x80, 0x81, 0x86, 0x87, 0x88, 0xa8, 0xdd, 0xfe, 0xff];

/**
 * Returns a mutated copy of `frame`: 1–4 of bit flips, special bytes,
 * truncation, extension with random bytes, byte insertion or deletion.
 */
export function mutateFrame(rng: SeededRandom, frame: Uint8Array): Uint8Array {
  let out = new Uint8Array(frame); // a real copy: pcap seeds are Buffers, whose slice() is a view
  const n = 1 + rng.below(4);
  for (let i = 0; i < n; i++) {
    const at = rng.below(Math.max(1, out.length));
    switch (rng.below(6)) {
      case 0:
        if (out.length > 0) out[at] = out[at]! ^ (1 << rng.below(8));
        break;
      case 1:
        if (out.length > 0) out[at] = rng.pick(SPECIAL_BYTES);
        break;
      case 2:
        out = out.slice(0, rng.below(out.length + 1));
        break;
      case 3: {
        const extra = new Uint8Array(rng.below(64));
        for (let j = 0; j < extra.length; j++) extra[j] = rng.below(256);
        const grown = new Uint8Array(out.length + extra.length);
        grown.set(out);
        grown.set(extra, out.length);
        out = grown;
        break;
      }
      case 4: {
        const grown = new Uint8Array(out.length + 1);
        grown.set(out.subarray(0, at));
        grown[at] = rng.below(256);
        grown.set(out.subarray(at), at + 1);
        out = grown;
        break;
      }
      default:
        if (out.length > 0) {
          const shrunk = new Uint8Array(out.length - 1);
          shrunk.set(out.subarray(0, at));
          shrunk.set(out.subarray(at + 1), at);
          out = shrunk;
        }
    }
  }
  return out;
}

/** A frame of 0–255 random bytes. */
export function randomFrame(rng: SeededRandom): Uint8Array {
  const out = new Uint8Array(rng.below(256));
  for (let i = 0; i < out.length; i++) out[i] = rng.below(256);
  return out;
}

const SPECIAL_CHARS = ['(', ')', ',', '=', '/', ':', '.', '"', "'", '[', ']', '\\', '0x', '-', '+', '|', ' ', '\n', '\u00e9', '\u0000', '99999999999999999999', 'ff', 'drop'];

/** Returns a mutated copy of a text line: 1–3 character-level edits or splices. */
export function mutateLine(rng: SeededRandom, line: string, donors: readonly string[]): string {
  let s = line;
  const n = 1 + rng.below(3);
  for (let i = 0; i < n; i++) {
    const at = rng.below(s.length + 1);
    switch (rng.below(6)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + rng.below(4));
        break;
      case 1:
        s = s.slice(0, at) + rng.pick(SPECIAL_CHARS) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at);
        break;
      case 3: {
        const from = rng.below(s.length + 1);
        s = s.slice(0, at) + s.slice(from, from + 1 + rng.below(12)) + s.slice(at);
        break;
      }
      case 4: {
        const donor = rng.pick(donors);
        const from = rng.below(donor.length + 1);
        s = s.slice(0, at) + donor.slice(from, from + 1 + rng.below(20)) + s.slice(at);
        break;
      }
      default:
        s = s.slice(0, at) + String.fromCharCode(32 + rng.below(95)) + s.slice(at + 1);
    }
  }
  return s;
}
