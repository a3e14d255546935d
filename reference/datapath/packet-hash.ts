/**
 * The `hash` action's value: dp_hash from the packet's 5-tuple and the
 * action's basis (Linux net/openvswitch/actions.c `execute_hash`).
 *
 * What: `l4` hashes (source address, destination address, IP protocol,
 * source port, destination port) in that order; `sym_l4` hashes the XOR of
 * the two addresses and of the two ports, so both directions of a
 * connection get the same value. Addresses are IPv4 or IPv6 from the flow
 * key; ports only for TCP, UDP and SCTP (they are zero in the key for later
 * fragments). A frame that is not IP hashes an all-zero tuple, so its value
 * depends on the basis only (the kernel's flow dissector gives such frames
 * hash 0 before mixing in the basis). A result of 0 becomes 1, as the
 * kernel makes it, because dp_hash 0 means "not computed".
 *
 * Invariant: a pure function of the key fields above and the basis;
 * deterministic across runs (the kernel's skb hash is seeded randomly at
 * boot, so no value can match it bit for bit; only its properties do).
 *
 * Left out on purpose: the kernel's jhash; this is a 32-bit multiply-rotate
 * mix with a final avalanche.
 */
import { EtherType, FlowKey, FlowOffset, Proto, extractDatapathKey } from '../flow/index.ts';
import type { DpPacket } from './action-host.ts';

const O = FlowOffset;

function mix(h: number, word: number): number {
  let k = Math.imul(word >>> 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  let x = (h ^ Math.imul(k, 0x1b873593)) >>> 0;
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) >>> 0;
}

function avalanche(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** dp_hash of the packet `key` describes, for `alg` and `basis`; never 0. */
export function packetHash(key: FlowKey, alg: 'l4' | 'sym_l4', basis: number): number {
  const v = key.view;
  const dlType = v.getUint16(O.dl_type);
  const isIp = dlType === EtherType.IP || dlType === EtherType.IPV6;
  const proto = isIp ? v.getUint8(O.nw_proto) : 0;
  const hasPorts = proto === Proto.TCP || proto === Proto.UDP || proto === Proto.SCTP;
  const sym = alg === 'sym_l4';
  let h = basis >>> 0;
  if (dlType === EtherType.IP) {
    const src = v.getUint32(O.nw_src);
    const dst = v.getUint32(O.nw_dst);
    h = sym ? mix(h, src ^ dst) : mix(mix(h, src), dst);
  } else if (dlType === EtherType.IPV6) {
    for (let i = 0; i < 16; i += 4) {
      const src = v.getUint32(O.ipv6_src + i);
      h = mix(h, sym ? src ^ v.getUint32(O.ipv6_dst + i) : src);
    }
    if (!sym) for (let i = 0; i < 16; i += 4) h = mix(h, v.getUint32(O.ipv6_dst + i));
  }
  h = mix(h, proto);
  const sport = hasPorts ? v.getUint16(O.tp_src) : 0;
  const dport = hasPorts ? v.getUint16(O.tp_dst) : 0;
  h = sym ? mix(h, sport ^ dport) : mix(h, (sport << 16) | dport);
  return avalanche(h) || 1;
}

const scratch = new FlowKey();

/**
 * The `hash` action: sets `pkt.md.dpHash` (and the key's dp_hash while the
 * key is valid). A stale key is not trusted: the tuple is then read from a
 * fresh extraction of the bytes, as the kernel hashes the skb itself.
 */
export function applyHash(pkt: DpPacket, alg: 'l4' | 'sym_l4', basis: number): void {
  let key = pkt.key;
  if (!pkt.keyValid) {
    const md = pkt.md;
    extractDatapathKey(pkt.data, scratch, { inPort: md.inPort, skbPriority: md.skbPriority, pktMark: md.skbMark, recircId: md.recircId });
    key = scratch;
  }
  pkt.md.dpHash = packetHash(key, alg, basis);
  if (pkt.keyValid) pkt.key.view.setUint32(FlowOffset.dp_hash, pkt.md.dpHash);
}
