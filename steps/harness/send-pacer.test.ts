/**
 * SendPacer on a fake clock: the bucket releases a burst, then frames at the
 * configured rate; costs follow receiveChargeBytes; oversize frames go alone.
 */
import t from 'tap';
import { DEFAULT_PACER, receiveChargeBytes, SendPacer } from './send-pacer.ts';

const frames = (n: number, size: number): Uint8Array[] => Array.from({ length: n }, () => new Uint8Array(size));

t.test('receiveChargeBytes: skb overhead plus at least 256 B of data', async (t) => {
  t.equal(receiveChargeBytes(64), 1024);
  t.equal(receiveChargeBytes(256), 1024);
  t.equal(receiveChargeBytes(1500), 2268);
});

t.test('a full bucket, then the rate', async (t) => {
  let now = 0;
  const p = new SendPacer(DEFAULT_PACER, () => now);
  const big = frames(100, 1500);
  const first = p.next(big, 0);
  t.same(first, { count: 7, waitMs: 0 }, '16 KiB bucket: 7 frames of 1500 B');
  p.spend(big, 0, 7);
  const wait = p.next(big, 7);
  t.equal(wait.count, 0);
  t.ok(wait.waitMs >= 1, 'then a wait');
  now += 10;
  t.same(p.next(big, 7), { count: 7, waitMs: 0 }, 'after 10 ms: 80 KiB of credit, capped at the bucket');
  p.spend(big, 7, 3);
  now += 0.5;
  t.equal(p.next(big, 10).count, 6, 'unspent credit stays: 9580 B left + 4 KiB refilled');
});

t.test('at most maxBurstFrames per batch; the rest of the list is not read past its end', async (t) => {
  const p = new SendPacer({ rateBytesPerMs: 1e9, bucketBytes: 1e9, maxBurstFrames: 32 }, () => 0);
  t.same(p.next(frames(100, 64), 0), { count: 32, waitMs: 0 });
  t.same(p.next(frames(100, 64), 90), { count: 10, waitMs: 0 });
  t.same(p.next(frames(100, 64), 100), { count: 0, waitMs: 0 });
});

t.test('a frame larger than the bucket goes alone once the bucket is full', async (t) => {
  let now = 0;
  const p = new SendPacer({ rateBytesPerMs: 1024, bucketBytes: 4096, maxBurstFrames: 32 }, () => now);
  const jumbo = frames(2, 9000);
  t.same(p.next(jumbo, 0), { count: 1, waitMs: 0 });
  p.spend(jumbo, 0, 1);
  t.same(p.next(jumbo, 1), { count: 0, waitMs: 4 });
  now += 4;
  t.equal(p.next(jumbo, 1).count, 1);
});

t.test('bad options are RangeErrors', async (t) => {
  t.throws(() => new SendPacer({ rateBytesPerMs: 0, bucketBytes: 1, maxBurstFrames: 1 }), RangeError);
  t.throws(() => new SendPacer({ rateBytesPerMs: 1, bucketBytes: 1, maxBurstFrames: 0 }), RangeError);
});
