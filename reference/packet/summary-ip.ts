/**
 * Summary printers for IPv4 (RFC 791), IPv6 with its extension headers
 * (RFC 8200), ICMP (RFC 792, 1191) and ICMPv6 (RFC 4443, 4861, 2710), in the
 * text tcpdump 4.99 prints without -v. See summary.ts for the overall
 * contract and the deliberate differences from tcpdump.
 *
 * Invariant: `length` arguments are lengths on the wire (from the enclosing
 * header), captured bytes are what `SummaryPrinter` can read; a header that
 * claims more than arrived prints tcpdump's `truncated-ip - N bytes
 * missing!` and the payload is printed from what was captured.
 */
import { type SummaryPrinter } from './summary-printer.ts';
import { printSctp, printTcp, printUdp } from './summary-transport.ts';

/** The network header a transport printer sits in. */
export interface IpContext {
  version: 4 | 6;
  /** Offset of the IPv4/IPv6 header. */
  at: number;
  /** True when the transport directly follows the IP header (addresses go with the ports). */
  isDirect: boolean;
  /** True for a first fragment (IPv4 MF set, or an IPv6 Fragment header): lengths cover more than this packet. */
  isFragment: boolean;
}

export function ipSource(p: SummaryPrinter, ip: IpContext): string {
  return ip.version === 4 ? p.ipv4(ip.at + 12) : p.ipv6(ip.at + 8);
}

export function ipDestination(p: SummaryPrinter, ip: IpContext): string {
  return ip.version === 4 ? p.ipv4(ip.at + 16) : p.ipv6(ip.at + 24);
}

const PORT_PRINTING = new Set([6, 17, 132, 33]);

export function printIpv4(p: SummaryPrinter, at: number, length: number): void {
  p.proto = 'ip';
  const version = p.u8(at) >> 4;
  if (version !== 4) {
    p.print(version === 6 ? 'IP6, wrong link-layer encapsulation (invalid)' : `IP${version} (invalid)`);
    return;
  }
  p.need(at, 20);
  if (length < 20) return p.print(`truncated-ip ${length}`);
  const hlen = (p.u8(at) & 0x0f) * 4;
  if (hlen < 20) return p.print(`bad-hlen ${hlen}`);
  const len = p.u16(at + 2);
  if (length < len) p.print(`truncated-ip - ${len - length} bytes missing! `);
  if (len < hlen) return p.print(`bad-len ${len}`);
  const off = p.u16(at + 6);
  const proto = p.u8(at + 9);
  const src = p.ipv4(at + 12);
  const dst = p.ipv4(at + 16);
  p.limit(at + len, () => {
    if ((off & 0x1fff) !== 0) {
      p.print(`${src} > ${dst}: ip-proto-${proto}`);
      return;
    }
    if (!PORT_PRINTING.has(proto)) p.print(`${src} > ${dst}: `);
    if (!p.has(at, hlen)) {
      p.print(` [remaining caplen(${Math.max(0, p.end - at)}) < header length(${hlen})]`);
      p.truncated();
    }
    printIpPayload(p, proto, at + hlen, len - hlen, { version: 4, at, isDirect: true, isFragment: (off & 0x2000) !== 0 });
  });
}

/** tcpdump's ip_demux_print for the protocols summarised here. */
function printIpPayload(p: SummaryPrinter, proto: number, at: number, length: number, ip: IpContext): void {
  switch (proto) {
    case 6:
      return printTcp(p, at, length, ip);
    case 17:
      return printUdp(p, at, length, ip);
    case 132:
      return printSctp(p, at, length, ip);
    case 1:
      if (ip.version !== 4) return p.print('[icmp requires IPv4]');
      return printIcmp(p, at, length);
    case 58:
      if (ip.version !== 6) return p.print('[icmp6 requires IPv6]');
      return printIcmpv6(p, at, length);
    case 4:
      return printIpv4(p, at, length);
    case 41:
      return printIpv6(p, at, length);
    case 59:
      return p.print('no next header');
    default:
      p.print(` ip-proto-${proto} ${length}`);
  }
}

export function printIpv6(p: SummaryPrinter, at: number, length: number): void {
  p.proto = 'ip6';
  p.need(at, 40);
  if (length < 40) return p.print(`truncated-ip6 ${length}`);
  const version = p.u8(at) >> 4;
  if (version !== 6) return p.print(`version error: ${version} != 6`);
  const payloadLength = p.u16(at + 4);
  let len = length;
  if (payloadLength !== 0) {
    len = payloadLength + 40;
    if (length < len) p.print(`truncated-ip6 - ${len - length} bytes missing!`);
  }
  let nh = p.u8(at + 6);
  p.limit(at + len, () => {
    if (!PORT_PRINTING.has(nh)) p.print(`${p.ipv6(at + 8)} > ${p.ipv6(at + 24)}: `);
    let cp = at + 40;
    let hasExtension = false;
    let isFragment = false;
    for (;;) {
      const step = printIpv6Extension(p, nh, cp, at);
      if (step === undefined) break;
      if (step === 0) return;
      hasExtension = true;
      if (nh === 44) isFragment = true;
      nh = p.u8(cp);
      cp += step;
    }
    if (payloadLength === 0 && hasExtension) p.truncated();
    const remaining = payloadLength === 0 ? 0 : at + len - cp;
    printIpPayload(p, nh, cp, remaining, { version: 6, at, isDirect: cp === at + 40, isFragment });
  });
}

/**
 * Prints one extension header `nh` at `cp`; returns its length, 0 when the
 * printing stops there (non-first fragment), or undefined for a header that
 * is not an extension header.
 */
function printIpv6Extension(p: SummaryPrinter, nh: number, cp: number, ipAt: number): number | undefined {
  switch (nh) {
    case 0:
    case 60: {
      p.proto = nh === 0 ? 'hbhopt' : 'dstopt';
      const hdrLen = (p.u8(cp + 1) + 1) * 8;
      p.need(cp, hdrLen);
      p.print(nh === 0 ? 'HBH ' : 'DSTOPT ');
      return hdrLen;
    }
    case 44: {
      p.proto = 'frag6';
      const offset = p.u16(cp + 2) & 0xfff8;
      const fragLength = 40 + p.u16(ipAt + 4) - (cp - ipAt) - 8;
      p.print(`frag (${offset}|${fragLength})`);
      if (offset !== 0 || p.end <= cp + 8) return 0;
      p.print(' ');
      return 8;
    }
    case 43:
      return printRouting(p, cp);
    default:
      return undefined;
  }
}

function printRouting(p: SummaryPrinter, cp: number): number {
  p.proto = 'rt6';
  p.print('RT6');
  const len = p.u8(cp + 1);
  const type = p.u8(cp + 2);
  p.print(` (len=${len}, type=${type}${type === 0 ? ' [Deprecated]' : ''}, segleft=${p.u8(cp + 3)}`);
  if (type !== 0 && type !== 2) {
    p.print(' (unknown type)');
    return 0;
  }
  const reserved = p.u32(cp + 4);
  if (reserved !== 0) p.print(`, rsv=0x${reserved.toString(16)}`);
  if (len % 2 === 1) {
    p.print(` (invalid length ${len})`);
    return 0;
  }
  for (let i = 0; i < len / 2; i++) p.print(`, [${i}]${p.ipv6(cp + 8 + 16 * i)}`);
  p.print(') ');
  return (len + 1) * 8;
}

const ICMP_NAMES: Readonly<Record<number, string>> = {
  0: 'echo reply', 4: 'source quench', 8: 'echo request', 10: 'router solicitation',
  13: 'time stamp request', 14: 'time stamp reply', 15: 'information request', 16: 'information reply',
  17: 'address mask request',
};

const UNREACH_TEXT: Readonly<Record<number, [string, string]>> = {
  0: ['net ', ' unreachable'], 1: ['host ', ' unreachable'], 5: ['', ' unreachable - source route failed'],
  6: ['net ', ' unreachable - unknown'], 7: ['host ', ' unreachable - unknown'],
  8: ['', ' unreachable - source host isolated'], 9: ['net ', ' unreachable - admin prohibited'],
  10: ['host ', ' unreachable - admin prohibited'], 11: ['net ', ' unreachable - tos prohibited'],
  12: ['host ', ' unreachable - tos prohibited'], 13: ['host ', ' unreachable - admin prohibited filter'],
  14: ['host ', ' unreachable - host precedence violation'], 15: ['host ', ' unreachable - precedence cutoff'],
};

function printIcmp(p: SummaryPrinter, at: number, length: number): void {
  p.proto = 'icmp';
  const type = p.u8(at);
  const code = p.u8(at + 1);
  const inner = at + 8;
  let text: string;
  switch (type) {
    case 0:
    case 8:
      text = `echo ${type === 8 ? 'request' : 'reply'}, id ${p.u16(at + 4)}, seq ${p.u16(at + 6)}`;
      break;
    case 3:
      text = icmpUnreachable(p, at, code);
      break;
    case 5: {
      const kinds = ['redirect %s to net %s', 'redirect %s to host %s', 'redirect-tos %s to net %s', 'redirect-tos %s to host %s'];
      const pattern = kinds[code] ?? `redirect-#${code} %s to %s`;
      text = pattern.replace('%s', p.ipv4(inner + 16)).replace('%s', p.ipv4(at + 4));
      break;
    }
    case 11:
      p.need(inner + 16, 4);
      text = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
      break;
    case 12:
      text = code !== 0 ? `parameter problem - code ${code}` : `parameter problem - octet ${p.u8(at + 4)}`;
      break;
    case 18:
      text = `address mask is 0x${p.u32(at + 8).toString(16).padStart(8, '0')}`;
      break;
    case 13:
      text = `time stamp query id ${p.u16(at + 4)} seq ${p.u16(at + 6)}`;
      break;
    default:
      text = ICMP_NAMES[type] ?? `type-#${type}`;
  }
  p.print(`ICMP ${text}, length ${length}`);
}

function icmpUnreachable(p: SummaryPrinter, at: number, code: number): string {
  const inner = at + 8;
  const dst = (): string => p.ipv4(inner + 16);
  if (code === 2) return `${dst()} protocol ${p.u8(inner + 9)} unreachable`;
  if (code === 3) {
    p.need(inner + 9, 1);
    const innerHlen = (p.u8(inner) & 0x0f) * 4;
    const dport = p.u16(inner + innerHlen + 2);
    const proto = p.u8(inner + 9);
    if (proto === 6) return `${dst()} tcp port ${dport} unreachable`;
    if (proto === 17) return `${dst()} udp port ${dport} unreachable`;
    return `${dst()} protocol ${proto} port ${dport} unreachable`;
  }
  if (code === 4) {
    const mtu = p.u16(at + 6);
    return mtu !== 0 ? `${dst()} unreachable - need to frag (mtu ${mtu})` : `${dst()} unreachable - need to frag`;
  }
  const words = UNREACH_TEXT[code];
  return words === undefined ? `${dst()} unreachable - #${code}` : `${words[0]}${dst()}${words[1]}`;
}

const ICMP6_NAMES: Readonly<Record<number, string>> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 138: 'router renumbering',
  141: 'inverse neighbor solicitation', 142: 'inverse neighbor advertisement', 143: 'multicast listener report v2',
  144: 'ha discovery request', 145: 'ha discovery reply', 146: 'mobile router solicitation',
  147: 'mobile router advertisement', 139: 'node information query', 140: 'node information reply',
  200: 'mtrace message', 201: 'mtrace response', 155: 'RPL',
};

const UNREACH6_CODES: Readonly<Record<number, string>> = {
  0: 'unreachable route', 1: ' unreachable prohibited', 2: 'beyond scope', 3: 'unreachable address', 4: 'unreachable port',
};

function printIcmpv6(p: SummaryPrinter, at: number, length: number): void {
  p.proto = 'icmp6';
  if (length === 0) return p.print('ICMP6, length 0 (invalid)');
  const type = p.u8(at);
  const name = ICMP6_NAMES[type];
  p.print(`ICMP6, ${name ?? `unknown icmp6 type (${type})`}`);
  if (name === undefined) return p.print(`, length ${length}`);
  const code = p.u8(at + 1);
  const inner = at + 8;
  switch (type) {
    case 1:
      if (!printUnreachable6(p, code, inner)) return;
      break;
    case 2:
      p.print(`, mtu ${p.u32(at + 4)}`);
      break;
    case 3:
      p.print(code === 0 ? ` for ${p.ipv6(inner + 24)}` : code === 1 ? ' (reassembly)' : `, unknown code (${code})`);
      break;
    case 4: {
      p.need(inner + 24, 16);
      const kinds = ['erroneous', 'next header', 'option', 'incomplete header chain'];
      const kind = kinds[code];
      p.print(kind === undefined ? `, code-#${code}` : `, ${kind} - octet ${p.u32(at + 4)}`);
      break;
    }
    case 128:
    case 129:
      p.print(`, id ${p.u16(at + 4)}, seq ${p.u16(at + 6)}`);
      break;
    case 130:
    case 131:
    case 132:
      if (type !== 130 || length === 24) {
        if (p.has(at, 24)) p.print(`max resp delay: ${p.u16(at + 4)} addr: ${p.ipv6(at + 8)}`);
      } else if (length >= 28) {
        p.print(' v2');
      } else {
        p.print(` unknown-version (len ${length}) `);
      }
      break;
    case 135:
      p.print(`, who has ${p.ipv6(at + 8)}`);
      break;
    case 136:
      p.print(`, tgt is ${p.ipv6(at + 8)}`);
      break;
    case 137:
      p.print(`, ${p.ipv6(at + 8)} to ${p.ipv6(at + 24)}`);
      break;
    case 143:
      p.print(length < 8 ? ` [invalid len ${length}]` : `, ${p.u16(at + 6)} group record(s)`);
      break;
    case 144:
    case 146:
      p.print(`, id 0x${p.u16(at + 4).toString(16).padStart(4, '0')}`);
      break;
    default:
      break;
  }
  p.print(`, length ${length}`);
}

/** Destination-unreachable details; false when tcpdump stops the line there. */
function printUnreachable6(p: SummaryPrinter, code: number, inner: number): boolean {
  p.print(`, ${UNREACH6_CODES[code] ?? `unknown unreach code (${code})`}`);
  switch (code) {
    case 0:
    case 1:
    case 3:
      p.print(` ${p.ipv6(inner + 24)}`);
      return true;
    case 2:
      p.print(` ${p.ipv6(inner + 24)}, source address ${p.ipv6(inner + 8)}`);
      return true;
    case 4: {
      const nh = p.u8(inner + 6);
      const dport = p.u16(inner + 40 + 2);
      const dst = p.ipv6(inner + 24);
      if (nh === 6) p.print(`, ${dst} tcp port ${dport}`);
      else if (nh === 17) p.print(`, ${dst} udp port ${dport}`);
      else p.print(`, ${dst} protocol ${nh} port ${dport} unreachable`);
      return true;
    }
    default:
      return false;
  }
}
