// Datapath meters (Linux net/openvswitch/meter.c) with an injected clock:
// token buckets in bits or thousandths of a packet, the highest-rate
// exceeded band applies, the kernel's slot table and its errnos.
import t from 'tap';
import { DP_MAX_BANDS, MeterTable } from './meter-table.ts';

const drop = (rate: number, burst: number) => ({ type: 'drop' as const, rate, burst });

t.test('pktps: burst packets pass at once, then one per 1000/rate ms', (t) => {
  const m = new MeterTable();
  t.ok(m.set(1, { unit: 'pktps', bands: [drop(10, 3)] }, 0).ok);
  const burst = [0, 0, 0, 0].map(() => m.apply(1, 100, 0));
  t.same(burst, [true, true, true, false], 'bucket starts full with 3 packets');
  t.equal(m.apply(1, 100, 99), false, '99 ms refill 0.99 packet');
  t.equal(m.apply(1, 100, 100), true, 'the refill adds up across packets (0.99 + 0.01)');
  t.equal(m.apply(1, 100, 10_000), true);
  t.same([1, 2, 3].map(() => m.apply(1, 100, 10_000)), [true, true, false], 'a long pause refills only up to the burst');
  const s = m.get(1);
  t.ok(s.ok);
  if (s.ok) t.same(s.value, { packetsIn: 10, bytesIn: 1000, bands: [{ packets: 3, bytes: 300 }] });
  t.end();
});

t.test('kbps: the cost is the frame size in bits; burst 0 means one second of rate', (t) => {
  const m = new MeterTable();
  m.set(2, { unit: 'kbps', bands: [drop(8, 0)] }, 0); // 8 kbit/s, bucket 8000 bits = 1000 bytes
  t.same([400, 400, 400].map((b) => m.apply(2, b, 0)), [true, true, false], '800 bytes fit, the third 400 does not');
  t.equal(m.apply(2, 200, 0), true, 'a dropped packet costs nothing: 200 bytes still fit');
  t.equal(m.apply(2, 125, 124), false, '124 ms give 992 bits < 1000');
  t.equal(m.apply(2, 125, 125), true, '1 more ms: 992 + 8 = 1000 bits');
  t.end();
});

t.test('the exceeded band with the highest rate applies (several bands allowed when configured)', (t) => {
  const m = new MeterTable(100, 2);
  t.ok(m.set(3, { unit: 'pktps', bands: [drop(5, 1), drop(50, 2)] }, 0).ok);
  m.apply(3, 10, 0);
  m.apply(3, 10, 0);
  m.apply(3, 10, 0);
  const s = m.get(3);
  if (s.ok) t.same(s.value.bands, [{ packets: 1, bytes: 10 }, { packets: 1, bytes: 10 }], 'band 0 alone on packet 2, both on 3 → band 1');
  t.end();
});

t.test('replace, delete, get, unknown meters', (t) => {
  const m = new MeterTable();
  m.set(4, { unit: 'pktps', bands: [drop(1, 1)] }, 0);
  m.apply(4, 60, 0);
  t.equal(m.apply(4, 60, 0), false);
  m.set(4, { unit: 'pktps', bands: [drop(1, 1)] }, 0);
  t.equal(m.apply(4, 60, 0), true, 'a replaced meter starts with a full bucket');
  const del = m.del(4);
  t.ok(del.ok && del.value.packetsIn === 1, 'DEL returns the stats of the meter it removed');
  t.same(m.get(4), { ok: false, error: { errno: 'ENOENT', message: 'no meter 4' } });
  t.same(m.del(4), { ok: true, value: { packetsIn: 0, bytesIn: 0, bands: [] } }, 'DEL of no meter succeeds without stats');
  t.equal(m.apply(4, 60, 0), true, 'an unknown meter passes');
  t.end();
});

t.test('invalid configurations are EINVAL', (t) => {
  const m = new MeterTable();
  const errno = (r: { ok: boolean; error?: { errno: string } }) => (r.ok ? 'ok' : r.error?.errno);
  t.equal(errno(m.set(1, { unit: 'pktps', bands: [drop(0, 1)] }, 0)), 'EINVAL', 'rate 0');
  t.equal(errno(m.set(1, { unit: 'pktps', bands: [drop(1, 1), drop(2, 1)] }, 0)), 'EINVAL', `more than ${DP_MAX_BANDS} band`);
  t.equal(errno(m.set(-1, { unit: 'pktps', bands: [drop(1, 1)] }, 0)), 'EINVAL', 'negative id');
  t.equal(errno(m.set(1, { unit: 'pktps', bands: [drop(1.5, 1)] }, 0)), 'EINVAL', 'fractional rate');
  t.equal(errno(m.set(1, { unit: 'pktps', bands: [] }, 0)), 'ok', 'no bands: a meter that only counts');
  t.equal(m.apply(1, 1, 0), true);
  t.same(m.features(), { maxMeters: 200000, maxBands: 1, bandTypes: ['drop'], units: ['kbps', 'pktps'] });
  t.end();
});

t.test('the kernel slot table: id % size collisions and the meter limit', (t) => {
  const m = new MeterTable(4);
  const cfg = { unit: 'pktps' as const, bands: [drop(1, 1)] };
  t.ok(m.set(1, cfg, 0).ok);
  const clash = m.set(1025, cfg, 0);
  t.equal(clash.ok ? 'ok' : clash.error.errno, 'EBUSY', 'id 1025 lands in the slot of id 1');
  t.ok(m.set(2, cfg, 0).ok);
  t.ok(m.set(3, cfg, 0).ok);
  const full = m.set(4, cfg, 0);
  t.equal(full.ok ? 'ok' : full.error.errno, 'EFBIG', 'count reaching maxMeters is refused');
  t.ok(m.set(3, cfg, 0).ok, 'replacing an existing meter at the limit works');
  t.end();
});

t.test('a clock going backwards adds no tokens', (t) => {
  const m = new MeterTable();
  m.set(5, { unit: 'pktps', bands: [drop(1000, 1)] }, 1000);
  t.equal(m.apply(5, 1, 1000), true);
  t.equal(m.apply(5, 1, 0), false);
  t.end();
});
