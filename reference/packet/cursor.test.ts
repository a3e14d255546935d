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

t.test('writer keeps every write across buffer growth', (t) => {
  const w = new ByteWriter(16);
  const expected: number[] = [];
  w.zeros(10);
  expected.push(...new Array<number>(10).fill(0));
  const big = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
  w.bytes(big);
  expected.push(...big);
  for (let i = 0; i < 100; i++) {
    w.u8(i).u16(0x0102).u32(0x03040506).u16Le(0x0708).u32Le(0x090a0b0c);
    expected.push(i, 1, 2, 3, 4, 5, 6, 8, 7, 0x0c, 0x0b, 0x0a, 0x09);
  }
  w.zeros(300);
  expected.push(...new Array<number>(300).fill(0));
  t.equal(w.length, expected.length);
  t.same([...w.finish()], expected);
  t.end();
});
