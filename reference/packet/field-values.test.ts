import t from 'tap';
import { formatIpv6, parseIpv6, formatMac, parseMac, parseIpv4, formatIpv4 } from './field-values.ts';

// Expected forms from RFC 5952 section 4 (and its examples), which Python's inet_ntop (scapy) also produces.
const v6: [string, string][] = [
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
  ['0:0:0:0:0:0:0:0', '::'],
  ['0:0:0:0:0:0:0:1', '::1'],
  ['1:0:0:0:0:0:0:0', '1::'],
  ['fe80::0211:22ff:fe33:4455', 'fe80::211:22ff:fe33:4455'],
  ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
  ['ff02::1:ff99:aabb', 'ff02::1:ff99:aabb'],
];

t.test('IPv6 text: any valid form in, RFC 5952 out', async (t) => {
  for (const [input, out] of v6) {
    const b = parseIpv6(input);
    t.ok(b, `${input} parses`);
    if (b) t.equal(formatIpv6(b, 0), out, input);
  }
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7', '::ffff:300.0.0.1', '12345::']) t.equal(parseIpv6(bad), null, `${bad} rejected`);
});

t.test('MAC and IPv4 text', async (t) => {
  const m = parseMac('AA:bb:0c:dd:ee:0F');
  t.ok(m);
  if (m) t.equal(formatMac(m, 0), 'aa:bb:0c:dd:ee:0f');
  t.equal(parseMac('aa:bb:cc:dd:ee'), null);
  const a = parseIpv4('192.168.0.255');
  t.ok(a);
  if (a) t.equal(formatIpv4(a, 0), '192.168.0.255');
  for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', 'a.b.c.d']) t.equal(parseIpv4(bad), null, `${bad} rejected`);
});

t.test('IPv6 text is what glibc inet_ntop (and so scapy, tcpdump, OVS) prints', (t) => {
  const cases: [string, string][] = [
    ['0000000000000000000000000a000001', '::10.0.0.1'], // IPv4-compatible: dotted tail (RFC 5952 would say ::a00:1)
    ['00000000000000000000ffff0a000001', '::ffff:10.0.0.1'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['00010000000000000000000000000000', '1::'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    ['000000000000000000000000ffff0000', '::255.255.0.0'],
  ];
  for (const [hex, text] of cases) t.equal(formatIpv6(Uint8Array.from(Buffer.from(hex, 'hex'))), text, text);
  t.end();
});
