/**
 * SendPacer: a token bucket that paces the frames the harness sends into
 * one switch port so that the switch's receive socket cannot overflow.
 *
 * What it limits: the bytes the frames will occupy in a Linux socket
 * receive buffer (their skb "truesize", estimated by receiveChargeBytes),
 * not wire bytes — that is what fills the switch's buffer. Open vSwitch's
 * netdev datapath reads veth ports through AF_PACKET sockets with the
 * default buffer (net.core.rmem_default, 208 KiB here: 256 frames of 64 B or
 * 93 of 1500 B) and its main thread, which polls them, stalls for up to
 * ~10-35 ms now and then (measured, OVS 3.1). Whatever arrives during a
 * stall must fit in the buffer.
 *
 * Defaults: 8 KiB per ms (≈10 frames/ms of 64 B, ≈3.5 of 1500 B), so a
 * 26 ms stall fills the buffer at most; bucket 16 KiB (a burst after a
 * pause); at most 32 frames per sendmmsg. slowFactor divides the rate.
 * Invariant: over any interval T the frames released cost at most
 * bucketBytes + T × rate (a single frame larger than the bucket goes alone,
 * when the bucket is full). The clock is injected for tests.
 * Left out on purpose: feedback from the switch (its queue is not visible
 * cheaply), pcap timing replay.
 */

export interface PacerOptions {
  /** Receive-buffer bytes released per millisecond. */
  readonly rateBytesPerMs: number;
  /** Most bytes released back to back after a pause. */
  readonly bucketBytes: number;
  /** Most frames in one batch (one sendmmsg). */
  readonly maxBurstFrames: number;
}

export const DEFAULT_PACER: PacerOptions = { rateBytesPerMs: 8192, bucketBytes: 16384, maxBurstFrames: 32 };

/**
 * Estimated receive-buffer charge of a frame: Linux allocates at least
 * ~256 B of data per skb plus ~768 B of skb and shared-info overhead
 * (measured: 832 B for 64 B frames, 1275 B for 512 B, 2290 B for 1500 B).
 */
export function receiveChargeBytes(lengthBytes: number): number {
  return 768 + Math.max(lengthBytes, 256);
}

export class SendPacer {
  private readonly options: PacerOptions;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;

  constructor(options: PacerOptions = DEFAULT_PACER, now: () => number = () => performance.now()) {
    if (!(options.rateBytesPerMs > 0) || !(options.bucketBytes > 0) || !Number.isInteger(options.maxBurstFrames) || options.maxBurstFrames < 1) {
      throw new RangeError(`pacer options ${JSON.stringify(options)}: rate and bucket must be > 0, maxBurstFrames a positive integer`);
    }
    this.options = options;
    this.now = now;
    this.tokens = options.bucketBytes;
    this.refilledAt = now();
  }

  /**
   * How many of `frames[from..]` may be sent now (0..maxBurstFrames) and,
   * when none may, how many ms until the next one fits.
   */
  next(frames: readonly Uint8Array[], from: number): { count: number; waitMs: number } {
    this.refill();
    let budget = this.tokens;
    let count = 0;
    while (from + count < frames.length && count < this.options.maxBurstFrames) {
      const cost = Math.min(receiveChargeBytes(frames[from + count]?.length ?? 0), this.options.bucketBytes);
      if (cost > budget) break;
      budget -= cost;
      count++;
    }
    if (count > 0 || from >= frames.length) return { count, waitMs: 0 };
    const cost = Math.min(receiveChargeBytes(frames[from]?.length ?? 0), this.options.bucketBytes);
    return { count: 0, waitMs: Math.max(1, Math.ceil((cost - this.tokens) / this.options.rateBytesPerMs)) };
  }

  /** Records that `frames[from..from+count)` were handed to the kernel. */
  spend(frames: readonly Uint8Array[], from: number, count: number): void {
    for (let i = from; i < from + count; i++) {
      this.tokens -= Math.min(receiveChargeBytes(frames[i]?.length ?? 0), this.options.bucketBytes);
    }
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.options.bucketBytes, this.tokens + (t - this.refilledAt) * this.options.rateBytesPerMs);
    this.refilledAt = t;
  }
}
