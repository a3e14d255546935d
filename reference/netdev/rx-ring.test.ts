/**
 * RxRing without the addon: layout, option validation, frame views and
 * copies. The addon filling real rings is tested in af-packet-veth.test.ts.
 */
import t from 'tap';
import { DEFAULT_RX_SLOTS, DEFAULT_RX_SLOT_BYTES, MAX_RX_SLOTS, RxRing, VLAN_RESERVE_BYTES } from './index.ts';

t.test('defaults: 256 slots of 2048 bytes in one buffer, 4 of them kept for a VLAN tag', async (t) => {
  const ring = new RxRing();
  t.equal(ring.slots, DEFAULT_RX_SLOTS);
  t.equal(ring.slotBytes, DEFAULT_RX_SLOT_BYTES);
  t.equal(ring.data.byteLength, 256 * 2048);
  t.equal(ring.offsets.length, 256);
  t.equal(ring.lengths.length, 256);
  t.equal(ring.maxFrameBytes, 2048 - VLAN_RESERVE_BYTES);
  t.equal(ring.count, 0);
  t.equal(ring.oversizeDrops, 0);
});

t.test('options out of range are RangeErrors naming the range', async (t) => {
  t.throws(() => new RxRing({ slots: 0 }), { name: 'RangeError', message: `slots 0 is not an integer in 1..${MAX_RX_SLOTS}` });
  t.throws(() => new RxRing({ slots: 1025 }), RangeError);
  t.throws(() => new RxRing({ slots: 1.5 }), RangeError);
  t.throws(() => new RxRing({ slotBytes: 18 }), { name: 'RangeError', message: 'slotBytes 18 is not an integer in 19..65539' });
  t.throws(() => new RxRing({ slotBytes: 65540 }), RangeError);
  t.ok(new RxRing({ slots: 1024, slotBytes: 19 }), 'the extremes are allowed');
  t.equal(new RxRing({ slots: 1, slotBytes: 65539 }).maxFrameBytes, 65535);
});

t.test('frame(i): a view of the last receive only; frameCopy survives the next one', async (t) => {
  const ring = new RxRing({ slots: 2, slotBytes: 64 });
  // As the addon leaves it: an untagged frame at slot 0 + 4, a restored tagged one at slot 1 + 0.
  ring.data.fill(0xaa, 4, 64);
  ring.data.fill(0xbb, 64, 128);
  ring.offsets.set([4, 64]);
  ring.lengths.set([60, 64]);
  ring.count = 2;
  const f0 = ring.frame(0);
  t.equal(f0.buffer, ring.data.buffer, 'a view, not a copy');
  t.same([f0.byteOffset, f0.length, f0[0]], [4, 60, 0xaa]);
  t.same([ring.frame(1).byteOffset, ring.frame(1).length], [64, 64]);
  const kept = ring.frameCopy(1);
  ring.data.fill(0, 64, 128);
  t.equal(kept[0], 0xbb, 'the copy does not change with the ring');
  t.throws(() => ring.frame(2), { name: 'RangeError', message: 'frame 2 is not one of the 2 frames of the last receive' });
  ring.count = 1;
  t.throws(() => ring.frame(1), RangeError, 'slots past count are stale');
  t.throws(() => ring.frame(-1), RangeError);
  t.throws(() => ring.frame(0.5), RangeError);
});
