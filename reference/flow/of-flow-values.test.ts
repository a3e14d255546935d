import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import {
  CT_STATE_NAMES, TCP_FLAG_NAMES, cidrBits128, cidrBits32, formatFlags, formatFlagsMasked, formatIpv4Masked, formatIpv6, formatIpv6Masked,
  formatMacMasked, formatOfPort, hexAlt, ipv6MaskOfBits, parseFlagList, parseFlagsPlusMinus, parseIpv6, parseMac, parseOfPort, parseUnsigned,
} from './of-flow-values.ts';

/** Deterministic pseudo-random source (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

/** Addresses rich in zero groups, embedded-IPv4 prefixes and ties between zero runs. */
function sampleIpv6(n: number): Uint8Array[] {
  const next = rng(0x5eed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const a = new Uint8Array(16);
    for (let g = 0; g < 8; g++) {
      const r = next() % 4;
      const v = r < 2 ? 0 : r === 2 ? next() & 0xffff : next() & 0xf;
      a[2 * g] = v >> 8;
      a[2 * g + 1] = v & 255;
    }
    if (i % 10 === 0) a.fill(0, 0, 12);
    if (i % 10 === 1) {
      a.fill(0, 0, 10);
      a[10] = 0xff;
      a[11] = 0xff;
    }
    out.push(a);
  }
  return out;
}

const PY = '/usr/bin/python3';
const python = existsSync(PY) ? PY : null;

t.test('formatIpv6 equals glibc inet_ntop (via Python socket) on 300 addresses', { skip: python === null ? 'no /usr/bin/python3 (glibc inet_ntop peer)' : false }, (t) => {
  const addrs = sampleIpv6(300);
  const script = 'import socket,sys\nfor h in sys.stdin.read().split():\n print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(h)))';
  const peer = execFileSync(python!, ['-c', script], { input: addrs.map((a) => Buffer.from(a).toString('hex')).join('\n') }).toString().trim().split('\n');
  t.equal(peer.length, addrs.length);
  let mismatches = 0;
  addrs.forEach((a, i) => {
    if (formatIpv6(a) !== peer[i]) {
      mismatches++;
      t.equal(formatIpv6(a), peer[i], Buffer.from(a).toString('hex'));
    }
    t.same(parseIpv6(peer[i]!), a, `parseIpv6 reads back ${peer[i]}`);
  });
  t.equal(mismatches, 0);
  t.end();
});

t.test('IPv6 spellings seen in Open vSwitch output', (t) => {
  for (const text of ['::', '::1', '::ffff:10.0.0.1', '::10.0.0.1', '::0.1.0.2', '2001:0:0:1::1', '1:0:1:0:1:0:1:0', 'fe80::1', 'ff02::1:ff00:2', '2001:db8::2']) {
    const bytes = parseIpv6(text);
    t.ok(bytes, `parses ${text}`);
    if (bytes) t.equal(formatIpv6(bytes), text);
  }
  for (const bad of ['', ':', '1::2::3', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '::1.2.3', '::256.1.1.1']) t.equal(parseIpv6(bad), null, `rejects ${JSON.stringify(bad)}`);
  t.end();
});

t.test('masked addresses (ip_format_masked, ipv6_format_masked, eth_format_masked)', (t) => {
  t.equal(formatIpv4Masked(0x0a000000, 0xffffff00), '10.0.0.0/24');
  t.equal(formatIpv4Masked(0, 0x80000000), '0.0.0.0/1');
  t.equal(formatIpv4Masked(0x0a000001, 0xffffffff), '10.0.0.1');
  t.equal(formatIpv4Masked(0x0a000001, 0xff00ff00), '10.0.0.1/255.0.255.0');
  t.equal(cidrBits32(0), 0);
  t.equal(cidrBits32(0xfffffffe), 31);
  t.equal(cidrBits32(0x0000ffff), -1);
  const v6 = parseIpv6('2001:db9::')!;
  t.equal(formatIpv6Masked(v6, 0, ipv6MaskOfBits(32), 0), '2001:db9::/32');
  t.equal(formatIpv6Masked(v6, 0, ipv6MaskOfBits(128), 0), '2001:db9::');
  t.equal(formatIpv6Masked(v6, 0, parseIpv6('ffff::ffff')!, 0), '2001:db9::/ffff::ffff');
  t.equal(cidrBits128(ipv6MaskOfBits(77)), 77);
  t.equal(cidrBits128(parseIpv6('ff00::1')!), -1);
  const mac = parseMac('02:00:00:00:00:01')!;
  t.equal(formatMacMasked(mac, 0, parseMac('ff:ff:00:00:00:00')!, 0), '02:00:00:00:00:01/ff:ff:00:00:00:00');
  t.equal(formatMacMasked(mac, 0, new Uint8Array(6).fill(255), 0), '02:00:00:00:00:01');
  t.same(parseMac('2:0:0:0:0:a'), new Uint8Array([2, 0, 0, 0, 0, 10]));
  for (const bad of ['02:00:00:00:00', '02:00:00:00:00:001', '0g:00:00:00:00:00', '']) t.equal(parseMac(bad), null, `rejects ${bad}`);
  t.end();
});

t.test('flags as Open vSwitch prints them', (t) => {
  t.equal(formatFlags(0, TCP_FLAG_NAMES), '0');
  t.equal(formatFlags(0x012, TCP_FLAG_NAMES), 'syn|ack');
  t.equal(formatFlags(0xe10, TCP_FLAG_NAMES), 'ack|[200]|[400]|[800]');
  t.equal(formatFlags(0x22, CT_STATE_NAMES), 'est|trk');
  t.equal(formatFlags(0x1000, TCP_FLAG_NAMES), '0x1000');
  t.equal(formatFlagsMasked(0x02, 0x12, 0xfff, TCP_FLAG_NAMES), '+syn-ack');
  t.equal(formatFlagsMasked(0x10, 0x12, 0xfff, TCP_FLAG_NAMES), '-syn+ack');
  t.equal(formatFlagsMasked(0, 0x20, 0xff, CT_STATE_NAMES), '-trk');
  t.equal(formatFlagsMasked(0, 0, 0xff, CT_STATE_NAMES), '0/0');
  t.equal(parseFlagList('syn|ack', TCP_FLAG_NAMES), 0x12);
  t.equal(parseFlagList('0x12', TCP_FLAG_NAMES), 0x12);
  t.equal(parseFlagList('syn|bogus', TCP_FLAG_NAMES), null);
  t.same(parseFlagsPlusMinus('+syn-ack', TCP_FLAG_NAMES), { value: 0x02, mask: 0x12 });
  t.same(parseFlagsPlusMinus('-trk', CT_STATE_NAMES), { value: 0, mask: 0x20 });
  t.equal(parseFlagsPlusMinus('+syn junk', TCP_FLAG_NAMES), null);
  t.end();
});

t.test('numbers and ports', (t) => {
  t.equal(hexAlt(0), '0');
  t.equal(hexAlt(0xf0), '0xf0');
  t.equal(hexAlt(2n ** 64n - 1n), '0xffffffffffffffff');
  t.equal(parseUnsigned('0x1F'), 31n);
  t.equal(parseUnsigned('017'), 17n);
  t.equal(parseUnsigned('42'), 42n);
  for (const bad of ['', '0x', '-1', '1e3', '0o7', 'ten']) t.equal(parseUnsigned(bad), null, `rejects ${bad}`);
  t.equal(formatOfPort(0xfffe), 'LOCAL');
  t.equal(formatOfPort(7), '7');
  t.equal(parseOfPort('local'), 0xfffe);
  t.equal(parseOfPort('NONE'), 0xffff);
  t.equal(parseOfPort('65536'), null);
  t.equal(parseOfPort('eth0'), null);
  t.end();
});
