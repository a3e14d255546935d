/**
 * Shared vocabulary of the capture-file readers and writer: the record type,
 * the per-file descriptions of classic pcap and pcapng, the magic numbers,
 * and the error type that names the byte offset of a bad file.
 *
 * Invariant: a `PcapRecord` always carries its timestamp as whole seconds
 * plus nanoseconds (`tsNsec`), whatever the file's resolution was, so that
 * records from microsecond pcap, nanosecond pcap and pcapng compare equal
 * when they describe the same instant at the coarser resolution.
 *
 * Left out on purpose: pcapng options other than if_tsresol/if_tsoffset/
 * if_name, and the per-packet options of EPB (comments, flags, hashes).
 *
 * Specs: draft-ietf-opsawg-pcap (classic pcap) and draft-ietf-opsawg-pcapng
 * (pcapng); link types from the tcpdump.org LINKTYPE_ registry.
 */

/** Magic numbers as they read in the file's own byte order. */
export const PcapMagic = {
  /** Classic pcap, microsecond timestamps. */
  micro: 0xa1b2c3d4,
  /** Classic pcap, nanosecond timestamps. */
  nano: 0xa1b23c4d,
  /** pcapng Section Header Block type (byte-order independent). */
  pcapngSection: 0x0a0d0d0a,
  /** pcapng byte-order magic inside the Section Header Block. */
  pcapngByteOrder: 0x1a2b3c4d,
} as const;

/** The LINKTYPE_ values this project meets; any other value is kept as a number. */
export const LinkType = {
  null: 0,
  ethernet: 1,
  raw: 101,
  linuxSll: 113,
  linuxSll2: 276,
} as const;
export type LinkTypeName = keyof typeof LinkType;

export type ByteOrder = 'little' | 'big';
export type TimestampResolution = 'us' | 'ns';

/** One captured packet. */
export interface PcapRecord {
  /** Seconds since the epoch (UTC). */
  tsSec: number;
  /** Nanoseconds within the second (µs files give multiples of 1000). */
  tsNsec: number;
  /** The packet's length on the wire; `data.length` is what was captured. */
  originalLength: number;
  /** The captured bytes. Readers may hand out a view into their input buffer. */
  data: Uint8Array;
  /** LINKTYPE_ of the file (classic) or of the record's interface (pcapng). */
  linkType: number;
  /** pcapng interface id within its section; 0 for classic pcap. */
  interfaceId: number;
  /** File offset of the record's header (classic) or block (pcapng). */
  offsetBytes: number;
}

/** The global header of a classic pcap file. */
export interface PcapFileHeader {
  format: 'pcap';
  byteOrder: ByteOrder;
  resolution: TimestampResolution;
  versionMajor: number;
  versionMinor: number;
  thisZone: number;
  sigFigs: number;
  snapLength: number;
  /** Low 16 bits of the LinkType field. */
  linkType: number;
  /** FCS length in 16-bit words when the F bit is set (bits 26-28), else undefined. */
  fcsWords?: number;
}

/** One pcapng Interface Description Block. */
export interface PcapngInterface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: number;
  /** if_tsresol as recorded: base 10 or 2 and the exponent. */
  tsResolution: { base: 10 | 2; exponent: number };
  /** if_tsoffset: seconds to add to every timestamp. */
  tsOffsetSec: number;
  name?: string;
}

/** One pcapng section (from one Section Header Block to the next). */
export interface PcapngSection {
  byteOrder: ByteOrder;
  versionMajor: number;
  versionMinor: number;
  offsetBytes: number;
  interfaces: PcapngInterface[];
}

export interface PcapngFileInfo {
  format: 'pcapng';
  sections: PcapngSection[];
}

export type CaptureFileInfo = PcapFileHeader | PcapngFileInfo;

export type PcapIssueKind = 'truncated' | 'corrupt';

/** What went wrong with a file, and where. */
export interface PcapIssue {
  kind: PcapIssueKind;
  offsetBytes: number;
  detail: string;
}

/**
 * A bad capture file. `offsetBytes` is the file offset of the header, record
 * or block that could not be read; the message says what was wrong there.
 */
export class PcapFormatError extends Error {
  readonly kind: PcapIssueKind;
  readonly offsetBytes: number;
  readonly detail: string;

  constructor(issue: PcapIssue) {
    super(`pcap: ${issue.kind} at byte offset ${issue.offsetBytes}: ${issue.detail}`);
    this.name = 'PcapFormatError';
    this.kind = issue.kind;
    this.offsetBytes = issue.offsetBytes;
    this.detail = issue.detail;
  }

  toIssue(): PcapIssue {
    return { kind: this.kind, offsetBytes: this.offsetBytes, detail: this.detail };
  }
}

/**
 * Largest captured length or block length accepted before a file is called
 * corrupt. Real captures stay under 256 KiB per packet; a garbage length
 * field is almost always far beyond this.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Classic pcap sizes. */
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
