import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePcap, readPcapFileSync } from './pcap-reader.ts';
import { PcapWriter, encodePcap, encodePcapHeader, makePcapHeader } from './pcap-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcap-writer-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed + i) & 0xff);

t.test('header layout follows the spec, byte for byte', (t) => {
  const big = encodePcapHeader(makePcapHeader({ resolution: 'ns', byteOrder: 'big', snapLength: 65535, linkType: 101 }));
  t.same([...big], [0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 101]);
  const little = encodePcapHeader(makePcapHeader());
  t.same([...little.subarray(0, 8)], [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0], 'default: µs, little-endian');
  t.same([...little.subarray(16)], [0, 0, 4, 0, 1, 0, 0, 0], 'default snap length 262144, Ethernet');
  t.end();
});

t.test('records longer than the snap length are cut and keep their wire length', (t) => {
  const file = encodePcap([{ data: bytesOf(100, 0) }], { snapLength: 60 });
  const [r] = parsePcap(file).records;
  t.equal(r?.data.length, 60);
  t.equal(r?.originalLength, 100);
  t.end();
});

t.test('a writer flushes across its buffer, including records larger than it', (t) => {
  const path = join(dir, 'big.pcap');
  const w = PcapWriter.create(path, { snapLength: 0 });
  const sizes = [60, 2_000_000, ...Array.from({ length: 2000 }, (_, i) => 1400 + (i % 50))];
  sizes.forEach((n, i) => w.write({ data: bytesOf(n, i), tsSec: i }));
  w.close();
  t.throws(() => w.write({ data: bytesOf(1, 0) }), /write after close/);
  const result = readPcapFileSync(path);
  t.equal(result.issue, undefined);
  t.same(result.records.map((r) => r.data.length), sizes);
  t.same(result.records.map((r) => r.tsSec), sizes.map((_, i) => i));
  t.same([...(result.records[1]?.data.subarray(0, 4) ?? [])], [1, 2, 3, 4]);
  t.end();
});

t.test('append continues an existing file in its own format', (t) => {
  const path = join(dir, 'append.pcap');
  writeFileSync(path, encodePcap([{ data: bytesOf(20, 1), tsSec: 1, tsNsec: 5 }], { resolution: 'ns', byteOrder: 'big' }));
  const w = PcapWriter.append(path);
  t.match(w.header, { resolution: 'ns', byteOrder: 'big' }, 'adopts the file header');
  w.write({ data: bytesOf(30, 2), tsSec: 2, tsNsec: 7 });
  w.close();
  const again = PcapWriter.append(path, { resolution: 'ns' });
  again.write({ data: bytesOf(40, 3), tsSec: 3, tsNsec: 9 });
  again.close();
  const result = readPcapFileSync(path);
  t.equal(result.issue, undefined);
  t.same(result.records.map((r) => [r.tsSec, r.tsNsec, r.data.length]), [[1, 5, 20], [2, 7, 30], [3, 9, 40]]);
  t.end();
});

t.test('append creates a missing or empty file', (t) => {
  const path = join(dir, 'fresh.pcap');
  const w = PcapWriter.append(path, { resolution: 'us' });
  w.write({ data: bytesOf(10, 0) });
  w.close();
  t.equal(readPcapFileSync(path).records.length, 1);
  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, new Uint8Array(0));
  PcapWriter.append(empty).close();
  t.equal(readFileSync(empty).length, 24, 'an empty file gets a header');
  t.end();
});

t.test('append refuses a mismatched or foreign file and leaves it alone', (t) => {
  const path = join(dir, 'us.pcap');
  writeFileSync(path, encodePcap([], { resolution: 'us', linkType: 1 }));
  t.throws(() => PcapWriter.append(path, { resolution: 'ns' }), /resolution ns asked, file has us/);
  t.throws(() => PcapWriter.append(path, { linkType: 101 }), /linkType 101 asked, file has 1/);
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, this is not a capture');
  t.throws(() => PcapWriter.append(text), /cannot append to .*notes\.txt.*magic 0x68656c6c/);
  t.equal(readFileSync(text, 'utf8'), 'hello, this is not a capture');
  t.equal(readFileSync(path).length, 24);
  t.end();
});
