/**
 * Incremental capture-file decoder: recognises classic pcap (µs or ns, either
 * byte order) or pcapng from the first four bytes, then turns whole records
 * into `PcapRecord`s, one buffer window at a time.
 *
 * Invariant: `decode` consumes only whole records (or whole pcapng blocks)
 * and returns how many bytes it consumed; the caller keeps the rest and calls
 * again with more bytes appended, so the decoder itself holds no buffer and
 * memory stays bounded by the caller's window. `finish` turns whatever is
 * left at the end of the input into a `truncated` issue: a short last record
 * is reported, never dropped silently. Malformed headers throw
 * `PcapFormatError` with the file offset.
 *
 * Record data are views into the window passed to `decode` (no copy).
 *
 * The record loop reads its DataView directly (a hot path: millions of
 * records per second) and checks the bounds before each record.
 *
 * Left out on purpose: the "modified" (Kuznetzov, 0xa1b2cd34) and other
 * non-standard pcap variants, which are rejected as unknown magic.
 * Spec: draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng.
 */
import { PcapngDecoder } from './pcapng-decoder.ts';
import {
  type CaptureFileInfo,
  MAX_RECORD_BYTES,
  PCAP_FILE_HEADER_BYTES,
  PCAP_RECORD_HEADER_BYTES,
  type PcapFileHeader,
  PcapFormatError,
  type PcapIssue,
  PcapMagic,
  type PcapRecord,
} from './pcap-format.ts';

export class PcapDecoder {
  /** What the file turned out to be; undefined until its header was read. */
  info: CaptureFileInfo | undefined;
  private ng: PcapngDecoder | undefined;
  private isLittle = true;
  private nsecPerUnit = 1000;
  private linkType = 0;
  /** Records decoded so far. */
  recordCount = 0;

  /**
   * Decodes the whole records in `bytes` (whose first byte is at file offset
   * `base`), appending them to `out`. Returns the number of bytes consumed.
   * Throws `PcapFormatError` when the file is malformed.
   */
  decode(bytes: Uint8Array, base: number, out: PcapRecord[]): number {
    let pos = 0;
    if (this.info === undefined) {
      pos = this.decodeStart(bytes, base);
      if (this.info === undefined) return 0;
    }
    const before = out.length;
    if (this.ng !== undefined) {
      pos = this.ng.decode(bytes, pos, base, out);
    } else {
      pos = this.decodeRecords(bytes, pos, base, out);
    }
    this.recordCount += out.length - before;
    return pos;
  }

  /**
   * Call once at the end of the input with the bytes `decode` left
   * unconsumed (at file offset `base`). Returns the truncation issue, or
   * undefined when the file ended cleanly.
   */
  finish(tail: Uint8Array, base: number): PcapIssue | undefined {
    if (this.info === undefined) {
      const detail = tail.length === 0
        ? 'empty file: no pcap or pcapng header'
        : `file header truncated: only ${tail.length} byte(s) present`;
      return { kind: 'truncated', offsetBytes: base, detail };
    }
    if (tail.length === 0) return undefined;
    const where = `after ${this.recordCount} complete record(s)`;
    if (this.ng !== undefined) {
      return { kind: 'truncated', offsetBytes: base, detail: `${this.ng.describeTruncation(tail)} (${where})` };
    }
    if (tail.length < PCAP_RECORD_HEADER_BYTES) {
      const detail = `record header truncated: 16 bytes needed, only ${tail.length} present (${where})`;
      return { kind: 'truncated', offsetBytes: base, detail };
    }
    const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    const capLen = view.getUint32(8, this.isLittle);
    const have = tail.length - PCAP_RECORD_HEADER_BYTES;
    const detail = `record of ${capLen} captured bytes truncated: only ${have} present (${where})`;
    return { kind: 'truncated', offsetBytes: base, detail };
  }

  private decodeStart(bytes: Uint8Array, base: number): number {
    if (bytes.length < 4) return 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magicBig = view.getUint32(0, false);
    if (magicBig === PcapMagic.pcapngSection) {
      this.ng = new PcapngDecoder();
      this.info = this.ng.info;
      return 0;
    }
    const magicLittle = view.getUint32(0, true);
    const known = [PcapMagic.micro, PcapMagic.nano] as number[];
    if (!known.includes(magicBig) && !known.includes(magicLittle)) {
      throw new PcapFormatError({
        kind: 'corrupt',
        offsetBytes: base,
        detail: `not a pcap or pcapng file: magic 0x${magicBig.toString(16).padStart(8, '0')}`,
      });
    }
    if (bytes.length < PCAP_FILE_HEADER_BYTES) return 0;
    const header = readFileHeader(view, known.includes(magicLittle), base);
    this.isLittle = header.byteOrder === 'little';
    this.nsecPerUnit = header.resolution === 'ns' ? 1 : 1000;
    this.linkType = header.linkType;
    this.info = header;
    return PCAP_FILE_HEADER_BYTES;
  }

  private decodeRecords(bytes: Uint8Array, pos: number, base: number, out: PcapRecord[]): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = bytes.length;
    const le = this.isLittle;
    const mult = this.nsecPerUnit;
    const linkType = this.linkType;
    while (pos + PCAP_RECORD_HEADER_BYTES <= end) {
      const capLen = view.getUint32(pos + 8, le);
      if (capLen > MAX_RECORD_BYTES) {
        throw new PcapFormatError({
          kind: 'corrupt',
          offsetBytes: base + pos,
          detail: `record ${this.recordCount + out.length + 1} has captured length ${capLen}, more than the ${MAX_RECORD_BYTES} accepted`,
        });
      }
      const dataStart = pos + PCAP_RECORD_HEADER_BYTES;
      if (dataStart + capLen > end) break;
      out.push({
        tsSec: view.getUint32(pos, le),
        tsNsec: view.getUint32(pos + 4, le) * mult,
        originalLength: view.getUint32(pos + 12, le),
        data: bytes.subarray(dataStart, dataStart + capLen),
        linkType,
        interfaceId: 0,
        offsetBytes: base + pos,
      });
      pos = dataStart + capLen;
    }
    return pos;
  }
}

function readFileHeader(view: DataView, isLittle: boolean, base: number): PcapFileHeader {
  const magic = view.getUint32(0, isLittle);
  const versionMajor = view.getUint16(4, isLittle);
  const versionMinor = view.getUint16(6, isLittle);
  if (versionMajor !== 2) {
    throw new PcapFormatError({
      kind: 'corrupt',
      offsetBytes: base + 4,
      detail: `unsupported pcap version ${versionMajor}.${versionMinor} (only 2.x is defined)`,
    });
  }
  const rawLinkType = view.getUint32(20, isLittle);
  const header: PcapFileHeader = {
    format: 'pcap',
    byteOrder: isLittle ? 'little' : 'big',
    resolution: magic === PcapMagic.nano ? 'ns' : 'us',
    versionMajor,
    versionMinor,
    thisZone: view.getInt32(8, isLittle),
    sigFigs: view.getUint32(12, isLittle),
    snapLength: view.getUint32(16, isLittle),
    linkType: rawLinkType & 0xffff,
  };
  if (rawLinkType & 0x10000000) header.fcsWords = (rawLinkType >>> 29) & 0x7;
  return header;
}
