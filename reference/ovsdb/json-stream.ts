/**
 * Splits a byte stream into top-level JSON texts, the framing of Open
 * vSwitch's JSON-RPC streams (lib/jsonrpc.c): values follow one another
 * with optional whitespace between them and no length prefix or delimiter.
 *
 * What: `JsonStreamSplitter.push(chunk)` returns the complete top-level
 * values found so far, as text, for `JSON.parse`; an incomplete value is
 * kept (as the list of its pieces) for the next chunk. The scan state
 * (nesting depth, inside a string, after a backslash) survives between
 * chunks, so each byte is looked at once and a long message costs linear
 * time.
 *
 * Invariants: the bytes held for an unfinished value never exceed
 * `maxBytes` and its nesting never exceeds `maxDepth`; beyond that, or
 * when a value does not start with `{` or `[`, the splitter fails and stays failed (the caller closes the connection,
 * as OVS does on any protocol error). UTF-8 sequences split across chunks
 * are reassembled before scanning.
 *
 * Left out on purpose: validating the JSON itself (JSON.parse does that on
 * the text handed out) and top-level scalars, which no JSON-RPC peer sends.
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * On failure, `values` holds the values completed in the same chunk before
 * the bad byte, and `isOversized` tells a too-long message from bad syntax.
 */
export type JsonSplitResult =
  | { readonly ok: true; readonly values: string[] }
  | { readonly ok: false; readonly reason: string; readonly values: string[]; readonly isOversized: boolean };

const TOO_LONG = 'message longer than';

export class JsonStreamSplitter {
  private readonly decoder = new StringDecoder('utf8');
  /** Text of the unfinished value from earlier chunks (joined only when the value completes). */
  private pieces: string[] = [];
  /** UTF-8 bytes held in `pieces`. */
  private heldBytes = 0;
  /** True while inside a value. */
  private inValue = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private failure: string | undefined;
  private isOversized = false;

  /** `maxDepth`: deepest nesting of arrays and objects accepted (OVS's JSON parser stops at 1000). */
  constructor(
    readonly maxBytes: number,
    readonly maxDepth = Infinity,
  ) {}

  /** Feeds one chunk; returns the values it completed, or the reason the stream is broken. */
  push(chunk: Uint8Array): JsonSplitResult {
    if (this.failure !== undefined) return { ok: false, reason: this.failure, values: [], isOversized: this.isOversized };
    const text = this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    const values: string[] = [];
    const r = this.scan(text, values);
    return r === undefined ? { ok: true, values } : this.fail(r, values);
  }

  /** True when no unfinished value is held (a clean end of stream). */
  get isIdle(): boolean {
    return this.failure === undefined && !this.inValue;
  }

  private fail(reason: string, values: string[]): JsonSplitResult {
    this.failure = reason;
    this.isOversized = reason.startsWith(TOO_LONG);
    this.pieces = [];
    return { ok: false, reason, values, isOversized: this.isOversized };
  }

  /**
   * Scans one decoded chunk, each character once; a value spanning chunks is
   * kept as pieces, so a long message costs linear time, not quadratic.
   */
  private scan(s: string, values: string[]): string | undefined {
    let start = this.inValue ? 0 : -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (!this.inValue) {
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
        if (c !== 0x7b && c !== 0x5b) return `unexpected ${JSON.stringify(s[i])} at the start of a message`;
        this.inValue = true;
        start = i;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++this.depth > this.maxDepth) return `input exceeds maximum nesting depth ${this.maxDepth}`;
      } else if (c === 0x7d || c === 0x5d) {
        if (--this.depth > 0) continue;
        const tail = s.slice(start, i + 1);
        const value = this.pieces.length ? this.pieces.join('') + tail : tail;
        if (this.heldBytes + Buffer.byteLength(tail) > this.maxBytes) return `${TOO_LONG} ${this.maxBytes} bytes`;
        values.push(value);
        this.pieces = [];
        this.heldBytes = 0;
        this.inValue = false;
      }
    }
    if (this.inValue) {
      const rest = start === 0 ? s : s.slice(start);
      this.pieces.push(rest);
      this.heldBytes += Buffer.byteLength(rest);
      if (this.heldBytes > this.maxBytes) return `${TOO_LONG} ${this.maxBytes} bytes`;
    }
    return undefined;
  }
}
