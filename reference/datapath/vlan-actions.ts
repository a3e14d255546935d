/**
 * push_vlan and pop_vlan on frame bytes, as Linux net/openvswitch/actions.c
 * `push_vlan`/`pop_vlan` over skb_vlan_push/skb_vlan_pop behave once the
 * accelerated tag is written back into the frame:
 *  - push_vlan inserts a 4-byte tag right after the MAC addresses, outside
 *    any tag already there. The action's TCI carries the CFI/DEI bit (0x1000)
 *    as "a tag is present" (the flow-install validator requires it); the tag
 *    written to the wire has that bit cleared (`tci & ~VLAN_CFI_MASK`), so
 *    push_vlan never sets DEI.
 *  - pop_vlan removes the outermost tag — TPID 0x8100 or 0x88a8 right after
 *    the MACs with 6 bytes left from it (the extractor's rule for a tag);
 *    an untagged frame is left alone (skb_vlan_pop returns 0).
 *
 * Invariant: the key's VLAN slots follow as a fresh extraction would see
 * the result (up to two tags): push shifts vlan0 to vlan1 and fills vlan0
 * with the TCI with CFI set; pop shifts vlan1 to vlan0. When the result
 * would change more than the VLAN slots (a push onto two tags hides the L3
 * header from the extractor; a pop uncovers a third tag; a TPID the
 * extractor does not take as a tag, which the validator rejects), the key is marked
 * stale (`keyValid = false`), as the kernel invalidates it.
 *
 * Left out on purpose: hardware-accelerated tags (the tag is always in the
 * bytes), MPLS-tagged frames (push/pop_mpls are not executed).
 */
import { EtherType, FlowOffset, VLAN_CFI } from '../flow/index.ts';
import type { DpPacket } from './action-host.ts';

const O = FlowOffset;

function isVlanTpid(tpid: number): boolean {
  return tpid === EtherType.VLAN || tpid === EtherType.QINQ;
}

/** Pushes a tag with `tpid` and `tci` (CFI = present); false (action-error) for a frame without MACs. */
export function pushVlan(pkt: DpPacket, tpid: number, tci: number): boolean {
  const p = pkt.data;
  if (p.length < 14) return false;
  const out = new Uint8Array(p.length + 4);
  out.set(p.subarray(0, 12));
  const wireTci = tci & ~VLAN_CFI & 0xffff;
  out[12] = (tpid >>> 8) & 0xff;
  out[13] = tpid & 0xff;
  out[14] = wireTci >>> 8;
  out[15] = wireTci & 0xff;
  out.set(p.subarray(12), 16);
  pkt.data = out;
  if (!pkt.keyValid) return true;
  const v = pkt.key.view;
  if (v.getUint16(O.vlan1_tpid) !== 0 || !isVlanTpid(tpid)) {
    pkt.keyValid = false;
    return true;
  }
  v.setUint16(O.vlan1_tpid, v.getUint16(O.vlan0_tpid));
  v.setUint16(O.vlan1_tci, v.getUint16(O.vlan0_tci));
  v.setUint16(O.vlan0_tpid, tpid & 0xffff);
  v.setUint16(O.vlan0_tci, (tci | VLAN_CFI) & 0xffff);
  return true;
}

/** Pops the outer tag if there is one; false (action-error) for a frame without MACs. */
export function popVlan(pkt: DpPacket): boolean {
  const p = pkt.data;
  if (p.length < 14) return false;
  if (!isVlanTpid((p[12]! << 8) | p[13]!) || p.length < 18) return true;
  const out = new Uint8Array(p.length - 4);
  out.set(p.subarray(0, 12));
  out.set(p.subarray(16), 12);
  pkt.data = out;
  if (!pkt.keyValid) return true;
  const v = pkt.key.view;
  if (v.getUint16(O.vlan1_tpid) !== 0 && isVlanTpid(v.getUint16(O.dl_type))) {
    pkt.keyValid = false;
    return true;
  }
  v.setUint16(O.vlan0_tpid, v.getUint16(O.vlan1_tpid));
  v.setUint16(O.vlan0_tci, v.getUint16(O.vlan1_tci));
  v.setUint16(O.vlan1_tpid, 0);
  v.setUint16(O.vlan1_tci, 0);
  return true;
}
