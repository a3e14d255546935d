import t from 'tap';
import { decodePacket } from './decode.ts';
import { encodePacket } from './encode.ts';
import { loadPacketFixtures } from './packet-fixtures.ts';
import type { DecodeIssue } from './layer-model.ts';

const kinds = (issues: readonly DecodeIssue[]): string[] => issues.map((i) => `${i.kind}:${i.layer}${i.field ? `.${i.field}` : ''}@${i.offsetBytes}`);
const ip = (fields: Record<string, number | string>) => encodePacket([
  { name: 'Ether', fields: { src: '00:00:00:00:00:01', dst: '00:00:00:00:00:02' } },
  { name: 'IP', fields: { src: '10.0.0.1', dst: '10.0.0.2', ...fields } },
  { name: 'UDP', fields: { sport: 1, dport: 2 } },
]);

t.test('length fields inconsistent with the data are bad-length', async (t) => {
  t.same(kinds(decodePacket(ip({ ihl: 4 })).issues).filter((k) => k.startsWith('bad-length')), ['bad-length:IP.ihl@14']);
  t.same(kinds(decodePacket(ip({ len: 10 })).issues).filter((k) => k.startsWith('bad-length')), ['bad-length:IP.len@16']);
  const tcp = encodePacket([{ name: 'IP', fields: {} }, { name: 'TCP', fields: { dataofs: 3 } }]);
  t.same(kinds(decodePacket(tcp, { first: 'IP' }).issues), ['bad-length:TCP.dataofs@32']);
  const udp = encodePacket([{ name: 'IP', fields: {} }, { name: 'UDP', fields: { len: 4 } }]);
  t.ok(kinds(decodePacket(udp, { first: 'IP' }).issues).includes('bad-length:UDP.len@24'));
  const opts = encodePacket([{ name: 'IP', fields: { options: Uint8Array.of(7, 40, 4, 0) } }]);
  t.ok(kinds(decodePacket(opts, { first: 'IP' }).issues).includes('bad-length:IP.options@20'), 'option longer than the header');
});

t.test('a version mismatch is unsupported and the rest is Raw', async (t) => {
  const b = ip({ version: 6 });
  const d = decodePacket(b);
  t.same(kinds(d.issues), ['unsupported:IP.version@14']);
  t.same(d.layers.map((l) => l.name), ['Ether', 'Raw']);
});

t.test('non-first fragments carry Raw; unknown next headers are Raw without issues', async (t) => {
  const frag = encodePacket([{ name: 'IP', fields: { frag: 10, proto: 6 } }, { name: 'Raw', fields: { load: new Uint8Array(30) } }]);
  const d = decodePacket(frag, { first: 'IP' });
  t.same(d.layers.map((l) => l.name), ['IP', 'Raw']);
  t.same(d.issues, []);
  const gre = encodePacket([{ name: 'IPv6', fields: { nh: 47 } }, { name: 'Raw', fields: { load: new Uint8Array(8) } }]);
  t.same(decodePacket(gre, { first: 'IPv6' }).layers.map((l) => l.name), ['IPv6', 'Raw']);
});

t.test('ICMP errors quote an IP header that decodes with first: IP', async (t) => {
  const f = loadPacketFixtures().find((x) => x.name === 'ipv4-icmp-port-unreachable');
  t.ok(f);
  if (!f) return;
  const raw = decodePacket(f.bytes).layers.find((l) => l.name === 'Raw');
  const load = raw?.fields['load'];
  t.ok(load instanceof Uint8Array);
  if (!(load instanceof Uint8Array)) return;
  const inner = decodePacket(load, { first: 'IP' });
  t.same(inner.layers.map((l) => l.name), ['IP', 'UDP']);
  t.equal(inner.layers[1]?.fields['dport'], 6000);
});

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('random byte mutations of every fixture never throw', async (t) => {
  const rand = rng(20261121);
  let decoded = 0;
  for (const f of loadPacketFixtures()) {
    for (let n = 0; n < 200; n++) {
      const b = f.bytes.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const d = decodePacket(b);
      if (d.issues.some((i) => i.detail.startsWith('internal'))) t.fail(`${f.name}: ${Buffer.from(b).toString('hex')}: ${JSON.stringify(d.issues)}`);
      decoded++;
    }
  }
  t.ok(decoded > 5000, `${decoded} mutated packets decoded`);
});
