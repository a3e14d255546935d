/**
 * The record log under a standalone OVSDB database file (ovsdb(5), "Database
 * file format"): a sequence of records, each a header line
 * `OVSDB JSON <length> <sha1>\n` followed by `length` bytes of body, one
 * compact JSON object ending in a new-line; `sha1` is the 40 lowercase hex
 * digits of the SHA-1 of those body bytes.
 *
 * Invariant: a record is appended with one write of header + body, so after a
 * crash the file is a run of whole records followed by at most one torn or
 * corrupt tail. `scanLog` finds where the good records end and says why the
 * rest is unreadable (worded as ovsdb-server words it); the owner truncates
 * there before writing again.
 *
 * Writing may be batched: records queue in memory and one `flush` writes
 * them all with one write call (and one fdatasync), so a server answering
 * a burst of transactions pays one system call, not one per record.
 *
 * Left out on purpose: the clustered magic `CLUSTER` (raft); asynchronous
 * fsync (flush is synchronous; callers acknowledge after it returns).
 */
import { createHash, hash } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ovsdbJsonToString } from './json-text.ts';

export const OVSDB_MAGIC = 'JSON';
/** OVS reads a header line with a 128-byte buffer; a longer "line" cannot be a header. */
const MAX_HEADER_BYTES = 127;
/** glibc's BUFSIZ, the chunk OVS reads a record body in. */
const READ_CHUNK_BYTES = 8192;

/** One whole record: where it starts, its total size (header + body), its JSON object. */
export interface LogRecord {
  readonly offset: number;
  readonly bytes: number;
  readonly json: Record<string, unknown>;
}

/** The readable prefix of a log, and why the bytes after it (if any) are not a record. */
export interface LogScan {
  readonly records: readonly LogRecord[];
  /** Bytes covered by `records`; everything after is a torn or corrupt tail. */
  readonly validBytes: number;
  /** Why the tail at `validBytes` is unreadable; absent when the log ends cleanly. */
  readonly tailError?: string;
  /** OVS's class of that error: "I/O error" (a short read) or "syntax error". */
  readonly tailErrorTag?: 'I/O error' | 'syntax error';
}

/** The body line for `json`: compact JSON as OVS prints it (reals as %.15g) plus new-line. */
export function recordBody(json: unknown): Buffer {
  return Buffer.from(ovsdbJsonToString(json) + '\n', 'utf8');
}

/** Header line + body for one record. */
export function composeRecord(json: unknown): Buffer {
  return recordFromText(ovsdbJsonToString(json));
}

const HEADER_FIXED_BYTES = `OVSDB ${OVSDB_MAGIC}  \n`.length + 40;

/**
 * Header line + body for one record whose body is `text` (one line of JSON,
 * without the new-line): one buffer, the body encoded once, hashed in place.
 */
export function recordFromText(text: string): Buffer {
  const bodyBytes = Buffer.byteLength(text, 'utf8') + 1;
  const lengthText = String(bodyBytes);
  const headerBytes = HEADER_FIXED_BYTES + lengthText.length;
  const buf = Buffer.allocUnsafe(headerBytes + bodyBytes);
  buf.write(text, headerBytes, 'utf8');
  buf[buf.length - 1] = 0x0a;
  const sha1 = hash('sha1', buf.subarray(headerBytes), 'hex');
  buf.write(`OVSDB ${OVSDB_MAGIC} ${lengthText} ${sha1}\n`, 0, 'latin1');
  return buf;
}

type Header = { readonly ok: true; readonly length: number; readonly sha1: string; readonly headerBytes: number } | { readonly ok: false; readonly line: string };

function parseHeader(data: Buffer, offset: number): Header {
  const limit = Math.min(data.length, offset + MAX_HEADER_BYTES);
  const nl = data.indexOf(0x0a, offset);
  const end = nl < 0 || nl >= limit ? limit : nl;
  const line = data.toString('latin1', offset, end);
  const m = /^OVSDB ([^ ]+) ([1-9][0-9]*) ([0-9a-fA-F]{40})$/.exec(line);
  if (nl < 0 || nl >= limit || !m || m[1] !== OVSDB_MAGIC) return { ok: false, line };
  return { ok: true, length: Number(m[2]), sha1: (m[3] ?? '').toLowerCase(), headerBytes: end + 1 - offset };
}

/** Reads one record at `offset`: the record, or the reason it is unreadable. */
function readRecord(data: Buffer, offset: number, name: string): LogRecord | string {
  const h = parseHeader(data, offset);
  if (!h.ok) return `${name}: parse error at offset ${offset} in header line "${h.line}"`;
  const bodyStart = offset + h.headerBytes;
  if (bodyStart + h.length > data.length) {
    // OVS reads the body in BUFSIZ chunks and reports the bytes still wanted when a chunk falls short.
    const left = h.length - READ_CHUNK_BYTES * Math.floor((data.length - bodyStart) / READ_CHUNK_BYTES);
    return `${name}: error reading ${left} bytes starting at offset ${bodyStart} (End of file)`;
  }
  const body = data.subarray(bodyStart, bodyStart + h.length);
  const actual = createHash('sha1').update(body).digest('hex');
  if (actual !== h.sha1) {
    return `${name}: ${h.length} bytes starting at offset ${bodyStart} have SHA-1 hash ${actual} but should have hash ${h.sha1}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return `${name}: ${h.length} bytes starting at offset ${bodyStart} are not valid JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return `${name}: ${h.length} bytes starting at offset ${bodyStart} are not a JSON object`;
  }
  return { offset, bytes: h.headerBytes + h.length, json: json as Record<string, unknown> };
}

/** Splits `data` into whole records; stops at the first unreadable one. Never throws. */
export function scanLog(data: Buffer, name: string): LogScan {
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset < data.length) {
    const r = readRecord(data, offset, name);
    if (typeof r === 'string') return { records, validBytes: offset, tailError: r, tailErrorTag: / error reading \d+ bytes /.test(r) ? 'I/O error' : 'syntax error' };
    records.push(r);
    offset += r.bytes;
  }
  return { records, validBytes: offset };
}

/** fsync a directory so a create or rename in it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * An open log for appending. Records are queued (`queue`) and written by
 * `flush` with one write call (retrying short writes), fdatasynced first
 * when any queued record was durable; `append` is queue + flush. A failed
 * flush truncates back to the last whole record, drops the queue and throws.
 */
export class LogWriter {
  #fd: number;
  #size: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #pendingDurable = false;

  private constructor(fd: number, size: number) {
    this.#fd = fd;
    this.#size = size;
  }

  /** Opens `path` for appending at `size` (the end of its last whole record), truncating anything after it. */
  static open(path: string, size: number): LogWriter {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, size);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new LogWriter(fd, size);
  }

  /** Creates `path` (must not exist) holding `records`, fsynced with its directory. */
  static create(path: string, records: readonly unknown[]): LogWriter {
    const fd = openSync(path, 'wx', 0o640);
    const w = new LogWriter(fd, 0);
    try {
      for (const r of records) w.append(r, false);
      fdatasyncSync(fd);
      fsyncDirectory(dirname(path));
    } catch (err) {
      w.close();
      throw err;
    }
    return w;
  }

  /** Bytes in the file (all whole records, not counting queued ones). */
  get size(): number {
    return this.#size;
  }

  /** Bytes queued and not yet written. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Queues one whole record (header + body, from recordFromText/composeRecord) for the next flush. */
  queue(record: Buffer, durable: boolean): void {
    this.#pending.push(record);
    this.#pendingBytes += record.length;
    if (durable) this.#pendingDurable = true;
  }

  /** Writes every queued record with one write (fdatasync when one was durable); returns once they are in the file. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const buf = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending, this.#pendingBytes);
    const durable = this.#pendingDurable;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingDurable = false;
    try {
      let done = 0;
      while (done < buf.length) done += writeSync(this.#fd, buf, done, buf.length - done, this.#size + done);
      if (durable) fdatasyncSync(this.#fd);
    } catch (err) {
      try {
        ftruncateSync(this.#fd, this.#size);
      } catch {
        // Nothing more can be done; the torn tail is dropped at the next open.
      }
      throw err;
    }
    this.#size += buf.length;
  }

  /** Writes one record now (and any queued before it). */
  append(json: unknown, durable: boolean): void {
    this.queue(composeRecord(json), durable);
    this.flush();
  }

  sync(): void {
    fdatasyncSync(this.#fd);
  }

  /** Closes the file; queued records are dropped (flush first to keep them). */
  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

/**
 * Atomically replaces `path` with a log of `records` (JSON values, or
 * Buffers already composed by recordFromText): writes `path.tmp~`,
 * fsyncs it, renames it over `path` and fsyncs the directory. Returns a writer
 * positioned at the end of the new log. On failure `path` is unchanged.
 */
export function replaceLog(path: string, records: readonly unknown[]): LogWriter {
  const tmp = `${path}.tmp~`;
  let w: LogWriter | undefined;
  try {
    closeSync(openSync(tmp, 'w', 0o640)); // creates it, or empties one left by a crash
    w = LogWriter.open(tmp, 0);
    for (const r of records) w.queue(Buffer.isBuffer(r) ? r : composeRecord(r), false);
    w.flush();
    w.sync();
    renameSync(tmp, path);
  } catch (err) {
    w?.close();
    throw err;
  }
  fsyncDirectory(dirname(path));
  return w;
}
