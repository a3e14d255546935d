import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexdump, hexdumpLines } from './hexdump.ts';
import { runTcpdump, tcpdumpMissing } from './pcap-peers.ts';
import { PcapWriter } from './pcap-writer.ts';

// Printed by tcpdump 4.99.3 -XX for this 19-byte frame (observed when the
// module was written).
t.test('matches a line tcpdump printed', (t) => {
  const frame = Uint8Array.from([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfc, 0, 0, 0, 1, 0x90, 0, 0x41, 0x41, 0x41,
  ]);
  t.equal(
    hexdump(frame),
    '\t0x0000:  ffff ffff ffff 02fc 0000 0001 9000 4141  ..............AA\n' +
      '\t0x0010:  41                                       A',
  );
  t.equal(hexdump(frame, { ascii: false, indent: '' }), '0x0000:  ffff ffff ffff 02fc 0000 0001 9000 4141\n0x0010:  41');
  t.same(hexdumpLines(new Uint8Array(0)), []);
  t.end();
});

t.test('offsets widen past 0xffff like %04x', (t) => {
  const lines = hexdumpLines(new Uint8Array(0x10011));
  t.equal(lines.length, 0x1002);
  t.match(lines[0x1000], /^\t0x10000:  0000/);
  t.end();
});

// Frames of every length from 1 to 80 bytes, covering all 256 byte values.
function frames(): Uint8Array[] {
  return Array.from({ length: 80 }, (_, i) =>
    Uint8Array.from({ length: i + 1 }, (_, j) => (j < 12 ? 0x02 : j < 14 ? [0x88, 0xb5][j - 12] ?? 0 : (i * 37 + j * 11) & 0xff)),
  );
}

function tcpdumpDumps(path: string, flag: '-XX' | '-xx'): string[][] {
  const dumps: string[][] = [];
  for (const line of runTcpdump(['-r', path, '-nn', '-t', flag]).split('\n')) {
    if (!line.startsWith('\t0x')) continue;
    if (line.startsWith('\t0x0000:')) dumps.push([]);
    dumps[dumps.length - 1]?.push(line);
  }
  return dumps;
}

t.test('agrees with tcpdump -XX and -xx line for line', { skip: tcpdumpMissing() ?? false }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hexdump-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'frames.pcap');
  const w = PcapWriter.create(path);
  for (const f of frames()) w.write({ data: f });
  w.close();
  const withAscii = tcpdumpDumps(path, '-XX');
  const hexOnly = tcpdumpDumps(path, '-xx');
  t.equal(withAscii.length, 80, 'tcpdump dumped every frame');
  frames().forEach((f, i) => {
    t.same(hexdumpLines(f), withAscii[i], `-XX, ${f.length} bytes`);
    t.same(hexdumpLines(f, { ascii: false }), hexOnly[i], `-xx, ${f.length} bytes`);
  });
  t.end();
});
