/**
 * Incremental pcapng block decoder: Section Header, Interface Description,
 * Enhanced Packet, Simple Packet and the obsolete Packet Block; every other
 * block type is skipped whole.
 *
 * Invariant: `decode` consumes only whole blocks. It returns the offset of
 * the first block it could not complete, so a streaming caller keeps those
 * bytes and calls again with more; a malformed block (bad length, bad
 * trailer, unknown interface, unknown byte-order magic) throws
 * `PcapFormatError` naming the block's file offset.
 *
 * Timestamps honour if_tsresol (powers of 10 or 2) and if_tsoffset, and are
 * converted exactly to seconds + nanoseconds (resolutions finer than 1 ns
 * are truncated towards zero). Byte order is per section.
 *
 * Left out on purpose: options other than if_name, if_tsresol and
 * if_tsoffset; Name Resolution, Interface Statistics and Decryption Secrets
 * blocks (skipped). Spec: draft-ietf-opsawg-pcapng.
 */
import { ByteReader } from './cursor.ts';
import {
  MAX_RECORD_BYTES,
  PcapFormatError,
  PcapMagic,
  type PcapngFileInfo,
  type PcapngInterface,
  type PcapngSection,
  type PcapRecord,
} from './pcap-format.ts';

const BlockType = {
  interfaceDescription: 1,
  packetObsolete: 2,
  simplePacket: 3,
  enhancedPacket: 6,
} as const;

const IdbOption = { name: 2, tsResolution: 9, tsOffset: 14 } as const;

const DEFAULT_RESOLUTION = { base: 10, exponent: 6 } as const;

export class PcapngDecoder {
  readonly info: PcapngFileInfo = { format: 'pcapng', sections: [] };
  private section: PcapngSection | undefined;
  private isLittle = true;

  /**
   * Decodes the whole blocks in `bytes[pos..)`, appending packets to `out`.
   * `base` is the file offset of `bytes[0]`. Returns the offset (within
   * `bytes`) of the first incomplete block. Throws `PcapFormatError` on a
   * malformed block.
   */
  decode(bytes: Uint8Array, pos: number, base: number, out: PcapRecord[]): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = bytes.length;
    while (pos + 12 <= end) {
      const type = view.getUint32(pos, this.isLittle);
      if (type === PcapMagic.pcapngSection) this.isLittle = sectionIsLittle(view, pos, base);
      const length = view.getUint32(pos + 4, this.isLittle);
      checkBlockLength(type, length, base + pos);
      if (pos + length > end) break;
      const trailer = view.getUint32(pos + length - 4, this.isLittle);
      if (trailer !== length) {
        fail(base + pos, `block type 0x${hex(type)}: trailing length ${trailer} differs from leading length ${length}`);
      }
      this.decodeBlock(bytes, view, type, pos, length, base, out);
      pos += length;
    }
    return pos;
  }

  /** Describes the incomplete block left at the end of the input. */
  describeTruncation(tail: Uint8Array): string {
    if (tail.length < 12) return `block header truncated: 12 bytes needed, only ${tail.length} present`;
    const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    const length = view.getUint32(4, this.isLittle);
    return `block type 0x${hex(view.getUint32(0, this.isLittle))} of ${length} bytes truncated: only ${tail.length} present`;
  }

  private decodeBlock(
    bytes: Uint8Array,
    view: DataView,
    type: number,
    pos: number,
    length: number,
    base: number,
    out: PcapRecord[],
  ): void {
    if (type === PcapMagic.pcapngSection) {
      this.startSection(bytes, pos, length, base);
      return;
    }
    const section = this.section;
    if (section === undefined) fail(base + pos, `block type 0x${hex(type)} before any Section Header Block`);
    const le = this.isLittle;
    switch (type) {
      case BlockType.interfaceDescription:
        section.interfaces.push(this.readInterface(bytes, pos, length, base));
        return;
      case BlockType.enhancedPacket: {
        if (length < 32) fail(base + pos, `Enhanced Packet Block of ${length} bytes is shorter than 32`);
        const ifId = view.getUint32(pos + 8, le);
        const capLen = view.getUint32(pos + 20, le);
        const origLen = view.getUint32(pos + 24, le);
        if (28 + capLen > length - 4) {
          fail(base + pos, `Enhanced Packet Block captured length ${capLen} overruns block length ${length}`);
        }
        const iface = this.interfaceFor(ifId, base + pos);
        const tsHigh = view.getUint32(pos + 12, le);
        const tsLow = view.getUint32(pos + 16, le);
        out.push(packet(iface, ifId, tsHigh, tsLow, origLen, bytes.subarray(pos + 28, pos + 28 + capLen), base + pos));
        return;
      }
      case BlockType.simplePacket: {
        if (length < 16) fail(base + pos, `Simple Packet Block of ${length} bytes is shorter than 16`);
        const iface = this.interfaceFor(0, base + pos);
        const origLen = view.getUint32(pos + 8, le);
        let capLen = Math.min(origLen, length - 16);
        if (iface.snapLength > 0) capLen = Math.min(capLen, iface.snapLength);
        const data = bytes.subarray(pos + 12, pos + 12 + capLen);
        // A Simple Packet Block has no timestamp: it reads as 0, without if_tsoffset.
        out.push({ tsSec: 0, tsNsec: 0, originalLength: origLen, data, linkType: iface.linkType, interfaceId: 0, offsetBytes: base + pos });
        return;
      }
      case BlockType.packetObsolete: {
        if (length < 32) fail(base + pos, `Packet Block of ${length} bytes is shorter than 32`);
        const ifId = view.getUint16(pos + 8, le);
        const capLen = view.getUint32(pos + 20, le);
        if (28 + capLen > length - 4) {
          fail(base + pos, `Packet Block captured length ${capLen} overruns block length ${length}`);
        }
        const iface = this.interfaceFor(ifId, base + pos);
        const data = bytes.subarray(pos + 28, pos + 28 + capLen);
        const origLen = view.getUint32(pos + 24, le);
        out.push(packet(iface, ifId, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le), origLen, data, base + pos));
        return;
      }
      default:
        return;
    }
  }

  private startSection(bytes: Uint8Array, pos: number, length: number, base: number): void {
    if (length < 28) fail(base + pos, `Section Header Block of ${length} bytes is shorter than 28`);
    const r = new ByteReader(bytes, pos + 12, pos + length - 4);
    const major = this.u16(r);
    const minor = this.u16(r);
    if (major !== 1) fail(base + pos, `unsupported pcapng version ${major}.${minor}`);
    const section: PcapngSection = {
      byteOrder: this.isLittle ? 'little' : 'big',
      versionMajor: major,
      versionMinor: minor,
      offsetBytes: base + pos,
      interfaces: [],
    };
    this.section = section;
    this.info.sections.push(section);
  }

  private readInterface(bytes: Uint8Array, pos: number, length: number, base: number): PcapngInterface {
    if (length < 20) fail(base + pos, `Interface Description Block of ${length} bytes is shorter than 20`);
    const r = new ByteReader(bytes, pos + 8, pos + length - 4);
    const linkType = this.u16(r);
    r.skip(2);
    const snapLength = this.u32(r);
    const iface: PcapngInterface = {
      linkType,
      snapLength,
      unitsPerSecond: 1e6,
      tsResolution: DEFAULT_RESOLUTION,
      tsOffsetSec: 0,
    };
    while (r.has(4)) {
      const code = this.u16(r);
      const optLen = this.u16(r);
      if (code === 0) break;
      if (!r.has(optLen)) fail(base + pos, `Interface Description Block option ${code} of ${optLen} bytes overruns the block`);
      const value = r.sub(optLen);
      r.skip(Math.min(r.remaining, (4 - (optLen % 4)) % 4));
      this.applyInterfaceOption(iface, code, value, base + pos);
    }
    return iface;
  }

  private applyInterfaceOption(iface: PcapngInterface, code: number, value: ByteReader, at: number): void {
    if (code === IdbOption.name) {
      iface.name = new TextDecoder().decode(value.bytesView(value.remaining)).replace(/\0+$/, '');
    } else if (code === IdbOption.tsResolution && value.has(1)) {
      const raw = value.u8();
      const base = raw & 0x80 ? 2 : 10;
      const exponent = raw & 0x7f;
      if ((base === 10 && exponent > 15) || (base === 2 && exponent > 52)) {
        fail(at, `unsupported if_tsresol 0x${raw.toString(16)} (finer than this reader keeps exactly)`);
      }
      iface.tsResolution = { base, exponent };
      iface.unitsPerSecond = base ** exponent;
    } else if (code === IdbOption.tsOffset && value.has(8)) {
      const first = this.u32(value);
      const second = this.u32(value);
      const [high, low] = this.isLittle ? [second, first] : [first, second];
      iface.tsOffsetSec = (high | 0) * 4294967296 + low;
    }
  }

  private interfaceFor(id: number, at: number): PcapngInterface {
    const iface = this.section?.interfaces[id];
    if (iface === undefined) fail(at, `packet refers to interface ${id}, which no Interface Description Block defined`);
    return iface;
  }

  private u16(r: ByteReader): number {
    return this.isLittle ? r.u16Le() : r.u16();
  }
  private u32(r: ByteReader): number {
    return this.isLittle ? r.u32Le() : r.u32();
  }
}

function sectionIsLittle(view: DataView, pos: number, base: number): boolean {
  const magic = view.getUint32(pos + 8, true);
  if (magic === PcapMagic.pcapngByteOrder) return true;
  if (magic === 0x4d3c2b1a) return false;
  return fail(base + pos, `Section Header Block byte-order magic 0x${hex(magic)} is neither 0x1a2b3c4d nor 0x4d3c2b1a`);
}

function checkBlockLength(type: number, length: number, at: number): void {
  if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
    fail(at, `block type 0x${hex(type)} has invalid total length ${length}`);
  }
}

function packet(
  iface: PcapngInterface,
  interfaceId: number,
  tsHigh: number,
  tsLow: number,
  originalLength: number,
  data: Uint8Array,
  offsetBytes: number,
): PcapRecord {
  const [sec, nsec] = splitTimestamp(tsHigh, tsLow, iface.unitsPerSecond);
  return { tsSec: sec + iface.tsOffsetSec, tsNsec: nsec, originalLength, data, linkType: iface.linkType, interfaceId, offsetBytes };
}

/**
 * Converts a 64-bit count of `unitsPerSecond` units (high and low 32-bit
 * halves) into whole seconds and nanoseconds, exactly.
 */
export function splitTimestamp(high: number, low: number, unitsPerSecond: number): [number, number] {
  const nsecPerUnit = 1e9 / unitsPerSecond;
  if (high < 0x200000 && Number.isInteger(nsecPerUnit)) {
    const total = high * 4294967296 + low;
    let sec = Math.floor(total / unitsPerSecond);
    let rem = total - sec * unitsPerSecond;
    if (rem < 0) {
      sec -= 1;
      rem += unitsPerSecond;
    } else if (rem >= unitsPerSecond) {
      sec += 1;
      rem -= unitsPerSecond;
    }
    return [sec, rem * nsecPerUnit];
  }
  const total = (BigInt(high) << 32n) | BigInt(low);
  const units = BigInt(unitsPerSecond);
  return [Number(total / units), Number(((total % units) * 1000000000n) / units)];
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function fail(offsetBytes: number, detail: string): never {
  throw new PcapFormatError({ kind: 'corrupt', offsetBytes, detail });
}
