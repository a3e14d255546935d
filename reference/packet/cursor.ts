/**
 * Bounds-checked byte access over an exact DataView.
 *
 * Every codec reads and writes bytes through these two classes, so that no
 * decoder indexes a buffer by hand. The invariant: a `ByteReader` never reads
 * outside `[start, end)` of the bytes it was given. Decoders are expected to
 * ask `has(n)` before reading and to turn a short buffer into a `truncated`
 * issue; a read past the end is therefore a decoder bug and throws
 * `RangeError` naming the offset and the bytes wanted.
 *
 * Multi-byte values are big-endian (network order) unless a method name says
 * `Le`.
 */

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute offset of the next read, within `bytes`. */
  offset: number;
  /** Absolute end (exclusive) of the readable window. */
  end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = Math.max(0, Math.min(start, bytes.length));
    this.end = Math.max(this.offset, Math.min(end, bytes.length));
  }

  /** Bytes left between the cursor and the end of the window. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** True when at least `n` more bytes can be read. */
  has(n: number): boolean {
    return n >= 0 && this.offset + n <= this.end;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new RangeError(`ByteReader: read of ${n} byte(s) at offset ${at} passes end ${this.end}`);
    }
    this.offset = at + n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2));
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  u16Le(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32Le(): number {
    return this.view.getUint32(this.need(4), true);
  }
  /** A view (not a copy) of the next `n` bytes. */
  bytesView(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  /** A copy of the next `n` bytes. */
  bytesCopy(n: number): Uint8Array {
    return this.bytesView(n).slice();
  }
  skip(n: number): void {
    this.need(n);
  }
  /** Reads at an absolute offset without moving the cursor. */
  peekU8(at: number): number {
    if (at < this.offset || at >= this.end) {
      throw new RangeError(`ByteReader: peek at ${at} outside [${this.offset}, ${this.end})`);
    }
    return this.view.getUint8(at);
  }
  /** A reader over the next `n` bytes (clamped to the window); advances past them. */
  sub(n: number): ByteReader {
    const len = Math.max(0, Math.min(n, this.remaining));
    const r = new ByteReader(this.bytes, this.offset, this.offset + len);
    this.offset += len;
    return r;
  }
}

/**
 * A growable big-endian writer. `patchU16`/`patchU32` fill in a length or
 * checksum after the fact.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Reserves `n` bytes and returns their offset. May replace `buf` and `view`:
   *  callers must call it before reading either. */
  private ensure(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < at + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.length = at + n;
    return at;
  }

  u8(v: number): this {
    const at = this.ensure(1);
    this.view.setUint8(at, v & 0xff);
    return this;
  }
  u16(v: number): this {
    const at = this.ensure(2);
    this.view.setUint16(at, v & 0xffff);
    return this;
  }
  u32(v: number): this {
    const at = this.ensure(4);
    this.view.setUint32(at, v >>> 0);
    return this;
  }
  u16Le(v: number): this {
    const at = this.ensure(2);
    this.view.setUint16(at, v & 0xffff, true);
    return this;
  }
  u32Le(v: number): this {
    const at = this.ensure(4);
    this.view.setUint32(at, v >>> 0, true);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.ensure(b.length);
    this.buf.set(b, at);
    return this;
  }
  zeros(n: number): this {
    const at = this.ensure(n);
    this.buf.fill(0, at, this.length);
    return this;
  }
  patchU8(at: number, v: number): void {
    this.checkPatch(at, 1);
    this.view.setUint8(at, v & 0xff);
  }
  patchU16(at: number, v: number): void {
    this.checkPatch(at, 2);
    this.view.setUint16(at, v & 0xffff);
  }
  patchU32(at: number, v: number): void {
    this.checkPatch(at, 4);
    this.view.setUint32(at, v >>> 0);
  }
  private checkPatch(at: number, n: number): void {
    if (at < 0 || at + n > this.length) {
      throw new RangeError(`ByteWriter: patch of ${n} byte(s) at ${at} outside written length ${this.length}`);
    }
  }
  /** The bytes written so far (a view; copy it before writing more if you keep it). */
  view_(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
