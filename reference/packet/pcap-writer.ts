/**
 * Writing classic pcap: `encodePcap` builds a whole file in memory;
 * `PcapWriter` appends records to a file through a write buffer, creating it
 * or continuing an existing pcap after checking that file's header.
 *
 * Invariants: every record is written whole (header and data in one buffer
 * flush or one write), so a file closed normally is always well formed; a
 * record longer than the file's snap length is cut to it and keeps its
 * `originalLength`, as a capture would have done. Timestamps come from the
 * caller (default 0) so goldens stay reproducible; microsecond files keep
 * `floor(tsNsec / 1000)`.
 *
 * Left out on purpose: writing pcapng; checking, when appending, that the
 * existing file's last record is complete (that would mean reading the whole
 * file; `PcapReader` reports it when the file is read back).
 * Spec: draft-ietf-opsawg-pcap.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { parsePcap } from './pcap-reader.ts';
import {
  type ByteOrder,
  LinkType,
  PCAP_FILE_HEADER_BYTES,
  PCAP_RECORD_HEADER_BYTES,
  type PcapFileHeader,
  PcapMagic,
  type TimestampResolution,
} from './pcap-format.ts';

export interface PcapWriterOptions {
  /** Timestamp resolution (default 'us'). */
  resolution?: TimestampResolution;
  /** Byte order of headers (default 'little', as tcpdump writes on x86). */
  byteOrder?: ByteOrder;
  /** LINKTYPE_ value (default 1, Ethernet). */
  linkType?: number;
  /** Snap length recorded in the header; longer records are cut (default 262144). */
  snapLength?: number;
}

/** What a caller hands the writer for one packet. */
export interface PcapWriteRecord {
  data: Uint8Array;
  tsSec?: number;
  tsNsec?: number;
  /** Length on the wire (default `data.length`). */
  originalLength?: number;
}

const DEFAULT_SNAP_LENGTH = 262144;
const BUFFER_BYTES = 1 << 20;

/** The header a new file written with `options` gets. */
export function makePcapHeader(options: PcapWriterOptions = {}): PcapFileHeader {
  return {
    format: 'pcap',
    byteOrder: options.byteOrder ?? 'little',
    resolution: options.resolution ?? 'us',
    versionMajor: 2,
    versionMinor: 4,
    thisZone: 0,
    sigFigs: 0,
    snapLength: options.snapLength ?? DEFAULT_SNAP_LENGTH,
    linkType: options.linkType ?? LinkType.ethernet,
  };
}

/** The 24-byte global header for `header`. */
export function encodePcapHeader(header: PcapFileHeader): Uint8Array {
  const bytes = new Uint8Array(PCAP_FILE_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const le = header.byteOrder === 'little';
  view.setUint32(0, header.resolution === 'ns' ? PcapMagic.nano : PcapMagic.micro, le);
  view.setUint16(4, header.versionMajor, le);
  view.setUint16(6, header.versionMinor, le);
  view.setInt32(8, header.thisZone, le);
  view.setUint32(12, header.sigFigs, le);
  view.setUint32(16, header.snapLength, le);
  const fcs = header.fcsWords === undefined ? 0 : 0x10000000 | ((header.fcsWords & 7) << 29);
  view.setUint32(20, (fcs | (header.linkType & 0xffff)) >>> 0, le);
  return bytes;
}

/** A whole pcap file holding `records`, in memory. */
export function encodePcap(records: Iterable<PcapWriteRecord>, options: PcapWriterOptions = {}): Uint8Array {
  const header = makePcapHeader(options);
  const list = [...records];
  let size = PCAP_FILE_HEADER_BYTES;
  for (const record of list) size += PCAP_RECORD_HEADER_BYTES + clip(record.data, header.snapLength).length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(encodePcapHeader(header), 0);
  let at = PCAP_FILE_HEADER_BYTES;
  for (const record of list) {
    const data = clip(record.data, header.snapLength);
    fillRecordHeader(view, at, header, record, data.length);
    bytes.set(data, at + PCAP_RECORD_HEADER_BYTES);
    at += PCAP_RECORD_HEADER_BYTES + data.length;
  }
  return bytes;
}

/**
 * Appends records to a pcap file. Use `PcapWriter.create` (new or truncated
 * file) or `PcapWriter.append` (continue an existing pcap, or create it if it
 * is missing or empty), then `write`, then `close`. I/O errors throw.
 */
export class PcapWriter {
  readonly header: PcapFileHeader;
  /** Records written by this writer (not counting those already in the file). */
  recordCount = 0;
  private readonly fd: number;
  private readonly buffer = new Uint8Array(BUFFER_BYTES);
  private readonly view = new DataView(this.buffer.buffer);
  private used = 0;
  private isClosed = false;

  private constructor(fd: number, header: PcapFileHeader) {
    this.fd = fd;
    this.header = header;
  }

  /** Creates (or truncates) `path` and writes a fresh header. */
  static create(path: string, options: PcapWriterOptions = {}): PcapWriter {
    const header = makePcapHeader(options);
    const fd = openSync(path, 'w');
    writeAll(fd, encodePcapHeader(header));
    return new PcapWriter(fd, header);
  }

  /**
   * Opens `path` for appending. An existing non-empty file must be a classic
   * pcap whose resolution, byte order and link type agree with any given in
   * `options` (its own values are used otherwise); a mismatch or a
   * non-pcap file throws an Error naming both values.
   */
  static append(path: string, options: PcapWriterOptions = {}): PcapWriter {
    const fd = openSync(path, 'a+');
    try {
      if (fstatSync(fd).size === 0) {
        const header = makePcapHeader(options);
        writeAll(fd, encodePcapHeader(header));
        return new PcapWriter(fd, header);
      }
      return new PcapWriter(fd, existingHeader(fd, path, options));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Buffers one record; flushes when the buffer is full. */
  write(record: PcapWriteRecord): void {
    if (this.isClosed) throw new Error('PcapWriter: write after close');
    const data = clip(record.data, this.header.snapLength);
    const size = PCAP_RECORD_HEADER_BYTES + data.length;
    if (this.used + size > BUFFER_BYTES) this.flush();
    if (size > BUFFER_BYTES) {
      const head = new Uint8Array(PCAP_RECORD_HEADER_BYTES);
      fillRecordHeader(new DataView(head.buffer), 0, this.header, record, data.length);
      writeAll(this.fd, head);
      writeAll(this.fd, data);
    } else {
      fillRecordHeader(this.view, this.used, this.header, record, data.length);
      this.buffer.set(data, this.used + PCAP_RECORD_HEADER_BYTES);
      this.used += size;
    }
    this.recordCount += 1;
  }

  /** Writes buffered records to the file. */
  flush(): void {
    if (this.used === 0) return;
    writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  /** Flushes and closes the file; further writes throw. */
  close(): void {
    if (this.isClosed) return;
    this.flush();
    closeSync(this.fd);
    this.isClosed = true;
  }
}

function existingHeader(fd: number, path: string, options: PcapWriterOptions): PcapFileHeader {
  const head = new Uint8Array(PCAP_FILE_HEADER_BYTES);
  const n = readSync(fd, head, 0, head.length, 0);
  const parsed = parsePcap(head.subarray(0, n));
  const info = parsed.info;
  if (info === undefined || info.format !== 'pcap') {
    const why = parsed.issue?.detail ?? 'it is pcapng, which this writer does not append to';
    throw new Error(`PcapWriter: cannot append to ${JSON.stringify(path)}: ${why}`);
  }
  const checks: [string, unknown, unknown][] = [
    ['resolution', options.resolution, info.resolution],
    ['byteOrder', options.byteOrder, info.byteOrder],
    ['linkType', options.linkType, info.linkType],
  ];
  for (const [name, wanted, found] of checks) {
    if (wanted !== undefined && wanted !== found) {
      throw new Error(`PcapWriter: cannot append to ${JSON.stringify(path)}: ${name} ${String(wanted)} asked, file has ${String(found)}`);
    }
  }
  return info;
}

function fillRecordHeader(
  view: DataView,
  at: number,
  header: PcapFileHeader,
  record: PcapWriteRecord,
  capturedLength: number,
): void {
  const le = header.byteOrder === 'little';
  const nsec = record.tsNsec ?? 0;
  view.setUint32(at, record.tsSec ?? 0, le);
  view.setUint32(at + 4, header.resolution === 'ns' ? nsec : Math.floor(nsec / 1000), le);
  view.setUint32(at + 8, capturedLength, le);
  view.setUint32(at + 12, record.originalLength ?? record.data.length, le);
}

function clip(data: Uint8Array, snapLength: number): Uint8Array {
  return snapLength > 0 && data.length > snapLength ? data.subarray(0, snapLength) : data;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
