/**
 * A standalone OVSDB database file (ovsdb(5)) as ovsdb-server 3.1 keeps it:
 * record 0 is the schema, every later record one committed transaction
 * (file-format.ts), the whole guarded by the `.NAME.~lock~` lock file.
 *
 * Invariants:
 *  - `write` returns only after the record is in the file (one write call;
 *    fdatasync first when durable), so an acknowledged transaction survives
 *    the process being killed (and, when durable, the machine crashing).
 *  - Batching: `writeDeferred` builds and queues a record, `flush` writes
 *    all queued records with one write call and at most one fdatasync. The
 *    caller must hold every reply (and every monitor update) for a deferred
 *    transaction until `flush` has returned — e.g. the server defers the
 *    transactions of one read chunk and flushes once before answering them.
 *  - Opening replays the schema and every whole record; a torn or corrupt
 *    tail (a crash mid-write) is cut off and its size reported.
 *  - `compact` replaces the file atomically (temp file, fsync, rename, fsync
 *    of the directory) by the schema plus one snapshot record.
 *
 * When to compact follows ovsdb-server (ovsdb/storage.c): not within 10 to
 * 20 minutes of opening or the last compaction; then when at least 100
 * records were read or written, the file is over 10 MB and more than twice
 * its size after the last compaction; or after 24 hours when anything was
 * written at all.
 *
 * Left out on purpose: clustered (raft) files, schema conversion, the
 * asynchronous fsync thread (flushes here are synchronous).
 */
import { readFileSync } from 'node:fs';
import type { DatabaseSchema, TxnChanges } from './ovsdb-types.ts';
import { Database } from './database.ts';
import { changesFromRecord, snapshotRecordText, txnRecordText } from './file-format.ts';
import { LockFile } from './lock-file.ts';
import { LogWriter, recordFromText, replaceLog, scanLog } from './log.ts';
import { databaseSchemaToJson, parseDatabaseSchema } from './schema.ts';

const MIN_COMPACT_DELAY_MS = 10 * 60 * 1000;
const ONE_DAY_MS = 24 * 60 * 60 * 1000;
const GREW_LOTS_BYTES = 10 * 1024 * 1024;

/** Thrown when a database file cannot be opened or created; `message` names the file and the reason. */
export class DatabaseFileError extends Error {
  override readonly name = 'DatabaseFileError';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** How one transaction's record is written. */
export interface WriteOptions {
  /** fdatasync before returning (write) or before flush returns. */
  readonly durable: boolean;
  readonly comment?: string;
  readonly dateMs: number;
}

export class DatabaseFile {
  readonly path: string;
  readonly schemaJson: unknown;
  readonly #schema: DatabaseSchema;
  #writer: LogWriter | undefined;
  #lock: LockFile | undefined;
  /** Records read at open plus records written since (OVS's n_read + n_written). */
  #records: number;
  /** File size right after open or the last compaction. */
  #baseBytes: number;
  #nextCompactMinMs: number;
  #nextCompactMaxMs: number;
  #wroteSinceCompact = false;
  /** Why the last flush failed; set until compact rewrites the file. */
  #failure: string | undefined;

  private constructor(path: string, schemaJson: unknown, schema: DatabaseSchema, writer: LogWriter | undefined, lock: LockFile | undefined, records: number, baseBytes: number) {
    this.path = path;
    this.schemaJson = schemaJson;
    this.#schema = schema;
    this.#writer = writer;
    this.#lock = lock;
    this.#records = records;
    this.#baseBytes = baseBytes;
    this.#nextCompactMinMs = 0;
    this.#nextCompactMaxMs = 0;
    this.#scheduleCompaction();
  }

  /** Like `ovsdb-tool create`: checks the schema and writes a file holding only it. Refuses an existing file. */
  static create(path: string, schemaJson: unknown): void {
    let json: unknown;
    try {
      json = databaseSchemaToJson(parseDatabaseSchema(schemaJson));
    } catch (err) {
      throw new DatabaseFileError(`${path}: invalid schema: ${errorText(err)}`);
    }
    try {
      LogWriter.create(path, [json]).close();
    } catch (err) {
      throw new DatabaseFileError(`${path}: create failed (${errorText(err)})`);
    }
  }

  /**
   * Opens `path`: takes the lock (unless read-only), replays the schema and
   * every whole record into a new Database, and cuts off a torn or corrupt
   * tail (read-only: leaves the file alone but still reports it).
   */
  static open(path: string, opts: { readOnly?: boolean } = {}): { file: DatabaseFile; db: Database; truncatedBytes: number } {
    const readOnly = opts.readOnly ?? false;
    const lock = readOnly ? undefined : LockFile.acquire(path);
    try {
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch (err) {
        throw new DatabaseFileError(`${path}: open failed (${errorText(err)})`);
      }
      const scan = scanLog(data, path);
      const [first, ...rest] = scan.records;
      if (!first) throw new DatabaseFileError(scan.tailError ?? `${path}: database file is empty (no schema record)`);
      let schema: DatabaseSchema;
      try {
        schema = parseDatabaseSchema(first.json);
      } catch (err) {
        throw new DatabaseFileError(`${path}: bad schema record: ${errorText(err)}`);
      }
      const db = new Database(schema);
      rest.forEach((record, i) => {
        try {
          db.apply(changesFromRecord(db, record.json));
        } catch (err) {
          throw new DatabaseFileError(`${path}: record ${i + 1} at offset ${record.offset}: ${errorText(err)}`);
        }
      });
      const writer = readOnly ? undefined : LogWriter.open(path, scan.validBytes);
      const file = new DatabaseFile(path, first.json, schema, writer, lock, scan.records.length, scan.validBytes);
      return { file, db, truncatedBytes: data.length - scan.validBytes };
    } catch (err) {
      lock?.release();
      throw err;
    }
  }

  /** Size in bytes of the whole records in the file (read-only: as opened). */
  get sizeBytes(): number {
    return this.#writer?.size ?? this.#baseBytes;
  }

  /**
   * Appends the record for `changes`; returns once it is written (and
   * fdatasynced when `durable`), together with any records deferred before
   * it. Changes that write nothing (only ephemeral columns) add no record.
   * Throws when the file is read-only or the write fails.
   */
  write(changes: TxnChanges, opts: WriteOptions): void {
    this.writeDeferred(changes, opts);
    this.flush();
  }

  /**
   * Builds the record for `changes` and queues it for the next `flush`
   * (nothing is written yet). Returns whether a record was queued. A caller
   * must not acknowledge the transaction (reply, or tell monitors of other
   * clients) before `flush` has returned. Throws when the file is
   * read-only, closed, or out of step after a failed flush.
   */
  writeDeferred(changes: TxnChanges, opts: WriteOptions): boolean {
    const writer = this.#requireWriter();
    const text = txnRecordText(this.#schema, changes, { dateMs: opts.dateMs, ...(opts.comment !== undefined ? { comment: opts.comment } : {}) });
    if (text === null) return false;
    writer.queue(recordFromText(text), opts.durable);
    this.#records++;
    this.#wroteSinceCompact = true;
    return true;
  }

  /** True when records are queued by writeDeferred and not yet flushed. */
  get hasPending(): boolean {
    return (this.#writer?.pendingBytes ?? 0) > 0;
  }

  /**
   * Writes every queued record with one write call (fdatasync once when any
   * was durable); returns once they are in the file. No-op when none is
   * queued. On failure the file is cut back to its last whole record, the
   * queued records are lost and the error is thrown; the file then refuses
   * writes (its records no longer follow the database) until `compact(db)`
   * rewrites it from the database.
   */
  flush(): void {
    const writer = this.#requireWriter();
    try {
      writer.flush();
    } catch (err) {
      this.#failure = errorText(err);
      throw err;
    }
  }

  /** True when ovsdb-server would compact now (see the file comment). */
  shouldCompact(nowMs: number = Date.now()): boolean {
    if (!this.#writer || nowMs < this.#nextCompactMinMs) return false;
    if (nowMs >= this.#nextCompactMaxMs) return this.#wroteSinceCompact;
    const size = this.#writer.size;
    return this.#records >= 100 && size > GREW_LOTS_BYTES && size / 2 > this.#baseBytes;
  }

  /**
   * Rewrites the file atomically as the schema plus one snapshot of `db`
   * (which must already hold every change written or deferred); later writes
   * append to it. Records still queued are flushed first; after a failed
   * flush it brings the file back in step with `db`.
   */
  compact(db: Database, nowMs: number = Date.now()): void {
    const writer = this.#requireWriter(true);
    if (this.#failure === undefined) this.flush();
    const snapshot = snapshotRecordText(db.schema, (t) => db.rows(t).values(), { dateMs: nowMs, comment: 'compacting database online' });
    const next = replaceLog(this.path, [this.schemaJson, recordFromText(snapshot)]);
    writer.close();
    this.#failure = undefined;
    this.#writer = next;
    this.#records = 2;
    this.#baseBytes = next.size;
    this.#wroteSinceCompact = false;
    this.#scheduleCompaction(nowMs);
  }

  /** Flushes queued records (unless a flush failed), closes the file and releases the lock. Idempotent. */
  close(): void {
    try {
      if (this.#writer && this.#failure === undefined) this.#writer.flush();
    } finally {
      this.#writer?.close();
      this.#writer = undefined;
      this.#lock?.release();
      this.#lock = undefined;
    }
  }

  #requireWriter(evenAfterFailure = false): LogWriter {
    if (!this.#writer) throw new Error(`${this.path}: database file is ${this.#lock ? 'closed' : 'open read-only or closed'}`);
    if (this.#failure !== undefined && !evenAfterFailure) {
      throw new Error(`${this.path}: database file out of step with the database after a failed write (${this.#failure}); compact to recover`);
    }
    return this.#writer;
  }

  #scheduleCompaction(nowMs: number = Date.now()): void {
    this.#nextCompactMinMs = nowMs + MIN_COMPACT_DELAY_MS + Math.floor(Math.random() * MIN_COMPACT_DELAY_MS);
    this.#nextCompactMaxMs = nowMs + ONE_DAY_MS;
  }
}
