import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapFormatError, type PcapRecord } from './pcap-format.ts';
import { PcapReader, parsePcap, readPcapFile, readPcapFileSync } from './pcap-reader.ts';
import { encodePcap } from './pcap-writer.ts';

// A classic pcap written out by hand from the spec (big-endian, µs): header
// then one record of 4 bytes captured out of 60, at 1.000002 s.
const HAND_MADE_BIG_ENDIAN = Uint8Array.from([
  0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x02, 0x00, 0x04, // magic, version 2.4
  0xff, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, // thiszone -2, sigfigs 0
  0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, // snaplen 256, linktype 1
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // ts 1 s, 2 µs
  0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3c, // caplen 4, origlen 60
  0xde, 0xad, 0xbe, 0xef,
]);

function sampleRecords(n: number): { data: Uint8Array; tsSec: number; tsNsec: number; originalLength: number }[] {
  return Array.from({ length: n }, (_, i) => ({
    data: Uint8Array.from({ length: 14 + (i % 7) * 13 }, (_, j) => (i * 31 + j) & 0xff),
    tsSec: 1_700_000_000 + i,
    tsNsec: (i * 123_457_000) % 1_000_000_000,
    originalLength: 14 + (i % 7) * 13 + (i % 3),
  }));
}

function plain(records: readonly PcapRecord[]): unknown[] {
  return records.map((r) => ({ tsSec: r.tsSec, tsNsec: r.tsNsec, originalLength: r.originalLength, data: [...r.data] }));
}

t.test('reads a hand-made big-endian microsecond pcap', (t) => {
  const result = parsePcap(HAND_MADE_BIG_ENDIAN);
  t.equal(result.issue, undefined);
  t.match(result.info, { format: 'pcap', byteOrder: 'big', resolution: 'us', versionMajor: 2, versionMinor: 4, thisZone: -2, snapLength: 256, linkType: 1 });
  t.equal(result.records.length, 1);
  const r = result.records[0];
  t.match(r, { tsSec: 1, tsNsec: 2000, originalLength: 60, linkType: 1, interfaceId: 0, offsetBytes: 24 });
  t.same([...(r?.data ?? [])], [0xde, 0xad, 0xbe, 0xef]);
  t.end();
});

t.test('round-trips both resolutions and both byte orders', (t) => {
  const input = sampleRecords(50);
  for (const resolution of ['us', 'ns'] as const) {
    for (const byteOrder of ['little', 'big'] as const) {
      const file = encodePcap(input, { resolution, byteOrder, linkType: 1 });
      const result = parsePcap(file);
      t.equal(result.issue, undefined, `${resolution}/${byteOrder}: no issue`);
      t.match(result.info, { format: 'pcap', resolution, byteOrder, linkType: 1 });
      const expected = input.map((r) => ({
        ...r,
        data: [...r.data],
        tsNsec: resolution === 'us' ? Math.floor(r.tsNsec / 1000) * 1000 : r.tsNsec,
      }));
      t.same(plain(result.records), expected, `${resolution}/${byteOrder}: records`);
    }
  }
  t.end();
});

t.test('a file cut at any offset gives the complete records and a truncation issue', (t) => {
  const file = encodePcap(sampleRecords(4), { resolution: 'ns' });
  const full = parsePcap(file).records;
  const boundaries = new Set(full.map((r) => r.offsetBytes).concat([file.length, 24]));
  for (let cut = 0; cut < file.length; cut++) {
    const result = parsePcap(file.subarray(0, cut));
    const complete = full.filter((r) => r.offsetBytes + 16 + r.data.length <= cut);
    t.equal(result.records.length, complete.length, `cut ${cut}: complete records`);
    if (boundaries.has(cut) && cut >= 24) {
      t.equal(result.issue, undefined, `cut ${cut} on a record boundary is a clean end`);
    } else {
      t.equal(result.issue?.kind, 'truncated', `cut ${cut} reported as truncated`);
      const lastEnd = complete.length === 0 ? (cut < 24 ? 0 : 24) : (full[complete.length]?.offsetBytes ?? -1);
      t.equal(result.issue?.offsetBytes, lastEnd, `cut ${cut}: issue names the record's offset`);
    }
  }
  t.end();
});

t.test('corrupt files give an error naming the offset', (t) => {
  const notPcap = parsePcap(new TextEncoder().encode('GIF89a, not a capture file'));
  t.match(notPcap.issue, { kind: 'corrupt', offsetBytes: 0, detail: /magic 0x47494638/ });

  const badVersion = HAND_MADE_BIG_ENDIAN.slice();
  badVersion[5] = 9;
  t.match(parsePcap(badVersion).issue, { kind: 'corrupt', offsetBytes: 4, detail: /version 9\.4/ });

  const file = encodePcap(sampleRecords(3), { byteOrder: 'little' });
  const second = parsePcap(file).records[1]?.offsetBytes ?? 0;
  const broken = file.slice();
  new DataView(broken.buffer).setUint32(second + 8, 0x7fffffff, true);
  const result = parsePcap(broken);
  t.equal(result.records.length, 1, 'the record before the damage is kept');
  t.match(result.issue, { kind: 'corrupt', offsetBytes: second, detail: /record 2 has captured length 2147483647/ });
  t.end();
});

t.test('empty input is reported, not taken as an empty capture', (t) => {
  t.match(parsePcap(new Uint8Array(0)).issue, { kind: 'truncated', offsetBytes: 0, detail: /empty file/ });
  t.end();
});

async function* inPieces(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length] ?? 1;
    yield bytes.slice(at, at + n);
    at += n;
  }
}

t.test('streaming over odd-sized chunks yields exactly the in-memory records', async (t) => {
  const file = encodePcap(sampleRecords(40), { resolution: 'ns', byteOrder: 'big' });
  const expected = plain(parsePcap(file).records);
  for (const sizes of [[1], [3, 17, 5], [25], [4096]]) {
    const reader = new PcapReader(inPieces(file, sizes));
    const got: PcapRecord[] = [];
    for await (const r of reader) got.push(r);
    t.same(plain(got), expected, `chunks of ${sizes.join('/')}`);
    t.match(reader.info, { format: 'pcap', resolution: 'ns', byteOrder: 'big' });
    t.equal(reader.recordCount, 40);
  }
});

t.test('streaming a truncated file yields the complete records, then throws', async (t) => {
  const file = encodePcap(sampleRecords(5));
  const cut = file.length - 3;
  const reader = new PcapReader(inPieces(file.subarray(0, cut), [7]));
  const got: PcapRecord[] = [];
  const error = await (async () => {
    try {
      for await (const r of reader) got.push(r);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  t.equal(got.length, 4);
  t.ok(error instanceof PcapFormatError, 'a PcapFormatError');
  t.match(error, { kind: 'truncated', offsetBytes: parsePcap(file).records[4]?.offsetBytes, message: /truncated: only \d+ present \(after 4 complete/ });
});

t.test('file readers: whole-file, async stream, sync stream and descriptor agree', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pcap-reader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'a.pcap');
  const file = encodePcap(sampleRecords(3000));
  writeFileSync(path, file);
  const expected = plain(readPcapFileSync(path).records);
  t.equal(expected.length, 3000);
  t.same(plain((await readPcapFile(path)).records), expected, 'readPcapFile');
  const streamed: PcapRecord[] = [];
  for await (const r of new PcapReader(path, { chunkBytes: 65536 })) streamed.push(r);
  t.same(plain(streamed), expected, 'async PcapReader over a path (records span chunks)');
  const views = [...new PcapReader(path, { chunkBytes: 65536, copyData: false }).recordsSync()];
  t.same(plain(views), expected, 'recordsSync without copies');
  t.ok(streamed.every((r) => r.data.byteOffset === 0), 'copied records own their bytes');
  t.end();
});
