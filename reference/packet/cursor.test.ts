import t from 'tap';
import { ByteReader, ByteWriter } from './cursor.ts';

t.test('reader reads big-endian and stops at its window', (t) => {
  const r = new ByteReader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7), 1, 6);
  t.equal(r.remaining, 5);
  t.equal(r.u16(), 0x0203);
  t.ok(r.has(3));
  t.notOk(r.has(4));
  t.equal(r.u8(), 4);
  t.throws(() => r.u32(), RangeError, 'read past the window throws');
  t.equal(r.offset, 4, 'a failed read does not move the cursor');
  t.same([...r.bytesView(2)], [5, 6]);
  t.equal(r.remaining, 0);
  t.end();
});

t.test('sub-reader is clamped to the parent window', (t) => {
  const r = new ByteReader(Uint8Array.of(9, 8, 7, 6));
  const s = r.sub(10);
  t.equal(s.remaining, 4);
  t.equal(r.remaining, 0);
  t.end();
});

t.test('writer grows, patches and refuses patches past its length', (t) => {
  const w = new ByteWriter(1);
  w.u16(0xabcd).u32(0x01020304).zeros(2).bytes(Uint8Array.of(0xff)).u16Le(0x1234);
  w.patchU16(0, 0x1111);
  t.same([...w.finish()], [0x11, 0x11, 1, 2, 3, 4, 0, 0, 0xff, 0x34, 0x12]);
  t.throws(() => w.patchU32(9, 0), RangeError);
  t.end();
});
