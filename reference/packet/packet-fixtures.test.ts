import t from 'tap';
import { loadPacketFixtures } from './packet-fixtures.ts';
import type { PacketFixture } from './packet-fixtures.ts';
import { decodePacket } from './decode.ts';
import { encodePacket } from './encode.ts';
import type { Layer } from './layer-model.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fixtures = loadPacketFixtures();

t.test('there are enough fixtures and they cover every layer', async (t) => {
  t.ok(fixtures.length >= 25, `${fixtures.length} fixtures`);
  const seen = new Set(fixtures.flatMap((f) => f.layers));
  for (const name of ['Ether', 'Dot3', 'LLC', 'SNAP', 'Dot1Q', 'Dot1AD', 'ARP', 'IP', 'IPv6', 'IPv6ExtHdrHopByHop', 'IPv6ExtHdrRouting',
    'IPv6ExtHdrDestOpt', 'IPv6ExtHdrFragment', 'ICMP', 'ICMPv6EchoRequest', 'ICMPv6EchoReply', 'ICMPv6ND_NS', 'ICMPv6ND_NA',
    'ICMPv6NDOptSrcLLAddr', 'ICMPv6NDOptDstLLAddr', 'ICMPv6Unknown', 'TCP', 'UDP', 'SCTP', 'Raw', 'Padding']) {
    t.ok(seen.has(name as Layer['name']), `a fixture has ${name}`);
  }
});

function compareWithScapy(t: { equal(a: unknown, b: unknown, msg: string): unknown }, f: PacketFixture, layers: readonly Layer[]): void {
  f.scapyFields.forEach((expected, i) => {
    const ours = layers[i]?.fields ?? {};
    for (const [k, v] of Object.entries(expected)) {
      const mine = ours[k];
      if (mine === undefined) continue;
      if (typeof v === 'object') t.equal(mine instanceof Uint8Array ? hex(mine) : String(mine), v.hex, `${f.name}: ${f.layers[i]}.${k}`);
      else t.equal(mine, v, `${f.name}: ${f.layers[i]}.${k}`);
    }
  });
}

t.test('every fixture decodes to scapy\'s layers and values, and re-encodes to its bytes', async (t) => {
  for (const f of fixtures) {
    const d = decodePacket(f.bytes);
    t.same(d.layers.map((l) => l.name), f.layers, `${f.name}: layers`);
    t.same(d.issues, [], `${f.name}: no issues`);
    compareWithScapy(t, f, d.layers);
    let at = 0;
    for (const l of d.layers) {
      t.equal(l.offsetBytes, at, `${f.name}: ${l.name} starts where the previous layer ended`);
      at = l.offsetBytes + l.lengthBytes;
    }
    t.equal(at, f.bytes.length, `${f.name}: layers cover every byte`);
    t.equal(hex(encodePacket(d.layers)), hex(f.bytes), `${f.name}: re-encodes`);
  }
});

/** The end of the bytes some header promises (see the truncation rule in decode.ts). */
function promisedEnd(layers: readonly Layer[], total: number): number {
  const pad = layers.find((l) => l.name === 'Padding');
  const dot3 = layers.find((l) => l.name === 'Dot3');
  // Dot3's len counts trailing Padding too (scapy's LenField).
  if (pad) return Math.max(pad.offsetBytes, dot3 ? dot3.offsetBytes + 14 + (dot3.fields['len'] as number) : 0);
  const last = layers[layers.length - 1];
  const declared = layers.some((l) => l.name === 'IP' || l.name === 'IPv6' || l.name === 'Dot3');
  if (last?.name === 'Raw' && !declared) return last.offsetBytes;
  return total;
}

t.test('truncation at every offset never throws and reports truncated exactly when promised bytes are cut', async (t) => {
  for (const f of fixtures) {
    const full = decodePacket(f.bytes);
    const promised = promisedEnd(full.layers, f.bytes.length);
    let wrong = 0;
    for (let cut = 0; cut < f.bytes.length; cut++) {
      const d = decodePacket(f.bytes.subarray(0, cut));
      const truncated = d.issues.some((i) => i.kind === 'truncated');
      const internal = d.issues.some((i) => i.detail.startsWith('internal'));
      const expectTruncated = cut < promised;
      const ok = !internal && truncated === expectTruncated && (expectTruncated || d.issues.length === 0)
        && d.issues.every((i) => i.offsetBytes <= cut && i.kind !== 'bad-checksum');
      if (!ok) {
        wrong++;
        if (wrong <= 3) t.fail(`${f.name} cut at ${cut}/${f.bytes.length} (promised ${promised}): ${JSON.stringify(d.issues)}`);
      }
    }
    t.equal(wrong, 0, `${f.name}: ${f.bytes.length} cuts`);
  }
});

const CHECKSUM_AT: Partial<Record<Layer['name'], number>> = {
  IP: 10, TCP: 16, UDP: 6, ICMP: 2, SCTP: 8, ICMPv6EchoRequest: 2, ICMPv6EchoReply: 2, ICMPv6ND_NS: 2, ICMPv6ND_NA: 2, ICMPv6Unknown: 2,
};

t.test('a corrupted checksum is reported as bad-checksum at its offset, and nothing else changes', async (t) => {
  let checked = 0;
  for (const f of fixtures) {
    const d = decodePacket(f.bytes);
    const isFragment = f.name.includes('fragment');
    for (const l of d.layers) {
      const rel = CHECKSUM_AT[l.name];
      if (rel === undefined || (isFragment && l.name !== 'IP') || (l.name === 'UDP' && l.fields['chksum'] === 0)) continue;
      const bad = f.bytes.slice();
      const at = l.offsetBytes + rel;
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      const d2 = decodePacket(bad);
      t.same(d2.issues.map((i) => [i.kind, i.layer, i.offsetBytes]), [['bad-checksum', l.name, at]], `${f.name}: ${l.name} checksum`);
      t.same(d2.layers.map((x) => x.name), f.layers, `${f.name}: same layers despite the bad ${l.name} checksum`);
      checked++;
    }
  }
  t.ok(checked >= 35, `${checked} checksums corrupted`);
});
