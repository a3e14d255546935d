import t from 'tap';
import type { PcapRecord } from './pcap-format.ts';
import { PcapReader, parsePcap } from './pcap-reader.ts';
import { splitTimestamp } from './pcapng-decoder.ts';

// pcapng blocks built by hand from draft-ietf-opsawg-pcapng section 4.
type Order = 'little' | 'big';

function block(order: Order, type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const le = order === 'little';
  v.setUint32(0, type, le);
  v.setUint32(4, total, le);
  out.set(body, 8);
  v.setUint32(total - 4, total, le);
  return out;
}

function fields(order: Order, spec: readonly [16 | 32, number][], tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const size = spec.reduce((n, [bits]) => n + bits / 8, 0);
  const out = new Uint8Array(size + tail.length);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [bits, value] of spec) {
    if (bits === 16) v.setUint16(at, value, order === 'little');
    else v.setUint32(at, value, order === 'little');
    at += bits / 8;
  }
  out.set(tail, size);
  return out;
}

function option(order: Order, code: number, value: Uint8Array): Uint8Array {
  const padded = new Uint8Array((value.length + 3) & ~3);
  padded.set(value);
  return fields(order, [[16, code], [16, value.length]], padded);
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const shb = (order: Order): Uint8Array =>
  block(order, 0x0a0d0d0a, fields(order, [[32, 0x1a2b3c4d], [16, 1], [16, 0], [32, 0xffffffff], [32, 0xffffffff]]));
const idb = (order: Order, linkType: number, snap: number, opts: Uint8Array = new Uint8Array(0)): Uint8Array =>
  block(order, 1, fields(order, [[16, linkType], [16, 0], [32, snap]], opts));
const epb = (order: Order, ifId: number, ts: bigint, data: Uint8Array, origLen = data.length): Uint8Array =>
  block(order, 6, fields(order, [[32, ifId], [32, Number(ts >> 32n)], [32, Number(ts & 0xffffffffn)], [32, data.length], [32, origLen]], data));
const spb = (order: Order, origLen: number, data: Uint8Array): Uint8Array => block(order, 3, fields(order, [[32, origLen]], data));
const endOfOptions = (order: Order): Uint8Array => fields(order, [[16, 0], [16, 0]]);

const payload = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);

function sampleFile(): Uint8Array {
  const tsResolNano = option('little', 9, Uint8Array.of(9));
  const nameEth0 = option('little', 2, new TextEncoder().encode('eth0'));
  const tsOffset = option('big', 14, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 100));
  const tsResolBin = option('big', 9, Uint8Array.of(0x80 | 10));
  return concat(
    shb('little'),
    idb('little', 1, 0, concat(nameEth0, tsResolNano, endOfOptions('little'))),
    idb('little', 101, 64),
    block('little', 0x40000bad, payload(10, 1)), // unknown block: skipped
    epb('little', 0, 1_700_000_000_123_456_789n, payload(60, 2)),
    epb('little', 1, 1_700_000_001_000_002n, payload(40, 3), 1500),
    block('little', 5, payload(8, 4)), // Interface Statistics Block: skipped
    shb('big'),
    idb('big', 1, 32, concat(tsResolBin, tsOffset, endOfOptions('big'))),
    epb('big', 0, (5n << 10n) + 512n, payload(33, 5)),
    spb('big', 70, payload(70, 6)),
  );
}

t.test('reads sections, interfaces, resolutions and skips unknown blocks', (t) => {
  const result = parsePcap(sampleFile());
  t.equal(result.issue, undefined);
  const info = result.info;
  if (info?.format !== 'pcapng') throw new Error('expected pcapng');
  t.equal(info.sections.length, 2);
  t.match(info.sections[0], { byteOrder: 'little', versionMajor: 1, offsetBytes: 0 });
  t.match(info.sections[0]?.interfaces, [
    { linkType: 1, name: 'eth0', unitsPerSecond: 1e9, tsResolution: { base: 10, exponent: 9 } },
    { linkType: 101, snapLength: 64, unitsPerSecond: 1e6 },
  ]);
  t.match(info.sections[1], { byteOrder: 'big', interfaces: [{ unitsPerSecond: 1024, tsOffsetSec: 100, snapLength: 32 }] });
  const got = result.records.map((r: PcapRecord) => [r.tsSec, r.tsNsec, r.linkType, r.interfaceId, r.originalLength, r.data.length]);
  t.same(got, [
    [1_700_000_000, 123_456_789, 1, 0, 60, 60],
    [1_700_000_001, 2000, 101, 1, 1500, 40],
    [105, 500_000_000, 1, 0, 33, 33],
    [0, 0, 1, 0, 70, 32], // SPB: captured length limited by the interface snap length
  ]);
  t.same([...(result.records[2]?.data ?? [])], [...payload(33, 5)]);
  t.end();
});

t.test('streaming pcapng in small pieces matches the in-memory read', async (t) => {
  const file = sampleFile();
  const expected = parsePcap(file).records.map((r) => [r.tsSec, r.tsNsec, [...r.data]]);
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < file.length; at += 5) yield file.slice(at, at + 5);
  }
  const got: unknown[] = [];
  for await (const r of new PcapReader(pieces())) got.push([r.tsSec, r.tsNsec, [...r.data]]);
  t.same(got, expected);
});

t.test('a pcapng cut at any offset never throws and reports the cut block', (t) => {
  const file = sampleFile();
  const full = parsePcap(file).records;
  for (let cut = 0; cut < file.length; cut++) {
    const result = parsePcap(file.subarray(0, cut));
    t.ok(result.records.length <= full.length);
    const onBoundary = result.issue === undefined;
    if (!onBoundary) t.equal(result.issue?.kind, 'truncated', `cut ${cut}`);
  }
  t.end();
});

t.test('malformed blocks are corrupt with the block offset', (t) => {
  const good = concat(shb('little'), idb('little', 1, 0));
  const badTrailer = concat(good, epb('little', 0, 0n, payload(4, 0)));
  new DataView(badTrailer.buffer).setUint32(badTrailer.length - 4, 40, true);
  t.match(parsePcap(badTrailer).issue, { kind: 'corrupt', offsetBytes: good.length, detail: /trailing length 40 differs from leading length 36/ });

  const badIface = concat(good, epb('little', 3, 0n, payload(4, 0)));
  t.match(parsePcap(badIface).issue, { kind: 'corrupt', offsetBytes: good.length, detail: /interface 3/ });

  const badMagic = shb('little');
  new DataView(badMagic.buffer).setUint32(8, 0x11223344, true);
  t.match(parsePcap(badMagic).issue, { kind: 'corrupt', offsetBytes: 0, detail: /byte-order magic 0x11223344/ });

  const oddLength = concat(good, block('little', 6, payload(24, 0)));
  new DataView(oddLength.buffer).setUint32(good.length + 4, 38, true);
  t.match(parsePcap(oddLength).issue, { kind: 'corrupt', offsetBytes: good.length, detail: /invalid total length 38/ });
  t.end();
});

t.test('timestamps split exactly, including beyond 2^53 units', (t) => {
  const cases: [bigint, number, number, number][] = [
    [1_700_000_000_999_999_999n, 1e9, 1_700_000_000, 999_999_999],
    [1_700_000_000_000_001n, 1e6, 1_700_000_000, 1000],
    [(1n << 52n) + 3n, 1e9, 4_503_599, 627_370_499],
    [1_700_000_123_456_789_012n, 1e12, 1_700_000, 123_456_789],
    [(7n << 20n) + (1n << 19n), 2 ** 20, 7, 500_000_000],
  ];
  for (const [ts, units, sec, nsec] of cases) {
    t.same(splitTimestamp(Number(ts >> 32n), Number(ts & 0xffffffffn), units), [sec, nsec], `${ts} / ${units}`);
  }
  t.end();
});
