// Cross-checks of the pcap reader and writer against scapy 2.5 and tcpdump
// 4.99: files the peers write are read back the way the peers read them, and
// files this project writes are read by the peers as intended.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PcapRecord } from './pcap-format.ts';
import { runScapy, runTcpdump, scapyMissing, tcpdumpMissing } from './pcap-peers.ts';
import { readPcapFileSync } from './pcap-reader.ts';
import { PcapWriter, type PcapWriteRecord } from './pcap-writer.ts';

const scapyWhy = scapyMissing();
const tcpdumpWhy = tcpdumpMissing();

const dir = mkdtempSync(join(tmpdir(), 'pcap-peers-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
type Seen = [number, number, number, string];
const seen = (r: PcapRecord): Seen => [r.tsSec, r.tsNsec, r.originalLength, toHex(r.data)];

// scapy reads a file and prints [sec, nsec, wirelen, hex] per packet.
const SCAPY_DUMP = `
import sys, json
from decimal import Decimal
from scapy.all import rdpcap
out = []
for p in rdpcap(sys.argv[1]):
    t = Decimal(p.time)
    sec = int(t)
    out.append([sec, int((t - sec) * 1000000000), p.wirelen or len(bytes(p)), bytes(p).hex()])
print(json.dumps(out))
`;

// scapy writes varied packets in the five formats this reader must accept.
const SCAPY_WRITE = `
import sys
from scapy.all import *
pkts = []
for i in range(24):
    p = Ether(src='02:00:00:00:00:%02x' % i, dst='ff:ff:ff:ff:ff:ff')
    if i % 3 == 0:
        p = p / IP(src='10.0.0.%d' % i, dst='10.0.1.1') / UDP(sport=1000 + i, dport=53) / Raw(b'x' * (i * 11))
    elif i % 3 == 1:
        p = p / IPv6(src='fe80::%x' % (i + 1), dst='ff02::1') / ICMPv6EchoRequest(id=i, data=b'y' * i)
    else:
        p = p / ARP(psrc='10.0.0.%d' % i, pdst='10.0.0.1')
    p.time = EDecimal('1700000000') + EDecimal(i) * EDecimal('1.000123457')
    if i % 5 == 4:
        p.wirelen = len(p) + 100
    pkts.append(p)
d = sys.argv[1]
wrpcap(d + '/us-le.pcap', pkts, endianness='<')
wrpcap(d + '/us-be.pcap', pkts, endianness='>')
wrpcap(d + '/ns-le.pcap', pkts, endianness='<', nano=True)
wrpcap(d + '/ns-be.pcap', pkts, endianness='>', nano=True)
wrpcapng(d + '/scapy.pcapng', pkts)
`;

t.test('files written by scapy read as scapy reads them', { skip: scapyWhy ?? false }, (t) => {
  runScapy(SCAPY_WRITE, [dir]);
  const expectedInfo = {
    'us-le.pcap': { format: 'pcap', resolution: 'us', byteOrder: 'little' },
    'us-be.pcap': { format: 'pcap', resolution: 'us', byteOrder: 'big' },
    'ns-le.pcap': { format: 'pcap', resolution: 'ns', byteOrder: 'little' },
    'ns-be.pcap': { format: 'pcap', resolution: 'ns', byteOrder: 'big' },
    'scapy.pcapng': { format: 'pcapng' },
  };
  for (const [name, info] of Object.entries(expectedInfo)) {
    const path = join(dir, name);
    const ours = readPcapFileSync(path);
    t.equal(ours.issue, undefined, `${name}: no issue`);
    t.match(ours.info, info, `${name}: header`);
    const theirs = JSON.parse(runScapy(SCAPY_DUMP, [path])) as Seen[];
    t.equal(theirs.length, 24, `${name}: scapy sees 24 packets`);
    t.same(ours.records.map(seen), theirs, `${name}: same times, lengths and bytes as scapy`);
  }
  t.end();
});

function writtenRecords(): PcapWriteRecord[] {
  return Array.from({ length: 30 }, (_, i) => ({
    data: Uint8Array.from({ length: 42 + i * 9 }, (_, j) => (j < 12 ? 2 : (i + j) & 0xff)),
    tsSec: 1_600_000_000 + i * 3,
    tsNsec: (i * 987_654_321) % 1_000_000_000,
    originalLength: 42 + i * 9 + (i % 4 === 0 ? 20 : 0),
  }));
}

const variants = [
  { resolution: 'us', byteOrder: 'little' },
  { resolution: 'ns', byteOrder: 'big' },
  { resolution: 'ns', byteOrder: 'little' },
  { resolution: 'us', byteOrder: 'big' },
] as const;

function writeVariant(v: (typeof variants)[number]): string {
  const path = join(dir, `ours-${v.resolution}-${v.byteOrder}.pcap`);
  const w = PcapWriter.create(path, v);
  for (const r of writtenRecords()) w.write(r);
  w.close();
  return path;
}

function expectedSeen(resolution: 'us' | 'ns'): Seen[] {
  return writtenRecords().map((r) => {
    const nsec = r.tsNsec ?? 0;
    return [r.tsSec ?? 0, resolution === 'us' ? Math.floor(nsec / 1000) * 1000 : nsec, r.originalLength ?? 0, toHex(r.data)];
  });
}

t.test('files written here are read by scapy rdpcap', { skip: scapyWhy ?? false }, (t) => {
  for (const v of variants) {
    const theirs = JSON.parse(runScapy(SCAPY_DUMP, [writeVariant(v)])) as Seen[];
    t.same(theirs, expectedSeen(v.resolution), `${v.resolution}/${v.byteOrder}`);
  }
  t.end();
});

// tcpdump -tt --time-stamp-precision=nano -xx prints "sec.nsec ..." then hex lines.
function parseTcpdumpHex(text: string): [string, string][] {
  const packets: [string, string][] = [];
  for (const line of text.split('\n')) {
    const head = /^(\d+\.\d{9}) /.exec(line);
    if (head?.[1] !== undefined) packets.push([head[1], '']);
    const hex = /^\s+0x[0-9a-f]{4}:\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    const last = packets[packets.length - 1];
    if (hex?.[1] !== undefined && last !== undefined) last[1] += hex[1].replace(/\s/g, '');
  }
  return packets;
}

t.test('files written here are read by tcpdump -r', { skip: tcpdumpWhy ?? false }, (t) => {
  for (const v of variants) {
    const out = runTcpdump(['-r', writeVariant(v), '-nn', '-tt', '--time-stamp-precision=nano', '-xx']);
    const expected = expectedSeen(v.resolution).map(([sec, nsec, , hex]): [string, string] => [
      `${sec}.${String(nsec).padStart(9, '0')}`,
      hex,
    ]);
    t.same(parseTcpdumpHex(out), expected, `${v.resolution}/${v.byteOrder}: timestamps and bytes`);
  }
  t.end();
});
