/**
 * The flow key: one fixed byte layout for every field the switch can match,
 * modelled on Open vSwitch's `struct flow` (lib/flow.h).
 *
 * What: a `FlowKey` is 256 bytes holding each field at a fixed offset, in
 * network byte order (big-endian). A mask ("wildcards") is a `FlowKey` with
 * the same layout whose set bits mark the bits that matter. Keeping keys and
 * masks in one flat layout lets the classifier and the megaflow table mask,
 * hash and compare flows a 32-bit word at a time, as OVS does with miniflows.
 *
 * Invariants:
 *  - Fields never straddle the segment boundaries in `FlowSegmentBytes`
 *    (metadata | L2 | L3 | L4), which the classifier's staged lookup uses.
 *  - Padding bytes are always zero in keys and masks.
 *  - The layout is private to `reference/`: text formats, not offsets, cross
 *    process boundaries.
 *
 * Field meanings follow `struct flow`, including its overloads: for ARP,
 * `nw_src`/`nw_dst` hold the sender/target protocol addresses, `nw_proto`
 * the low 8 bits of the opcode, and `arp_sha`/`arp_tha` the hardware
 * addresses; for IPv6 neighbour discovery `nd_target` holds the target and
 * `arp_sha`/`arp_tha` the source/target link-layer address options; for ICMP
 * `tp_src`/`tp_dst` hold type and code.
 *
 * Left out on purpose (later issues): tunnel metadata, NSH, the conntrack
 * original-direction tuple for IPv6, IGMP group, and `nd_reserved`/
 * `nd_options_type` of the userspace key. Adding a field means adding it
 * here and in the field catalog; offsets are used only through `FlowOffset`.
 */

/** Byte offsets of each field (big-endian storage). */
export const FlowOffset = {
  // -- metadata segment [0, 128)
  metadata: 0, //    u64
  regs: 8, //        16 x u32 (reg0..reg15)
  skb_priority: 72, // u32
  pkt_mark: 76, //   u32
  dp_hash: 80, //    u32
  in_port: 84, //    u32: OpenFlow port in ofproto, datapath port in the datapath
  recirc_id: 88, //  u32
  ct_state: 92, //   u8
  ct_nw_proto: 93, // u8
  ct_zone: 94, //    u16
  ct_mark: 96, //    u32
  conj_id: 100, //   u32
  ct_label: 104, //  16 bytes
  actset_output: 120, // u32
  packet_type: 124, // u32: (namespace << 16) | type; 0 = Ethernet
  // -- L2 segment [128, 168)
  dl_dst: 128, //    6 bytes
  dl_src: 134, //    6 bytes
  dl_type: 140, //   u16 (0x05ff for 802.3 frames without SNAP, like OVS's FLOW_DL_TYPE_NONE)
  // 142: 2 bytes padding
  vlan0_tpid: 144, // u16; 0 = no tag in this slot
  vlan0_tci: 146, // u16, with the CFI/DEI bit (0x1000) set when a tag is present, as OVS does
  vlan1_tpid: 148,
  vlan1_tci: 150,
  mpls_lse: 152, //  3 x u32 label stack entries
  // 164: 4 bytes padding
  // -- L3 segment [168, 216)
  nw_src: 168, //    u32
  nw_dst: 172, //    u32
  ipv6_src: 176, //  16 bytes
  ipv6_dst: 192, //  16 bytes
  ipv6_label: 208, // u32 (20 bits used)
  nw_frag: 212, //   u8: FLOW_NW_FRAG_ANY 1 | FLOW_NW_FRAG_LATER 2
  nw_tos: 213, //    u8: DSCP << 2 | ECN
  nw_ttl: 214, //    u8
  nw_proto: 215, //  u8
  // -- L4 segment [216, 256)
  nd_target: 216, // 16 bytes
  arp_sha: 232, //   6 bytes
  arp_tha: 238, //   6 bytes
  tcp_flags: 244, // u16 (12 bits used)
  // 246: 2 bytes padding
  tp_src: 248, //    u16
  tp_dst: 250, //    u16
  ct_tp_src: 252, // u16
  ct_tp_dst: 254, // u16
} as const;
export type FlowFieldSlot = keyof typeof FlowOffset;

export const FLOW_BYTES = 256;
export const FLOW_WORDS = FLOW_BYTES / 4;
/** Start offsets of the L2, L3 and L4 segments (the metadata segment starts at 0). */
export const FlowSegmentBytes = [128, 168, 216] as const;

/** `nw_frag` bits (OVS FLOW_NW_FRAG_*). */
export const NwFrag = { ANY: 1, LATER: 2, MASK: 3 } as const;
/** The CFI/DEI bit of a VLAN TCI, which OVS sets to mean "a tag is present". */
export const VLAN_CFI = 0x1000;
/** `dl_type` of an 802.3 frame without SNAP (OVS FLOW_DL_TYPE_NONE). */
export const DL_TYPE_NONE = 0x05ff;

/**
 * A flow key or mask. Owns (or views) exactly `FLOW_BYTES` bytes; `words`
 * and `view` alias the same memory.
 */
export class FlowKey {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly words: Uint32Array;

  /** A zeroed key, or a view of `FLOW_BYTES` bytes at a 4-byte-aligned offset of `buffer`. */
  constructor(buffer?: ArrayBuffer, byteOffset = 0) {
    const buf = buffer ?? new ArrayBuffer(FLOW_BYTES);
    if (byteOffset % 4 !== 0 || byteOffset + FLOW_BYTES > buf.byteLength) {
      throw new RangeError(`FlowKey: offset ${byteOffset} is unaligned or leaves fewer than ${FLOW_BYTES} bytes in a buffer of ${buf.byteLength}`);
    }
    this.bytes = new Uint8Array(buf, byteOffset, FLOW_BYTES);
    this.view = new DataView(buf, byteOffset, FLOW_BYTES);
    this.words = new Uint32Array(buf, byteOffset, FLOW_WORDS);
  }

  /** A key with every bit set: the exact-match mask. */
  static allOnes(): FlowKey {
    const k = new FlowKey();
    k.words.fill(0xffffffff);
    return k;
  }

  clone(): FlowKey {
    const k = new FlowKey();
    k.words.set(this.words);
    return k;
  }

  copyFrom(other: FlowKey): this {
    this.words.set(other.words);
    return this;
  }

  clear(): this {
    this.words.fill(0);
    return this;
  }

  equals(other: FlowKey): boolean {
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < FLOW_WORDS; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  isZero(): boolean {
    for (const w of this.words) if (w !== 0) return false;
    return true;
  }

  /** this &= mask. */
  andWith(mask: FlowKey): this {
    const a = this.words;
    const m = mask.words;
    for (let i = 0; i < FLOW_WORDS; i++) a[i] = (a[i]! & m[i]!) >>> 0;
    return this;
  }

  /** this |= other (union of wildcards' significant bits). */
  orWith(other: FlowKey): this {
    const a = this.words;
    const m = other.words;
    for (let i = 0; i < FLOW_WORDS; i++) a[i] = (a[i]! | m[i]!) >>> 0;
    return this;
  }

  /** True when this and `other` agree on every bit set in `mask`. */
  equalsMasked(other: FlowKey, mask: FlowKey): boolean {
    const a = this.words;
    const b = other.words;
    const m = mask.words;
    for (let i = 0; i < FLOW_WORDS; i++) if (((a[i]! ^ b[i]!) & m[i]!) !== 0) return false;
    return true;
  }

  /** Hex of all bytes, for debugging and test failure messages. */
  toHex(): string {
    return Buffer.from(this.bytes).toString('hex');
  }
}
