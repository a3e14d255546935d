/**
 * RxRing: preallocated receive buffers for PacketSocket.receiveInto, so a
 * steady stream of frames allocates nothing. One Uint8Array of `slots` ×
 * `slotBytes` bytes plus offset and length arrays the addon fills: after a
 * receiveInto that returned n, frame i < n is
 * data[offsets[i], offsets[i] + lengths[i]).
 *
 * Invariants:
 *  - A slot holds a frame of up to `maxFrameBytes` (= slotBytes − 4) as it
 *    came off the wire, plus the 4 bytes of a VLAN tag the kernel moved into
 *    metadata and the addon puts back; the addon writes nowhere else.
 *  - A longer frame is never delivered cut: it is dropped and counted in
 *    `oversizeDrops` (a veth can hand over GSO frames up to 64 KiB; size
 *    the slots for them if the traffic has them).
 *  - The next receiveInto into the same ring overwrites the frames: copy a
 *    frame (frameCopy) to keep it.
 * Left out: receive timestamps (use PacketSocket.receive for those).
 *
 * FrameSpans is what PacketSocket.sendFrom sends from: frames anywhere in
 * one Uint8Array. An RxRing is one, so frames can be sent on unchanged.
 */

/** Frames laid out in one buffer: frame i is data[offsets[i], offsets[i] + lengths[i]). */
export interface FrameSpans {
  readonly data: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
}

export interface RxRingOptions {
  /** Frames one receiveInto can return: 1..1024; default 256. */
  readonly slots?: number;
  /** Bytes per slot, 4 of them kept for a restored VLAN tag: 19..65539; default 2048. */
  readonly slotBytes?: number;
}

/** Bytes of a slot kept free for a VLAN tag put back from auxdata. */
export const VLAN_RESERVE_BYTES = 4;
export const DEFAULT_RX_SLOTS = 256;
export const DEFAULT_RX_SLOT_BYTES = 2048;
/** The most frames one recvmmsg (and so one receiveInto) takes. */
export const MAX_RX_SLOTS = 1024;
const MIN_SLOT_BYTES = VLAN_RESERVE_BYTES + 15; // an Ethernet header and one byte
const MAX_SLOT_BYTES = VLAN_RESERVE_BYTES + 65535;

export class RxRing implements FrameSpans {
  readonly slots: number;
  readonly slotBytes: number;
  readonly data: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  /** Written by the addon: [0] counts frames dropped for not fitting a slot. */
  readonly oversizeCounter = new Float64Array(1);
  /** Frames filled by the last receiveInto into this ring. */
  count = 0;

  /** Throws RangeError when slots or slotBytes are out of range. */
  constructor(options: RxRingOptions = {}) {
    const slots = options.slots ?? DEFAULT_RX_SLOTS;
    const slotBytes = options.slotBytes ?? DEFAULT_RX_SLOT_BYTES;
    if (!Number.isInteger(slots) || slots < 1 || slots > MAX_RX_SLOTS) {
      throw new RangeError(`slots ${slots} is not an integer in 1..${MAX_RX_SLOTS}`);
    }
    if (!Number.isInteger(slotBytes) || slotBytes < MIN_SLOT_BYTES || slotBytes > MAX_SLOT_BYTES) {
      throw new RangeError(`slotBytes ${slotBytes} is not an integer in ${MIN_SLOT_BYTES}..${MAX_SLOT_BYTES}`);
    }
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.data = new Uint8Array(slots * slotBytes);
    this.offsets = new Uint32Array(slots);
    this.lengths = new Uint32Array(slots);
  }

  /** The longest frame a slot takes as received (a restored VLAN tag comes on top). */
  get maxFrameBytes(): number {
    return this.slotBytes - VLAN_RESERVE_BYTES;
  }

  /** Frames dropped since the ring was made because they were longer than maxFrameBytes. */
  get oversizeDrops(): number {
    return this.oversizeCounter[0] ?? 0;
  }

  /** Frame i of the last receive, as a view into the ring (valid until the next receive). */
  frame(i: number): Uint8Array {
    const offset = this.offsets[i];
    const length = this.lengths[i];
    if (offset === undefined || length === undefined || !Number.isInteger(i) || i >= this.count) {
      throw new RangeError(`frame ${i} is not one of the ${this.count} frames of the last receive`);
    }
    return this.data.subarray(offset, offset + length);
  }

  /** Frame i of the last receive, copied into its own Buffer. */
  frameCopy(i: number): Buffer {
    return Buffer.from(this.frame(i));
  }
}
