/**
 * The switch clock: milliseconds that normally follow the real monotonic
 * clock and that `time/stop` and `time/warp` move by hand, as Open vSwitch's
 * dummy timeval does (lib/timeval.c) so tests can age flows without
 * waiting.
 *
 * Invariants: `now()` never goes backwards; it is an integer number of
 * milliseconds, and never 0 (the datapath reads a `used` of 0 as "never").
 * After `stop()`, only `warp()` advances it.
 *
 * Left out on purpose: the wall clock (log timestamps stay real), and
 * restarting a stopped clock (OVS has no command for it either).
 */

export class WarpClock {
  private offsetMs = 0;
  private stoppedAtMs: number | undefined;
  private lastMs = 0;

  /** `realMs`: a monotonic source in ms (default: performance.timeOrigin + performance.now()). */
  constructor(private readonly realMs: () => number = () => performance.timeOrigin + performance.now()) {}

  now(): number {
    const base = this.stoppedAtMs ?? this.realMs();
    this.lastMs = Math.max(this.lastMs, Math.max(1, Math.floor(base + this.offsetMs)));
    return this.lastMs;
  }

  get isStopped(): boolean {
    return this.stoppedAtMs !== undefined;
  }

  /** Freezes the clock at its current reading (time/stop). */
  stop(): void {
    if (this.stoppedAtMs === undefined) this.stoppedAtMs = this.realMs();
  }

  /** Moves the clock forward by `ms` (time/warp); negative values are a bug. */
  warp(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`WarpClock.warp: ${ms} ms is not a forward step`);
    this.offsetMs += ms;
  }
}
