/**
 * Summary printers for TCP (RFC 9293, options from RFC 7323/2018), UDP
 * (RFC 768) and SCTP (RFC 9260) in the text tcpdump 4.99 prints with
 * `-nn -S` and without -v. See summary.ts for the overall contract.
 *
 * Invariant: `length` is the transport segment's length on the wire as the
 * IP header states it; the ports are printed with the addresses only when
 * the transport directly follows the IP header (tcpdump's rule), otherwise
 * alone after the extension headers.
 *
 * Left out on purpose: payload dissection by port; TCP options with
 * structured bodies (MD5, TCP-AO, MPTCP, TFO, UTO, experimental) print as
 * their name or `unknown-N` with the option bytes in hex, which can differ
 * from tcpdump for those options; SCTP chunk types other than DATA, INIT,
 * INIT ACK and SACK print their name only.
 */
import { type IpContext, ipDestination, ipSource } from './summary-ip.ts';
import { type SummaryPrinter } from './summary-printer.ts';

function printPorts(p: SummaryPrinter, ip: IpContext, sport: number, dport: number): void {
  if (ip.isDirect) p.print(`${ipSource(p, ip)}.${sport} > ${ipDestination(p, ip)}.${dport}: `);
  else p.print(`${sport} > ${dport}: `);
}

function printAddressesOnly(p: SummaryPrinter, ip: IpContext, separator: string): void {
  p.print(`${ipSource(p, ip)} > ${ipDestination(p, ip)}:${separator}`);
}

const TCP_FLAGS: readonly [number, string][] = [
  [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
];

export function printTcp(p: SummaryPrinter, at: number, length: number, ip: IpContext): void {
  p.proto = 'tcp';
  if (!p.has(at + 2, 2)) {
    printAddressesOnly(p, ip, '');
    p.truncated();
  }
  printPorts(p, ip, p.u16(at), p.u16(at + 2));
  p.need(at, 20);
  const hlen = (p.u8(at + 12) >> 4) * 4;
  if (hlen < 20) return p.print(` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`);
  const seq = p.u32(at + 4);
  const ack = p.u32(at + 8);
  const flags = p.u8(at + 13);
  const win = p.u16(at + 14);
  const urp = p.u16(at + 18);
  const flagText = TCP_FLAGS.filter(([bit]) => flags & bit).map(([, c]) => c).join('');
  p.print(`Flags [${flagText === '' ? 'none' : flagText}]`);
  if (hlen > length) return p.print(` [bad hdr length ${hlen} - too long, > ${length}]`);
  const payload = length - hlen;
  if (payload > 0 || flags & 0x07) {
    p.print(`, seq ${seq}`);
    if (payload > 0) p.print(`:${(seq + payload) >>> 0}`);
  }
  if (flags & 0x10) p.print(`, ack ${ack}`);
  p.print(`, win ${win}`);
  if (flags & 0x20) p.print(`, urg ${urp}`);
  if (hlen > 20) printTcpOptions(p, at + 20, hlen - 20);
  p.print(`, length ${payload}`);
  if (payload > 0 && !p.has(at, hlen)) {
    p.print(` [remaining caplen(${Math.max(0, p.end - at)}) < header length(${hlen})]`);
    p.truncated();
  }
}

const TCP_OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply', 8: 'TS',
  11: 'cc', 12: 'ccnew', 13: '', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp', 34: 'tfo', 254: 'exp',
};

function printTcpOptions(p: SummaryPrinter, start: number, total: number): void {
  p.print(', options [');
  let cp = start;
  let left = total;
  let first = true;
  while (left > 0) {
    if (!first) p.print(',');
    first = false;
    const opt = p.u8(cp++);
    let len = 1;
    if (opt > 1) {
      len = p.u8(cp++);
      if (len < 2 || len > left) return badOption(p);
      left -= 1;
    }
    left -= 1;
    p.print(TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`);
    const datalen = printTcpOptionBody(p, opt, cp, len, left);
    if (datalen === undefined) return badOption(p);
    cp += datalen;
    left -= datalen;
    if (datalen + (opt > 1 ? 2 : 1) !== len) p.print(`[len ${len}]`);
    if (opt === 0) break;
  }
  p.print(']');
}

/** Prints one option's body; returns the bytes it covered, undefined when it overruns the header. */
function printTcpOptionBody(p: SummaryPrinter, opt: number, cp: number, len: number, left: number): number | undefined {
  const fixed = (n: number): boolean => {
    if (n > left) return false;
    p.need(cp, n);
    return true;
  };
  switch (opt) {
    case 0:
    case 1:
      return 0;
    case 2:
      if (!fixed(2)) return undefined;
      p.print(` ${p.u16(cp)}`);
      return 2;
    case 3:
      if (!fixed(1)) return undefined;
      p.print(` ${p.u8(cp)}`);
      return 1;
    case 4:
      return 0;
    case 5: {
      const datalen = len - 2;
      if (datalen % 8 !== 0) {
        p.print(' invalid sack');
        return datalen > left ? undefined : datalen;
      }
      p.print(` ${datalen / 8} `);
      for (let i = 0; i < datalen; i += 8) {
        if (!fixed(i + 8)) return undefined;
        p.print(`{${p.u32(cp + i)}:${p.u32(cp + i + 4)}}`);
      }
      return datalen;
    }
    case 6:
    case 7:
    case 11:
    case 12:
    case 13:
      if (!fixed(4)) return undefined;
      p.print(` ${p.u32(cp)}`);
      return 4;
    case 8:
      if (!fixed(8)) return undefined;
      p.print(` val ${p.u32(cp)} ecr ${p.u32(cp + 4)}`);
      return 8;
    default: {
      const datalen = len - 2;
      if (!fixed(datalen)) return undefined;
      if (datalen > 0) p.print(` 0x${[...p.bytes.subarray(cp, cp + datalen)].map((b) => b.toString(16).padStart(2, '0')).join('')}`);
      return datalen;
    }
  }
}

function badOption(p: SummaryPrinter): void {
  p.print('[bad opt]]');
}

export function printUdp(p: SummaryPrinter, at: number, length: number, ip: IpContext): void {
  p.proto = 'udp';
  if (!p.has(at + 2, 2)) {
    if (ip.isDirect) printAddressesOnly(p, ip, ' ');
    p.truncated();
  }
  const sport = p.u16(at);
  const dport = p.u16(at + 2);
  if (length < 8) {
    printPorts(p, ip, sport, dport);
    return p.print(`truncated-udp ${length}`);
  }
  if (!p.has(at + 4, 2)) {
    printPorts(p, ip, sport, dport);
    p.truncated();
  }
  let ulen = p.u16(at + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  printPorts(p, ip, sport, dport);
  if (ulen < 8) return p.print(`truncated-udplength ${ulen}`);
  ulen -= 8;
  const payload = Math.min(length - 8, ulen);
  if (!p.has(at, 8)) p.truncated();
  p.print(ulen > payload && !ip.isFragment ? `UDP, bad length ${ulen} > ${payload}` : `UDP, length ${ulen}`);
}

const SCTP_CHUNKS: Readonly<Record<number, string>> = {
  0: 'DATA', 1: 'INIT', 2: 'INIT ACK', 3: 'SACK', 4: 'HB REQ', 5: 'HB ACK', 6: 'ABORT', 7: 'SHUTDOWN',
  8: 'SHUTDOWN ACK', 9: 'OP ERR', 10: 'COOKIE ECHO', 11: 'COOKIE ACK', 12: 'ECN ECHO', 13: 'ECN CWR',
  14: 'SHUTDOWN COMPLETE', 192: 'FOR CUM TSN', 193: 'REL CTRL', 194: 'REL CTRL ACK',
};

export function printSctp(p: SummaryPrinter, at: number, length: number, ip: IpContext): void {
  p.proto = 'sctp';
  if (length < 12) return p.print(`truncated-sctp - ${12 - length} bytes missing!`);
  p.need(at, 12);
  p.print(`${ipSource(p, ip)}.${p.u16(at)} > ${ipDestination(p, ip)}.${p.u16(at + 2)}: sctp`);
  let cp = at + 12;
  let left = length - 12;
  for (let count = 1; left !== 0; count++) {
    const sep = count === 1 ? ' (' : ', (';
    if (left < 4) return p.print(`${sep}${count}) [chunk descriptor cut off at end of packet]`);
    const type = p.u8(cp);
    const chunkLength = p.u16(cp + 2);
    if (chunkLength < 4) return p.print(`${sep}${count}) [Bad chunk length ${chunkLength}, < size of chunk descriptor]`);
    const align = (4 - (chunkLength % 4)) % 4;
    if (left < align) return p.print(`${sep}${count}) [Bad chunk length ${chunkLength}, > remaining data in packet]`);
    p.need(cp, chunkLength);
    p.print(`${sep}${count}) [${SCTP_CHUNKS[type] ?? `Unknown chunk type: 0x${type.toString(16)}`}] `);
    if (!printSctpChunk(p, type, cp, chunkLength)) return;
    cp += chunkLength;
    left -= chunkLength;
    if (align !== 0) {
      p.need(cp, align);
      cp += align;
      left -= align;
    }
    if (left < 0) return;
  }
}

/** Prints a chunk's fields; false when tcpdump stops the line (bogus length). */
function printSctpChunk(p: SummaryPrinter, type: number, cp: number, chunkLength: number): boolean {
  const body = chunkLength - 4;
  switch (type) {
    case 0: {
      const flags = p.u8(cp + 1);
      const marks = `${flags & 4 ? '(U)' : ''}${flags & 2 ? '(B)' : ''}${flags & 1 ? '(E)' : ''}`;
      p.print(marks === '' ? '' : `${marks} `);
      if (body < 12) return bogus(p, chunkLength);
      p.print(`[TSN: ${p.u32(cp + 4)}] [SID: ${p.u16(cp + 8)}] [SSEQ ${p.u16(cp + 10)}] [PPID 0x${p.u32(cp + 12).toString(16)}] `);
      return true;
    }
    case 1:
    case 2:
      if (body < 16) return bogus(p, chunkLength);
      p.print(`[init tag: ${p.u32(cp + 4)}] [rwnd: ${p.u32(cp + 8)}] [OS: ${p.u16(cp + 12)}] [MIS: ${p.u16(cp + 14)}] [init TSN: ${p.u32(cp + 16)}] `);
      return true;
    case 3:
      if (body < 12) return bogus(p, chunkLength);
      p.print(`[cum ack ${p.u32(cp + 4)}] [a_rwnd ${p.u32(cp + 8)}] [#gap acks ${p.u16(cp + 12)}] [#dup tsns ${p.u16(cp + 14)}] `);
      return true;
    default:
      return true;
  }
}

function bogus(p: SummaryPrinter, chunkLength: number): false {
  p.print(`bogus chunk length ${chunkLength}]`);
  return false;
}
