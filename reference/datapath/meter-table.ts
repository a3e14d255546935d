/**
 * Datapath meters (the METER family): a table of token-bucket meters, as
 * Linux net/openvswitch/meter.c keeps and runs them.
 *
 * What: a meter has a unit (kbps or pktps) and up to `maxBands` drop bands,
 * each a token bucket. Buckets count bits (kbps) or thousandths of a packet
 * (pktps) and hold at most burst × 1000 units; a new band starts full. A
 * packet first adds `elapsed ms × rate` to every bucket (elapsed capped at
 * the time the slowest band needs to fill up), then costs `bytes × 8` bits
 * or 1000 units in every band; each band that cannot pay is exceeded and
 * keeps its tokens. Of the exceeded bands the one with the highest rate
 * applies: its counters grow and, being a drop band, the packet is dropped.
 * Stats count every packet offered to the meter.
 *
 * The table mirrors the kernel's `dp_meter_table`: an array of slots
 * (1024 at first) indexed by `id % size`, doubled when the count reaches
 * the size and halved on delete when at most a quarter is used and the
 * upper half is empty (slots keep their index when the array is resized,
 * as the kernel does). So a set whose slot holds another meter fails with
 * EBUSY, and a set that brings the count to `maxMeters` fails with EFBIG
 * (the kernel tests `count >= max` after counting the new meter, so at most
 * maxMeters - 1 fit). OVS allocates dense small ids, for which none of this
 * shows.
 *
 * Invariants: never throws on its inputs; errors are DpResult errnos as the
 * kernel's (EINVAL for a bad id, no rate or too many bands; ENOENT for GET
 * of an unknown meter). DEL of an unknown meter succeeds with empty stats
 * (the kernel replies without stats); `apply` on an unknown meter passes.
 *
 * Differences on purpose: a band's burst of 0 means one second's worth of
 * its rate (the dpif contract; the kernel would give it an empty bucket);
 * arithmetic is exact (the kernel's u32 `delta × rate` can wrap for bursts
 * above 4 Gbit); a clock that goes backwards adds no tokens.
 */
import type { DpMeterConfig, DpMeterFeatures, DpMeterStats, DpResult } from './dpif-types.ts';

/** Kernel DP_MAX_BANDS. */
export const DP_MAX_BANDS = 1;
/** Kernel DP_METER_NUM_MAX (the kernel also caps it by free memory). */
export const DP_METER_NUM_MAX = 200_000;
/** Kernel DP_METER_ARRAY_SIZE_MIN. */
const SLOTS_MIN = 1024;
const U32_MAX = 0xffffffff;

interface Band {
  readonly rate: number;
  /** Bucket capacity in bucket units (burst × 1000). */
  readonly capacity: number;
  bucket: number;
  packets: number;
  bytes: number;
}

interface Meter {
  readonly id: number;
  readonly kbps: boolean;
  readonly bands: Band[];
  /** Elapsed time after which every bucket is full. */
  readonly maxDeltaMs: number;
  usedMs: number;
  packets: number;
  bytes: number;
}

function fail<T>(message: string, errno: 'EINVAL' | 'ENOENT' | 'EBUSY' | 'EFBIG' = 'EINVAL'): DpResult<T> {
  return { ok: false, error: { errno, message } };
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

function statsOf(m: Meter): DpMeterStats {
  return { packetsIn: m.packets, bytesIn: m.bytes, bands: m.bands.map((b) => ({ packets: b.packets, bytes: b.bytes })) };
}

export class MeterTable {
  private slots: (Meter | undefined)[] = new Array<Meter | undefined>(SLOTS_MIN);
  private count = 0;

  /** `maxMeters` as the kernel's max_meters_allowed; `maxBands` as DP_MAX_BANDS. */
  constructor(readonly maxMeters = DP_METER_NUM_MAX, readonly maxBands = DP_MAX_BANDS) {}

  /** METER FEATURES. */
  features(): DpMeterFeatures {
    return { maxMeters: this.maxMeters, maxBands: this.maxBands, bandTypes: ['drop'], units: ['kbps', 'pktps'] };
  }

  /** METER SET: creates or replaces meter `id` (a replaced meter's buckets and stats start afresh). */
  set(id: number, config: DpMeterConfig, nowMs: number): DpResult<void> {
    if (!isU32(id)) return fail(`meter id ${String(id)} is not a 32-bit unsigned integer`);
    if (config.bands.length > this.maxBands) return fail(`meter ${id}: ${config.bands.length} bands, at most ${this.maxBands}`);
    const bands: Band[] = [];
    let maxDeltaMs = 0;
    for (const [i, b] of config.bands.entries()) {
      if (!isU32(b.rate) || b.rate === 0) return fail(`meter ${id} band ${i}: rate ${String(b.rate)} must be 1..${U32_MAX}`);
      if (!isU32(b.burst)) return fail(`meter ${id} band ${i}: burst ${String(b.burst)} must be 0..${U32_MAX}`);
      const capacity = (b.burst === 0 ? b.rate : b.burst) * 1000;
      bands.push({ rate: b.rate, capacity, bucket: capacity, packets: 0, bytes: 0 });
      maxDeltaMs = Math.max(maxDeltaMs, Math.floor(capacity / b.rate));
    }
    const meter: Meter = { id, kbps: config.unit === 'kbps', bands, maxDeltaMs, usedMs: nowMs, packets: 0, bytes: 0 };
    const old = this.lookup(id);
    if (old) this.detach(old);
    return this.attach(meter);
  }

  /** METER DEL: removes meter `id` and returns its stats (empty stats if there was none). */
  del(id: number): DpResult<DpMeterStats> {
    if (!isU32(id)) return fail(`meter id ${String(id)} is not a 32-bit unsigned integer`);
    const m = this.lookup(id);
    if (!m) return { ok: true, value: { packetsIn: 0, bytesIn: 0, bands: [] } };
    const stats = statsOf(m);
    this.detach(m);
    return { ok: true, value: stats };
  }

  /** METER GET: the stats of meter `id`; ENOENT when there is none. */
  get(id: number): DpResult<DpMeterStats> {
    if (!isU32(id)) return fail(`meter id ${String(id)} is not a 32-bit unsigned integer`);
    const m = this.lookup(id);
    return m ? { ok: true, value: statsOf(m) } : fail(`no meter ${id}`, 'ENOENT');
  }

  /** Runs meter `id` on a packet of `bytes` bytes at `nowMs`; false when a drop band applies. Unknown meter: true. */
  apply(id: number, bytes: number, nowMs: number): boolean {
    const m = this.lookup(id);
    if (!m) return true;
    const deltaMs = Math.min(Math.max(nowMs - m.usedMs, 0), m.maxDeltaMs);
    m.usedMs = nowMs;
    m.packets++;
    m.bytes += bytes;
    const cost = m.kbps ? bytes * 8 : 1000;
    let exceeded: Band | undefined;
    for (const band of m.bands) {
      band.bucket = Math.min(band.bucket + deltaMs * band.rate, band.capacity);
      if (band.bucket >= cost) band.bucket -= cost;
      else if (!exceeded || band.rate > exceeded.rate) exceeded = band;
    }
    if (!exceeded) return true;
    exceeded.packets++;
    exceeded.bytes += bytes;
    return false;
  }

  private lookup(id: number): Meter | undefined {
    if (!isU32(id)) return undefined;
    const m = this.slots[id % this.slots.length];
    return m !== undefined && m.id === id ? m : undefined;
  }

  private attach(m: Meter): DpResult<void> {
    const slot = m.id % this.slots.length;
    if (this.slots[slot] !== undefined) return fail(`meter ${m.id}: slot ${slot} holds meter ${this.slots[slot]!.id}`, 'EBUSY');
    this.slots[slot] = m;
    this.count++;
    if (this.count >= this.maxMeters) {
      this.slots[slot] = undefined;
      this.count--;
      return fail(`meter ${m.id}: ${this.maxMeters - 1} meters is the most the table holds`, 'EFBIG');
    }
    if (this.count >= this.slots.length) this.resize(this.slots.length * 2);
    return { ok: true, value: undefined };
  }

  private detach(m: Meter): void {
    this.slots[m.id % this.slots.length] = undefined;
    this.count--;
    const size = this.slots.length;
    if (size > SLOTS_MIN && this.count <= size / 4 && this.slots.slice(size / 2).every((s) => s === undefined)) this.resize(size / 2);
  }

  private resize(size: number): void {
    const next = new Array<Meter | undefined>(size);
    for (let i = 0; i < Math.min(size, this.slots.length); i++) next[i] = this.slots[i];
    this.slots = next;
  }
}
