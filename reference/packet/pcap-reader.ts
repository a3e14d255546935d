/**
 * Reading capture files (classic pcap, µs or ns, either byte order; pcapng):
 * in memory (`parsePcap`, `readPcapFile`, `readPcapFileSync`) or streamed
 * with bounded memory (`PcapReader`).
 *
 * Invariants:
 * - The in-memory readers never throw on bad file contents: they return
 *   every record read before the problem plus an `issue` naming the byte
 *   offset (`corrupt` or `truncated`). Their record data are views into the
 *   file's bytes.
 * - `PcapReader` reads its source in chunks (1 MiB by default) and keeps at
 *   most one chunk plus one incomplete record in memory. It yields every
 *   complete record, then throws `PcapFormatError` if the file was corrupt or
 *   its last record truncated: a short file is never mistaken for a complete
 *   one. Its records own their data (copied out of the chunk) unless
 *   `copyData: false` is asked for, in which case each record's data is a
 *   view that pins its chunk.
 *
 * Left out on purpose: writing pcapng (see pcap-writer.ts for pcap).
 * Spec: draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { PcapDecoder } from './pcap-decoder.ts';
import { type CaptureFileInfo, PcapFormatError, type PcapIssue, type PcapRecord } from './pcap-format.ts';

/** The result of reading a whole capture file. */
export interface PcapParseResult {
  /** The file's header(s); undefined when not even the header could be read. */
  info: CaptureFileInfo | undefined;
  /** Every complete record, in file order. */
  records: PcapRecord[];
  /** Set when the file was malformed or ended inside a record. */
  issue?: PcapIssue;
}

/** Parses a whole capture file held in memory. Never throws on bad contents. */
export function parsePcap(bytes: Uint8Array): PcapParseResult {
  const decoder = new PcapDecoder();
  const records: PcapRecord[] = [];
  let consumed = 0;
  try {
    consumed = decoder.decode(bytes, 0, records);
  } catch (err) {
    if (err instanceof PcapFormatError) return { info: decoder.info, records, issue: err.toIssue() };
    throw err;
  }
  const issue = decoder.finish(bytes.subarray(consumed), consumed);
  return issue === undefined ? { info: decoder.info, records } : { info: decoder.info, records, issue };
}

/** Reads and parses a small capture file synchronously. I/O errors throw. */
export function readPcapFileSync(path: string): PcapParseResult {
  return parsePcap(readFileSync(path));
}

/** Reads and parses a small capture file. I/O errors reject. */
export async function readPcapFile(path: string): Promise<PcapParseResult> {
  return parsePcap(await readFile(path));
}

export interface PcapReaderOptions {
  /** Bytes per read (default 1 MiB, at least 64 KiB). */
  chunkBytes?: number;
  /** Copy each record's data out of its chunk (default true). */
  copyData?: boolean;
}

/** A source of capture bytes: a path, an open file descriptor, or a byte stream. */
export type PcapSource = string | number | AsyncIterable<Uint8Array>;

/**
 * Streams the records of a capture file with bounded memory.
 *
 *     const reader = new PcapReader('big.pcap');
 *     for await (const record of reader) { ... }
 *     reader.info // the file's header(s)
 *
 * Iterate once. `recordsSync()` and `batchesSync()` read a path or file
 * descriptor synchronously (faster: no promise per chunk). A path is opened
 * and closed by the reader; a descriptor is left open.
 */
export class PcapReader implements AsyncIterable<PcapRecord> {
  private readonly decoder = new PcapDecoder();
  private readonly chunkBytes: number;
  private readonly copyData: boolean;
  /** Leftover bytes of an incomplete record and their file offset. */
  private pending: Uint8Array = new Uint8Array(0);
  private pendingBase = 0;

  constructor(
    private readonly source: PcapSource,
    options: PcapReaderOptions = {},
  ) {
    this.chunkBytes = Math.max(65536, options.chunkBytes ?? 1 << 20);
    this.copyData = options.copyData ?? true;
  }

  /** The file's header(s), once the first chunk has been read. */
  get info(): CaptureFileInfo | undefined {
    return this.decoder.info;
  }

  /** Records yielded so far. */
  get recordCount(): number {
    return this.decoder.recordCount;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PcapRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** The records, one array per chunk read. */
  async *batches(): AsyncGenerator<PcapRecord[]> {
    for await (const chunk of this.chunks()) {
      const batch = this.take(chunk);
      if (batch.length > 0) yield batch;
    }
    this.end();
  }

  /** Synchronous record iterator; the source must be a path or descriptor. */
  *recordsSync(): Generator<PcapRecord> {
    for (const batch of this.batchesSync()) yield* batch;
  }

  /** Synchronous batches; the source must be a path or descriptor. */
  *batchesSync(): Generator<PcapRecord[]> {
    const src = this.source;
    if (typeof src !== 'string' && typeof src !== 'number') {
      throw new TypeError('PcapReader: batchesSync() needs a path or file descriptor, not a stream');
    }
    const fd = typeof src === 'string' ? openSync(src, 'r') : src;
    try {
      for (;;) {
        const chunk = new Uint8Array(this.chunkBytes);
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) break;
        const batch = this.take(chunk.subarray(0, n));
        if (batch.length > 0) yield batch;
      }
    } finally {
      if (typeof src === 'string') closeSync(fd);
    }
    this.end();
  }

  private async *chunks(): AsyncGenerator<Uint8Array> {
    const src = this.source;
    if (typeof src !== 'string' && typeof src !== 'number') {
      for await (const chunk of src) yield chunk;
      return;
    }
    const handle = typeof src === 'string' ? await open(src, 'r') : undefined;
    try {
      for (;;) {
        const chunk = new Uint8Array(this.chunkBytes);
        const n = handle !== undefined
          ? (await handle.read(chunk, 0, chunk.length, null)).bytesRead
          : readSync(src as number, chunk, 0, chunk.length, null);
        if (n === 0) break;
        yield chunk.subarray(0, n);
      }
    } finally {
      await handle?.close();
    }
  }

  /** Decodes one more chunk; throws PcapFormatError on a corrupt file. */
  private take(chunk: Uint8Array): PcapRecord[] {
    let window = chunk;
    if (this.pending.length > 0) {
      window = new Uint8Array(this.pending.length + chunk.length);
      window.set(this.pending, 0);
      window.set(chunk, this.pending.length);
    }
    const records: PcapRecord[] = [];
    const consumed = this.decoder.decode(window, this.pendingBase, records);
    this.pending = window.subarray(consumed);
    if (this.pending.length > 0 && consumed > 0) this.pending = this.pending.slice();
    this.pendingBase += consumed;
    if (this.copyData) for (const r of records) r.data = r.data.slice();
    return records;
  }

  private end(): void {
    const issue = this.decoder.finish(this.pending, this.pendingBase);
    if (issue !== undefined) throw new PcapFormatError(issue);
  }
}
