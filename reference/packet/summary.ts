/**
 * One-line packet summaries in the style of `tcpdump -nn -e -S -t`, for
 * review diffs and golden files:
 *
 *     02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 54: 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], seq 0, win 8192, length 0
 *
 * The aim is byte-for-byte agreement with tcpdump 4.99's first output line
 * for the same frame; `summary.test.ts` checks it line by line against
 * tcpdump on captures/packet/summary-corpus.pcap. This file prints the link
 * layer (Ethernet II, 802.3 + LLC/SNAP, 802.1Q/802.1ad tags) and ARP;
 * summary-ip.ts prints IPv4/IPv6/ICMP/ICMPv6 and summary-transport.ts
 * TCP/UDP/SCTP.
 *
 * How: the printers read the frame's bytes themselves, in tcpdump's order,
 * rather than working from `decodePacket` layers, because tcpdump's line
 * depends on raw header values (including invalid ones) and on the fields
 * of headers cut short, which a decoded layer model does not keep. Address
 * text comes from field-values.ts. A read past the captured bytes ends the
 * line with ` [|proto]`, as tcpdump does; summaries never throw.
 *
 * Deliberate differences from tcpdump (documented, not bugs):
 * - TCP sequence numbers are absolute, as with `tcpdump -S`: tcpdump's
 *   default relative numbers depend on earlier packets of the connection.
 * - Where tcpdump continues with extra lines (a hex dump of an unknown
 *   payload, verbose details), only the first line is produced.
 * - Application protocols are not dissected (DNS, HTTP, DHCP, VXLAN, ...):
 *   TCP/UDP payloads are shown as `length N` whatever the port. Network and
 *   link protocols outside the list above (IGMP, GRE, ESP, MPLS, LLDP, STP,
 *   IPX, OSI) print their name or number and length only.
 * - ICMPv6 router renumbering and node information messages print their
 *   type name only; MLDv2 reports their group count only.
 */
import { type PcapRecord } from './pcap-format.ts';
import { printIpv4, printIpv6 } from './summary-ip.ts';
import { type SummaryPrinter, hex4, summarizeWith } from './summary-printer.ts';

export interface SummaryOptions {
  /** Length on the wire (default: the captured length). */
  originalLength?: number;
}

/** The one-line summary of an Ethernet frame. Never throws. */
export function summarizePacket(bytes: Uint8Array, options: SummaryOptions = {}): string {
  const wireLength = options.originalLength ?? bytes.length;
  return summarizeWith(bytes, (p) => printEthernet(p, wireLength));
}

/** The one-line summary of a pcap record (Ethernet link type). Never throws. */
export function summarizeRecord(record: PcapRecord): string {
  return summarizePacket(record.data, { originalLength: record.originalLength });
}

const ETHERTYPE_NAMES: Readonly<Record<number, string>> = {
  0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x88a8: '802.1Q-QinQ',
  0x9100: '802.1Q-9100', 0x9200: '802.1Q-9200', 0x8035: 'Reverse ARP', 0x9000: 'Loopback',
  0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast', 0x88cc: 'LLDP', 0x888e: 'EAPOL',
  0x8863: 'PPPoE D', 0x8864: 'PPPoE S', 0x8809: 'Slow Protocols', 0x88e5: 'MACsec',
  0x894f: 'NSH', 0x88f7: 'PTP', 0x8902: 'CFM', 0x22f0: 'AVTP',
};

const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);

function ethertypeText(type: number): string {
  return `ethertype ${ETHERTYPE_NAMES[type] ?? 'Unknown'} (0x${hex4(type)})`;
}

function printEthernet(p: SummaryPrinter, wireLength: number): void {
  p.proto = 'ether';
  p.need(0, 14);
  p.print(`${p.mac(6)} > ${p.mac(0)}, `);
  let type = p.u16(12);
  if (type <= 1500) {
    p.print(`802.3, length ${type}: `);
    printLlc(p, 14, type);
    return;
  }
  p.print(`${ethertypeText(type)}, length ${wireLength}: `);
  let at = 14;
  while (VLAN_ETHERTYPES.has(type)) {
    p.proto = 'vlan';
    const tci = p.u16(at);
    type = p.u16(at + 2);
    p.print(`vlan ${tci & 0xfff}, p ${tci >> 13}${tci & 0x1000 ? ', DEI' : ''}, `);
    at += 4;
    if (type <= 1500) {
      p.print('802.3');
      p.proto = 'llc';
      p.truncated();
    }
    p.print(`${ethertypeText(type)}, `);
  }
  printEthertype(p, type, at, wireLength - at);
}

/** Prints the payload of an EtherType `type` found at `at`; `length` is its length on the wire. */
export function printEthertype(p: SummaryPrinter, type: number, at: number, length: number): void {
  if (type === 0x0800) printIpv4(p, at, length);
  else if (type === 0x86dd) printIpv6(p, at, length);
  else if (type === 0x0806 || type === 0x8035) printArp(p, at, length);
}

const SAP_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Null', 0xff: 'Global', 0x02: '802.1B I', 0x03: '802.1B G', 0x06: 'IP', 0x04: 'SNA',
  0x0e: 'ProWay NM', 0x42: 'STP', 0x4e: 'RS511', 0x7e: 'ISO8208', 0x8e: 'ProWay', 0xaa: 'SNAP',
  0xe0: 'IPX', 0xf0: 'NetBeui', 0xfe: 'OSI',
};

const LLC_COMMANDS: Readonly<Record<number, string>> = {
  0x03: 'ui', 0xe3: 'test', 0xaf: 'xid', 0x63: 'ua', 0x43: 'disc', 0x0f: 'dm', 0x6f: 'sabme', 0x87: 'frmr',
};

const OUI_NAMES: Readonly<Record<number, string>> = { 0x000000: 'Ethernet', 0x0000f8: 'Cisco', 0x00000c: 'Cisco' };

/** IEEE 802.2 LLC (and SNAP) after an 802.3 header; `length` is the 802.3 length field. */
function printLlc(p: SummaryPrinter, at: number, length: number): void {
  p.proto = 'llc';
  const dsap = p.u8(at);
  const ssap = p.u8(at + 1);
  const control = p.u8(at + 2);
  const sapText = (v: number): string => `${SAP_NAMES[v & 0xfe] ?? 'Unknown'} (0x${(v & 0xfe).toString(16).padStart(2, '0')})`;
  p.print(`LLC, dsap ${sapText(dsap)} ${dsap & 1 ? 'Group' : 'Individual'}, ssap ${sapText(ssap)} ${ssap & 1 ? 'Response' : 'Command'}, `);
  p.print(`ctrl 0x${control.toString(16).padStart(2, '0')}: `);
  if (dsap === 0xaa && ssap === 0xaa && control === 0x03) {
    p.proto = 'snap';
    const oui = (p.u8(at + 3) << 16) | p.u16(at + 4);
    const type = p.u16(at + 6);
    const ouiText = `${OUI_NAMES[oui] ?? 'Unknown'} (0x${oui.toString(16).padStart(6, '0')})`;
    if (oui === 0) {
      p.print(`oui ${ouiText}, ${ethertypeText(type)}, length ${length - 8}: `);
      printEthertype(p, type, at + 8, length - 8);
    } else {
      p.print(`oui ${ouiText}, ethertype 0x${hex4(type)}, length ${length - 8}: `);
    }
    return;
  }
  if ((control & 0x03) === 0x03) {
    const flags = (ssap & 1) | (control & 0x10);
    const flagText = flags === 0 ? 'Command' : flags === 1 ? 'Response' : flags === 0x10 ? 'Poll' : 'Final';
    const command = LLC_COMMANDS[control & 0xef] ?? (control & 0xef).toString(16).padStart(2, '0');
    p.print(`Unnumbered, ${command}, Flags [${flagText}], length ${length}`);
  }
}

const ARP_OPS: Readonly<Record<number, string>> = {
  1: 'Request', 2: 'Reply', 3: 'Reverse Request', 4: 'Reverse Reply', 8: 'Inverse Request', 9: 'Inverse Reply', 10: 'NACK Reply',
};

const ARP_HARDWARE: Readonly<Record<number, string>> = {
  1: 'Ethernet', 6: 'TokenRing', 7: 'ArcNet', 15: 'FrameRelay', 16: 'ATM', 24: 'IEEE1394', 32: 'InfiniBand',
};

/** ARP/RARP (RFC 826, RFC 903, RFC 2390); `length` is the ARP packet's length on the wire. */
function printArp(p: SummaryPrinter, at: number, length: number): void {
  p.proto = 'arp';
  p.need(at, 8);
  const hrd = p.u16(at);
  const pro = p.u16(at + 2);
  const hln = p.u8(at + 4);
  const pln = p.u8(at + 5);
  const op = p.u16(at + 6);
  const sha = at + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  p.need(tpa, pln);
  if ((pro !== 0x0800 && pro !== 0x1000) || pln !== 4 || hln === 0) {
    const hw = ARP_HARDWARE[hrd] ?? `Unknown Hardware (${hrd})`;
    const proto = pro === 0x0800 ? 'IPv4' : ETHERTYPE_NAMES[pro] ?? `Unknown Protocol (0x${hex4(pro)})`;
    p.print(`${hw} (len ${hln}), ${proto} (len ${pln}), length ${length}`);
    return;
  }
  const opName = ARP_OPS[op];
  p.print(`${opName ?? `Unknown (${op})`} `);
  const link = (off: number): string => linkAddress(p, off, hln);
  switch (op) {
    case 1: {
      const thaZero = p.bytes.subarray(tha, tha + hln).every((b) => b === 0);
      p.print(`who-has ${p.ipv4(tpa)}${thaZero ? '' : ` (${link(tha)})`} tell ${p.ipv4(spa)}`);
      break;
    }
    case 2:
      p.print(`${p.ipv4(spa)} is-at ${link(sha)}`);
      break;
    case 3:
    case 8:
      p.print(`who-is ${link(tha)} tell ${link(sha)}`);
      break;
    case 4:
      p.print(`${link(tha)} at ${p.ipv4(tpa)}`);
      break;
    case 9:
      p.print(`${link(sha)} at ${p.ipv4(spa)}`);
      break;
    default:
      return;
  }
  p.print(`, length ${length}`);
}

function linkAddress(p: SummaryPrinter, at: number, n: number): string {
  p.need(at, n);
  if (n === 6) return p.mac(at);
  return [...p.bytes.subarray(at, at + n)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
