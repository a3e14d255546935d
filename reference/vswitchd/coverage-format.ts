/**
 * Event coverage counters and their `coverage/show` text, after Open
 * vSwitch's lib/coverage.c.
 *
 * What: `CoverageCounters` holds the process's own named counters in
 * registration order; `CoverageHistory` turns successive totals into OVS's
 * three moving rates (the last 5 s interval, the last minute, the last
 * hour); `formatCoverageShow` prints them:
 *
 *   Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=XXXXXXXX:
 *   <name padded to 24> %5.1f/sec %9.3f/sec %13.4f/sec   total: N     (one line per counter hit)
 *   N events never hit
 *
 * How the rates work (as coverage_run): every 5,000 ms of the switch clock
 * the increase of each total since the last run goes into a 12-slot ring
 * (one minute of 5 s slots) and is added to the current minute of a
 * 60-slot ring (one hour); when several intervals passed at once (a
 * `time/warp`), the increase is spread evenly over them, the remainder in
 * the last one.
 *
 * Invariants: counter order is registration order (the order of the
 * sources given to the formatter), never sorted; a counter never hit is
 * only counted in the last line.
 *
 * Left out on purpose: OVS's exact `hash=` value. OVS hashes the counter
 * names grouped by equal totals with its own murmur-style hash; we hash the
 * same grouping with FNV-1a, so the value changes exactly when OVS's would
 * but differs from it.
 */

export const COVERAGE_RUN_INTERVAL_MS = 5000;
const MIN_SLOTS = 60000 / COVERAGE_RUN_INTERVAL_MS;
const HR_SLOTS = 60;
const RING = MIN_SLOTS * HR_SLOTS;

/** Named event counters of one component, in registration order. */
export class CoverageCounters {
  private readonly totals = new Map<string, number>();

  constructor(names: readonly string[] = []) {
    for (const n of names) this.define(n);
  }

  /** Registers a counter (at zero); registering twice is harmless. */
  define(name: string): void {
    if (!this.totals.has(name)) this.totals.set(name, 0);
  }

  /** Adds `amount` to a counter, registering it if needed. */
  inc(name: string, amount = 1): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + amount);
  }

  get(name: string): number | undefined {
    return this.totals.get(name);
  }

  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.totals);
  }
}

interface Rates {
  last: number;
  readonly min: number[];
  readonly hr: number[];
}

/** OVS's moving averages over the totals it is shown at each run. */
export class CoverageHistory {
  private nextRunMs: number | undefined;
  private idx = 0;
  private readonly rates = new Map<string, Rates>();

  /**
   * Catches up with the clock (coverage_run): for each 5 s interval that
   * ended since the last run, records the counters' increase. The first
   * call only arms the timer. Totals never seen before start from zero.
   */
  run(nowMs: number, totals: ReadonlyMap<string, number>): void {
    if (this.nextRunMs === undefined) {
      this.nextRunMs = nowMs + COVERAGE_RUN_INTERVAL_MS;
      for (const [name] of totals) this.ratesOf(name);
      return;
    }
    if (nowMs < this.nextRunMs) return;
    const slots = Math.floor((nowMs - this.nextRunMs) / COVERAGE_RUN_INTERVAL_MS) + 1;
    for (const [name, total] of totals) {
      const r = this.ratesOf(name);
      const count = Math.max(0, total - r.last);
      r.last = total;
      const portion = Math.floor(count / slots);
      // Slots beyond one hour are overwritten anyway; only the last RING of them matter.
      const skip = Math.max(0, slots - RING);
      let idx = (this.idx + skip) % RING;
      for (let j = skip; j < slots; j++) {
        const m = idx % MIN_SLOTS;
        const h = Math.floor(idx / MIN_SLOTS);
        const v = portion + (j === slots - 1 ? count % slots : 0);
        r.min[m] = v;
        r.hr[h] = m === 0 ? v : (r.hr[h] ?? 0) + v;
        idx = (idx + 1) % RING;
      }
    }
    this.idx = (this.idx + slots) % RING;
    this.nextRunMs = nowMs + COVERAGE_RUN_INTERVAL_MS;
  }

  /** Per-second rates over the last interval, minute and hour. */
  ratesFor(name: string): { readonly interval: number; readonly minute: number; readonly hour: number } {
    const r = this.rates.get(name);
    if (!r) return { interval: 0, minute: 0, hour: 0 };
    const lastSlot = r.min[(this.idx + RING - 1) % MIN_SLOTS] ?? 0;
    return {
      interval: (lastSlot * 1000) / COVERAGE_RUN_INTERVAL_MS,
      minute: sum(r.min) / 60,
      hour: sum(r.hr) / 3600,
    };
  }

  private ratesOf(name: string): Rates {
    let r = this.rates.get(name);
    if (!r) {
      r = { last: 0, min: new Array<number>(MIN_SLOTS).fill(0), hr: new Array<number>(HR_SLOTS).fill(0) };
      this.rates.set(name, r);
    }
    return r;
  }
}

function sum(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/**
 * The grouping hash of coverage_hash: counters sorted by total (descending,
 * then name), each group of equal non-zero totals hashed with its rank and
 * names, then the number of groups. FNV-1a, not OVS's hash function.
 */
export function coverageHash(totals: ReadonlyMap<string, number>): number {
  const sorted = [...totals].filter(([, v]) => v > 0).sort((a, b) => (b[1] - a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let h = 0x811c9dc5;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  let groups = 0;
  for (let i = 0; i < sorted.length; ) {
    groups++;
    mix(`#${i}`);
    let j = i;
    while (j < sorted.length && sorted[j]?.[1] === sorted[i]?.[1]) mix(sorted[j++]?.[0] ?? '');
    i = j;
  }
  mix(`=${groups}`);
  return h >>> 0;
}

/** `coverage/show` text for `totals` (in registration order), rates from `history`. Ends with a newline. */
export function formatCoverageShow(totals: ReadonlyMap<string, number>, history: CoverageHistory): string {
  const hash = coverageHash(totals).toString(16).padStart(8, '0');
  const lines = [`Event coverage, avg rate over last: ${COVERAGE_RUN_INTERVAL_MS / 1000} seconds, last minute, last hour,  hash=${hash}:`];
  let neverHit = 0;
  for (const [name, total] of totals) {
    if (total === 0) {
      neverHit++;
      continue;
    }
    const r = history.ratesFor(name);
    lines.push(`${name.padEnd(24)} ${r.interval.toFixed(1).padStart(5)}/sec ${r.minute.toFixed(3).padStart(9)}/sec ${r.hour.toFixed(4).padStart(13)}/sec   total: ${total}`);
  }
  lines.push(`${neverHit} events never hit`);
  return lines.join('\n') + '\n';
}

/** Concatenates counter maps in order; a name seen twice keeps its first position and sums. */
export function mergeCoverage(...parts: readonly ReadonlyMap<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of parts) for (const [k, v] of p) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}
