import t from 'tap';
import { execFileSync } from 'node:child_process';
import { formatHexBytes, formatIpv6, formatMac, hexAlt } from './odp-text-values.ts';
import { parseIpv6 } from './odp-text-scanner.ts';
import { OdpScanner } from './odp-text-scanner.ts';

/** glibc's inet_ntop/inet_pton through Python's socket module: the functions OVS itself calls. */
function glibc(op: 'ntop' | 'pton', inputs: string[]): string[] | undefined {
  const code = op === 'ntop'
    ? 'import socket,sys\nfor l in sys.stdin.read().split():\n print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(l)))'
    : 'import socket,sys\nfor l in sys.stdin.read().split():\n try: print(socket.inet_pton(socket.AF_INET6, l).hex())\n except OSError: print("invalid")';
  try {
    return execFileSync('python3', ['-c', code], { input: inputs.join('\n'), encoding: 'utf8' }).trim().split('\n');
  } catch {
    return undefined;
  }
}

const SAMPLE_ADDRS = [
  '00000000000000000000000000000000', '00000000000000000000000000000001', '20010db8000000000000000000000001',
  '20010db8000000010000000000000001', '00000000000000000000ffff0a000001', '000000000000000000000000c0a80101',
  'fe800000000000000000000000000000', 'ffff0000000000000000000000000000', '20010db800000000000100000000000a',
  '00010000000000000000000000000000', '00010002000300040005000600070008', '20010000000000010000000000000000',
  '00000000000000000000000000010000', '0000000000000000000000ff00000001', '000000000000ffff0000000000000000',
];

t.test('IPv6 text matches glibc inet_ntop', async (t) => {
  let state = 99;
  const rand = (): number => (state = (state * 1103515245 + 12345) >>> 0) >>> 16;
  const addrs = [...SAMPLE_ADDRS];
  for (let i = 0; i < 300; i++) {
    let h = '';
    for (let w = 0; w < 8; w++) h += rand() % 3 === 0 ? (rand() % 0x10000).toString(16).padStart(4, '0') : '0000';
    addrs.push(h);
  }
  const want = glibc('ntop', addrs);
  if (!want) {
    t.test('glibc oracle', { skip: 'python3 not available to ask glibc' }, () => undefined);
    return;
  }
  addrs.forEach((h, i) => t.equal(formatIpv6(new Uint8Array(Buffer.from(h, 'hex')), 0), want[i], h));
});

t.test('IPv6 parsing matches glibc inet_pton', async (t) => {
  const texts = ['::', '::1', '2001:db8::1', '::ffff:10.0.0.1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
    'fe80::1:2:3:4', '1:2:3:4:5:6:1.2.3.4', '1::2::3', '12345::', ':1::', '1:2:3:4:5:6:7:8:9', '::1.2.3', '1.2.3.4::', 'g::', 'FFFF::A'];
  const want = glibc('pton', texts);
  if (!want) {
    t.test('glibc oracle', { skip: 'python3 not available to ask glibc' }, () => undefined);
    return;
  }
  texts.forEach((s, i) => {
    const got = parseIpv6(s);
    t.equal(got ? Buffer.from(got).toString('hex') : 'invalid', want[i], s);
  });
});

t.test('small printers', async (t) => {
  t.equal(hexAlt(0), '0');
  t.equal(hexAlt(255), '0xff');
  t.equal(formatHexBytes(new Uint8Array(16)), '0');
  t.equal(formatHexBytes(new Uint8Array([0, 0, 1, 2, 0])), '0x10200');
  t.equal(formatMac(new Uint8Array([0, 0x1b, 2, 0xab, 0xcd, 0xef]), 0), '00:1b:02:ab:cd:ef');
});

t.test('C %i integers', async (t) => {
  const int = (s: string, max?: number): number | undefined => new OdpScanner(s).int(max);
  t.equal(int('10'), 10);
  t.equal(int('0x1F'), 31);
  t.equal(int('010'), 8);
  t.equal(int('0'), 0);
  t.equal(int('-1'), 0xffffffff, 'negative wraps like C unsigned');
  t.equal(int('256', 255), undefined, 'out of range is rejected');
  t.equal(int('x'), undefined);
  const sc = new OdpScanner('0x)');
  t.equal(sc.int(), 0, '0x without digits reads the 0');
  t.equal(sc.pos, 1);
});
