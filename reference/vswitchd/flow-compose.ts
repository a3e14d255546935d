/**
 * A packet from flow field values, as Open vSwitch's flow_compose
 * (lib/flow.c) builds one for `netdev-dummy/receive PORT FLOW`: the packet
 * that flow extraction would turn back into those fields, with everything
 * else zero.
 *
 * What it builds (layer specs for the packet encoder in reference/packet):
 *  - Ethernet dl_dst, dl_src; VLAN tags whose TCI has the CFI/present bit
 *    (802.1Q or 802.1ad by TPID), written without that bit; for an 802.3
 *    flow (dl_type 0x05ff) only the 14-byte header with its length.
 *  - IPv4: IHL 5, tos, ttl, proto, addresses, id 0; a fragment has MF set,
 *    a later fragment offset 100 (8-byte units) and no L4 header.
 *  - IPv6: traffic class, label, hop limit, next header = nw_proto, no
 *    extension headers.
 *  - TCP with zero seq/ack/window and the flow's 12 flag bits, UDP, SCTP
 *    (checksum left 0, as OVS does), ICMP and ICMPv6 type/code from
 *    tp_src/tp_dst, ND target and link-layer options for NS/NA, IGMP type
 *    and code; echo requests/replies, UDP and TCP without SYN/FIN/RST carry
 *    the payload (OVS uses 64 bytes 00 01 … 3f).
 *  - ARP/RARP: op from nw_proto, addresses only for requests and replies.
 *  - MPLS label stack entries up to the bottom of stack, nothing after.
 * Lengths and checksums are computed (except SCTP's), so the bytes equal
 * OVS's for the same fields.
 *
 * `--len` (padLayers) composes without payload, then appends zeros and
 * fixes lengths and checksums over them.
 *
 * Left out on purpose: tunnel metadata, NSH, the IGMP group (not in our
 * flow key), conntrack fields (metadata, not packet bytes).
 */
import { FlowKey, FlowOffset, NwFrag, VLAN_CFI, DL_TYPE_NONE } from '../flow/index.ts';
import { formatIpv4, formatIpv6, formatMac, internetChecksum, type FieldValue, type LayerName, type LayerSpec } from '../packet/index.ts';

/** OVS's arbitrary payload: bytes 0, 1, 2, … */
export const COMPOSE_PAYLOAD_BYTES = 64;

const IPPROTO = { ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132 } as const;
const ETH_TYPE = { IP: 0x0800, ARP: 0x0806, RARP: 0x8035, IPV6: 0x86dd, MPLS: 0x8847, MPLS_MCAST: 0x8848 } as const;
const TCP_SYN_FIN_RST = 0x007;

const layer = (name: LayerName, fields: Record<string, FieldValue>): LayerSpec => ({ name, fields });

function payload(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i & 0xff);
}

class Fields {
  constructor(private readonly k: FlowKey) {}
  u8(slot: keyof typeof FlowOffset): number {
    return this.k.view.getUint8(FlowOffset[slot]);
  }
  u16(slot: keyof typeof FlowOffset, delta = 0): number {
    return this.k.view.getUint16(FlowOffset[slot] + delta);
  }
  u32(slot: keyof typeof FlowOffset, delta = 0): number {
    return this.k.view.getUint32(FlowOffset[slot] + delta);
  }
  mac(slot: keyof typeof FlowOffset): string {
    return formatMac(this.k.bytes.subarray(FlowOffset[slot], FlowOffset[slot] + 6));
  }
  ipv4(slot: keyof typeof FlowOffset): string {
    return formatIpv4(this.k.bytes.subarray(FlowOffset[slot], FlowOffset[slot] + 4));
  }
  ipv6(slot: keyof typeof FlowOffset): string {
    return formatIpv6(this.k.bytes.subarray(FlowOffset[slot], FlowOffset[slot] + 16));
  }
  isZero(slot: keyof typeof FlowOffset, bytes: number): boolean {
    return this.k.bytes.subarray(FlowOffset[slot], FlowOffset[slot] + bytes).every((b) => b === 0);
  }
}

/**
 * The layers flow_compose would write for `key`; `payloadBytes` is the
 * payload of TCP/UDP/echo packets (OVS: 64, or 0 when `--len` is given and
 * padLayers adds zeros instead).
 */
export function composeLayers(key: FlowKey, payloadBytes = COMPOSE_PAYLOAD_BYTES): LayerSpec[] {
  const f = new Fields(key);
  const dlType = f.u16('dl_type');
  const layers: LayerSpec[] = [];
  const tags: { tpid: number; tci: number }[] = [];
  for (const [tpid, tci] of [['vlan0_tpid', 'vlan0_tci'], ['vlan1_tpid', 'vlan1_tci']] as const) {
    if (f.u16(tci) & VLAN_CFI) tags.push({ tpid: f.u16(tpid) || 0x8100, tci: f.u16(tci) });
  }
  const ethType = dlType === DL_TYPE_NONE ? 14 : (tags[0]?.tpid ?? dlType);
  layers.push(layer('Ether', { dst: f.mac('dl_dst'), src: f.mac('dl_src'), type: ethType }));
  if (dlType === DL_TYPE_NONE) return layers;
  tags.forEach((t, i) => {
    const next = tags[i + 1]?.tpid ?? dlType;
    layers.push(layer(t.tpid === 0x88a8 ? 'Dot1AD' : 'Dot1Q', { prio: t.tci >> 13, id: 0, vlan: t.tci & 0xfff, type: next }));
  });
  if (dlType === ETH_TYPE.IP) layers.push(...composeIpv4(f, payloadBytes));
  else if (dlType === ETH_TYPE.IPV6) layers.push(...composeIpv6(f, payloadBytes));
  else if (dlType === ETH_TYPE.ARP || dlType === ETH_TYPE.RARP) layers.push(composeArp(f));
  else if (dlType === ETH_TYPE.MPLS || dlType === ETH_TYPE.MPLS_MCAST) layers.push(composeMpls(f));
  return layers;
}

function isLaterFragment(f: Fields): boolean {
  const frag = f.u8('nw_frag');
  return (frag & NwFrag.ANY) !== 0 && (frag & NwFrag.LATER) !== 0;
}

function composeIpv4(f: Fields, payloadBytes: number): LayerSpec[] {
  const frag = f.u8('nw_frag');
  const ip = layer('IP', {
    version: 4, ihl: 5, tos: f.u8('nw_tos'), id: 0, flags: frag & NwFrag.ANY ? 1 : 0, frag: frag & NwFrag.LATER ? 100 : 0,
    ttl: f.u8('nw_ttl'), proto: f.u8('nw_proto'), src: f.ipv4('nw_src'), dst: f.ipv4('nw_dst'), options: [],
  });
  return [ip, ...(isLaterFragment(f) ? [] : composeL4(f, false, payloadBytes))];
}

function composeIpv6(f: Fields, payloadBytes: number): LayerSpec[] {
  const ip = layer('IPv6', {
    version: 6, tc: f.u8('nw_tos'), fl: f.u32('ipv6_label') & 0xfffff, nh: f.u8('nw_proto'), hlim: f.u8('nw_ttl'),
    src: f.ipv6('ipv6_src'), dst: f.ipv6('ipv6_dst'),
  });
  return [ip, ...(isLaterFragment(f) ? [] : composeL4(f, true, payloadBytes))];
}

function composeL4(f: Fields, isV6: boolean, payloadBytes: number): LayerSpec[] {
  const proto = f.u8('nw_proto');
  const sport = f.u16('tp_src');
  const dport = f.u16('tp_dst');
  const data = (): LayerSpec[] => (payloadBytes > 0 ? [layer('Raw', { load: payload(payloadBytes) })] : []);
  if (proto === IPPROTO.TCP) {
    const flags = f.u16('tcp_flags') & 0xfff;
    const tcp = layer('TCP', { sport, dport, seq: 0, ack: 0, dataofs: 5, reserved: flags >> 9, flags: flags & 0x1ff, window: 0, urgptr: 0, options: [] });
    return flags & TCP_SYN_FIN_RST ? [tcp] : [tcp, ...data()];
  }
  if (proto === IPPROTO.UDP) return [layer('UDP', { sport, dport }), ...data()];
  if (proto === IPPROTO.SCTP) return [layer('SCTP', { sport, dport, tag: 0, chksum: 0 })];
  if (proto === IPPROTO.ICMP && !isV6) {
    const icmp = layer('ICMP', { type: sport & 0xff, code: dport & 0xff, id: 0, seq: 0 });
    return (sport === 0 || sport === 8) && dport === 0 ? [icmp, ...data()] : [icmp];
  }
  if (proto === IPPROTO.IGMP && !isV6) {
    const igmp = new Uint8Array(8);
    igmp[0] = sport & 0xff;
    igmp[1] = dport & 0xff;
    const sum = internetChecksum(igmp, 0, 8);
    igmp[2] = sum >> 8;
    igmp[3] = sum & 0xff;
    return [layer('Raw', { load: igmp })];
  }
  if (proto === IPPROTO.ICMPV6 && isV6) return composeIcmpv6(f, sport & 0xff, dport & 0xff, payloadBytes);
  return [];
}

function composeIcmpv6(f: Fields, type: number, code: number, payloadBytes: number): LayerSpec[] {
  if (code === 0 && (type === 135 || type === 136)) {
    const nd = type === 135 ? layer('ICMPv6ND_NS', { type, code, res: 0, tgt: f.ipv6('nd_target') }) : layer('ICMPv6ND_NA', { type, code, R: 0, S: 0, O: 0, res: 0, tgt: f.ipv6('nd_target') });
    const out = [nd];
    if (!f.isZero('arp_sha', 6)) out.push(layer('ICMPv6NDOptSrcLLAddr', { type: 1, len: 1, lladdr: f.mac('arp_sha') }));
    if (!f.isZero('arp_tha', 6)) out.push(layer('ICMPv6NDOptDstLLAddr', { type: 2, len: 1, lladdr: f.mac('arp_tha') }));
    return out;
  }
  if (code === 0 && (type === 128 || type === 129)) {
    return [layer(type === 128 ? 'ICMPv6EchoRequest' : 'ICMPv6EchoReply', { type, code, id: 0, seq: 0, data: payload(payloadBytes) })];
  }
  return [layer('ICMPv6Unknown', { type, code, msgbody: new Uint8Array(4) })];
}

function composeArp(f: Fields): LayerSpec {
  const op = f.u8('nw_proto');
  const withAddrs = op === 1 || op === 2;
  return layer('ARP', {
    hwtype: 1, ptype: ETH_TYPE.IP, hwlen: 6, plen: 4, op,
    hwsrc: withAddrs ? f.mac('arp_sha') : '00:00:00:00:00:00', psrc: withAddrs ? f.ipv4('nw_src') : '0.0.0.0',
    hwdst: withAddrs ? f.mac('arp_tha') : '00:00:00:00:00:00', pdst: withAddrs ? f.ipv4('nw_dst') : '0.0.0.0',
  });
}

function composeMpls(f: Fields): LayerSpec {
  const lses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const lse = f.u32('mpls_lse', 4 * i);
    lses.push(lse);
    if (lse & 0x100) break;
  }
  const bytes = new Uint8Array(4 * lses.length);
  const view = new DataView(bytes.buffer);
  lses.forEach((l, i) => view.setUint32(4 * i, l >>> 0));
  return layer('Raw', { load: bytes });
}

/**
 * packet_expand: appends `extra` zero bytes as payload of the innermost
 * layer (so lengths and checksums cover them); an 802.3 header's length
 * field is updated. As OVS 3.1 does, the UDP length counts the added bytes
 * twice (8 + 2 × extra, for a packet composed without payload).
 */
export function padLayers(layers: readonly LayerSpec[], extra: number): LayerSpec[] {
  if (extra <= 0) return [...layers];
  const out = [...layers];
  const last = out[out.length - 1];
  const zeros = new Uint8Array(extra);
  if (last && last.name === 'Raw' && last.fields['load'] instanceof Uint8Array) {
    const load = last.fields['load'];
    const merged = new Uint8Array(load.length + extra);
    merged.set(load);
    out[out.length - 1] = layer('Raw', { load: merged });
  } else if (last && (last.name === 'ICMPv6EchoRequest' || last.name === 'ICMPv6EchoReply') && last.fields['data'] instanceof Uint8Array) {
    const data = last.fields['data'];
    const merged = new Uint8Array(data.length + extra);
    merged.set(data);
    out[out.length - 1] = layer(last.name, { ...last.fields, data: merged });
  } else {
    out.push(layer('Raw', { load: zeros }));
  }
  const udp = out.findIndex((l) => l.name === 'UDP');
  const udpLayer = out[udp];
  if (udpLayer) out[udp] = layer('UDP', { ...udpLayer.fields, len: 8 + 2 * extra });
  const eth = out[0];
  if (out.length === 2 && eth?.name === 'Ether' && eth.fields['type'] === 14) out[0] = layer('Ether', { ...eth.fields, type: 14 + extra });
  return out;
}
