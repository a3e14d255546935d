import t from 'tap';
import { encodePacket } from './encode.ts';
import { decodePacket } from './decode.ts';
import { describeLayer } from './describe-layer.ts';
import { PacketBuildError } from './layer-model.ts';
import type { LayerSpec } from './layer-model.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// Expected bytes printed by scapy 2.5 (`bytes(<expr>).hex()` via /usr/bin/python3) for the expression in each name.
const cases: [string, LayerSpec[], string][] = [
  [
    'Ether(src="00:01:02:03:04:05",dst="0a:0b:0c:0d:0e:0f")/IP(src="10.0.0.1",dst="10.0.0.2")/TCP(sport=1234,dport=80,flags="SA",options=[("MSS",1460),("NOP",None),("WScale",7),("SAckOK",b""),("Timestamp",(1,2))])/Raw(load=b"hello")',
    [
      { name: 'Ether', fields: { src: '00:01:02:03:04:05', dst: '0a:0b:0c:0d:0e:0f' } },
      { name: 'IP', fields: { src: '10.0.0.1', dst: '10.0.0.2' } },
      { name: 'TCP', fields: { sport: 1234, dport: 80, flags: 'SA', options: [['MSS', 1460], ['NOP', null], ['WScale', 7], ['SAckOK', new Uint8Array()], ['Timestamp', [1, 2]]] } },
      { name: 'Raw', fields: { load: bytes('hello') } },
    ],
    '0a0b0c0d0e0f00010203040508004500004100010000400666b40a0000010a00000204d200500000000000000000a0122000caf10000020405b4010303070402080a000000010000000268656c6c6f',
  ],
  [
    'Ether(src="00:01:02:03:04:05")/IP(options=[IPOption_RR(routers=["1.2.3.4"])],flags="DF")/ICMP()/Raw(load=b"abc")',
    [
      { name: 'Ether', fields: { src: '00:01:02:03:04:05' } },
      { name: 'IP', fields: { flags: 'DF', options: [{ call: 'IPOption_RR', args: { routers: ['1.2.3.4'] } }] } },
      { name: 'ICMP', fields: {} },
      { name: 'Raw', fields: { load: bytes('abc') } },
    ],
    'ffffffffffff00010203040508004700002700014000400129c87f0000017f00000107070401020304000800339d00000000616263',
  ],
  ['Dot1Q()/LLC()', [{ name: 'Dot1Q', fields: {} }, { name: 'LLC', fields: {} }], '00018870000000'],
  [
    'IP(src="10.0.0.1",dst="10.0.0.2",len=20)/TCP()',
    [{ name: 'IP', fields: { src: '10.0.0.1', dst: '10.0.0.2', len: 20 } }, { name: 'TCP', fields: {} }],
    '4500001400010000400666e10a0000010a000002001400500000000000000000500220007b900000',
  ],
  [
    'IPv6(src="2001:db8::1",dst="2001:db8::2")/IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)],autopad=0)/UDP()',
    [
      { name: 'IPv6', fields: { src: '2001:db8::1', dst: '2001:db8::2' } },
      { name: 'IPv6ExtHdrHopByHop', fields: { options: [{ call: 'RouterAlert', args: { value: 0 } }], autopad: 0 } },
      { name: 'UDP', fields: {} },
    ],
    '60000000000e004020010db800000000000000000000000120010db80000000000000000000000021100050200000035003500' + '08a3ff',
  ],
];

t.test('encodes like scapy', async (t) => {
  for (const [name, spec, expected] of cases) t.equal(hex(encodePacket(spec)), expected, name);
});

t.test('decode(encode(x)) re-encodes to the same bytes', async (t) => {
  for (const [name, spec] of cases.slice(0, 2)) {
    const b = encodePacket(spec);
    const d = decodePacket(b);
    t.same(d.issues, [], `${name}: no issues`);
    t.same(d.layers.map((l) => l.name), spec.map((l) => l.name), `${name}: layers`);
    t.equal(hex(encodePacket(d.layers)), hex(b), `${name}: round trip`);
  }
});

t.test('set fields win over computed ones', async (t) => {
  const b = encodePacket([{ name: 'IP', fields: { chksum: 0x1234, len: 99 } }, { name: 'UDP', fields: { chksum: 0 } }]);
  const d = decodePacket(b, { first: 'IP' });
  t.equal(d.layers[0]?.fields['chksum'], 0x1234);
  t.equal(d.layers[0]?.fields['len'], 99);
  t.ok(d.issues.some((i) => i.kind === 'bad-checksum' && i.layer === 'IP'), 'bad IP checksum reported');
  t.ok(d.issues.some((i) => i.kind === 'truncated' && i.field === 'len'), 'len past the data reported');
});

t.test('build errors name layer and field', async (t) => {
  t.throws(() => encodePacket([{ name: 'IP', fields: { ttl: 300 } }]), PacketBuildError);
  const errorOf = (f: () => unknown): PacketBuildError | undefined => {
    try { f(); } catch (e) { if (e instanceof PacketBuildError) return e; }
    return undefined;
  };
  t.match(errorOf(() => encodePacket([{ name: 'IP', fields: { bogus: 1 } }])), { field: 'bogus', layer: 'IP' });
  t.match(errorOf(() => encodePacket([{ name: 'TCP', fields: { flags: 'SX' } }])), { field: 'flags' });
  t.match(errorOf(() => encodePacket([{ name: 'Ether', fields: { src: 'zz' } }])), { field: 'src' });
  t.match(errorOf(() => encodePacket([{ name: 'Nope' as 'IP', fields: {} }])), { reason: 'unknown layer' });
  t.ok(describeLayer('TCP').fields.some((f) => f.name === 'dataofs' && f.kind.includes('computed')));
});
