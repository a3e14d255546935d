/**
 * Splits a byte stream into top-level JSON texts, the framing of Open
 * vSwitch's JSON-RPC streams (lib/jsonrpc.c): values follow one another
 * with optional whitespace between them and no length prefix or delimiter.
 *
 * What: `JsonStreamSplitter.push(chunk)` returns the complete top-level
 * values found so far, as text, for `JSON.parse`; an incomplete value is
 * kept for the next chunk. The scan state (nesting depth, inside a string,
 * after a backslash) survives between chunks, so each byte is looked at
 * once.
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
  private text = '';
  /** Index in `text` up to which bytes have been scanned. */
  private scanned = 0;
  /** Start of the current value in `text`, -1 when between values. */
  private start = -1;
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
    this.text += this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    const values: string[] = [];
    const r = this.scan(values);
    if (r !== undefined) return this.fail(r, values);
    if (this.text.length * 3 > this.maxBytes && Buffer.byteLength(this.text) > this.maxBytes) return this.fail(`${TOO_LONG} ${this.maxBytes} bytes`, values);
    return { ok: true, values };
  }

  /** True when no unfinished value is held (a clean end of stream). */
  get isIdle(): boolean {
    return this.failure === undefined && this.start < 0;
  }

  private fail(reason: string, values: string[]): JsonSplitResult {
    this.failure = reason;
    this.isOversized = reason.startsWith(TOO_LONG);
    this.text = '';
    return { ok: false, reason, values, isOversized: this.isOversized };
  }

  private scan(values: string[]): string | undefined {
    const s = this.text;
    for (let i = this.scanned; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.start < 0) {
        if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
        if (c !== 0x7b && c !== 0x5b) return `unexpected ${JSON.stringify(s[i])} at the start of a message`;
        this.start = i;
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
      }
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth > 0) continue;
        const value = s.slice(this.start, i + 1);
        if (Buffer.byteLength(value) > this.maxBytes) return `${TOO_LONG} ${this.maxBytes} bytes`;
        values.push(value);
        this.start = -1;
      }
    }
    // Keep only the unfinished value (whitespace between values is dropped).
    this.text = this.start >= 0 ? s.slice(this.start) : '';
    this.scanned = this.text.length;
    if (this.start >= 0) this.start = 0;
    return undefined;
  }
}
