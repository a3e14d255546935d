/**
 * The bounds-checked byte reader and output buffer shared by the summary
 * printers (summary.ts, summary-ip.ts, summary-transport.ts).
 *
 * It mirrors tcpdump's printing model: a printer appends text as it goes;
 * a read past the captured bytes abandons the current printer, and the line
 * then ends with ` [|proto]`, where `proto` is the printer that ran out of
 * bytes (tcpdump's nd_print_trunc). The abandonment is an internal signal
 * that `summarizeWith` always catches: summaries never throw on packet bytes
 * (a printer bug shows as ` [|internal error: ...]`, which tests look for).
 *
 * Left out on purpose: tcpdump's snapshot-length stack (a printer's view is
 * limited with `limit` instead).
 */
import { formatIpv4, formatIpv6, formatMac } from './field-values.ts';

class SummaryTruncated extends Error {}

export class SummaryPrinter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** End of readable bytes (exclusive); lowered by `limit`. */
  end: number;
  /** Name of the running printer, for the ` [|proto]` marker. */
  proto = 'ether';
  out = '';

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
  }

  print(text: string): void {
    this.out += text;
  }

  /** True when `n` bytes from `at` were captured. */
  has(at: number, n: number): boolean {
    return at >= 0 && n >= 0 && at + n <= this.end;
  }

  /** Abandons the current printer when `n` bytes at `at` were not captured. */
  need(at: number, n: number): void {
    if (!this.has(at, n)) throw new SummaryTruncated(this.proto);
  }

  /** Abandons the current printer (tcpdump's `goto trunc`). */
  truncated(): never {
    throw new SummaryTruncated(this.proto);
  }

  u8(at: number): number {
    this.need(at, 1);
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    this.need(at, 2);
    return this.view.getUint16(at);
  }
  u32(at: number): number {
    this.need(at, 4);
    return this.view.getUint32(at);
  }
  mac(at: number): string {
    this.need(at, 6);
    return formatMac(this.bytes, at);
  }
  ipv4(at: number): string {
    this.need(at, 4);
    return formatIpv4(this.bytes, at);
  }
  ipv6(at: number): string {
    this.need(at, 16);
    return formatIpv6(this.bytes, at);
  }

  /** Runs `body` with the readable end lowered to `end` (if lower), then restores it. */
  limit<T>(end: number, body: () => T): T {
    const saved = this.end;
    this.end = Math.min(saved, Math.max(0, end));
    try {
      return body();
    } finally {
      this.end = saved;
    }
  }
}

/** Runs `body` and returns the text printed, ending in ` [|proto]` if it ran out of bytes. */
export function summarizeWith(bytes: Uint8Array, body: (p: SummaryPrinter) => void): string {
  const p = new SummaryPrinter(bytes);
  try {
    body(p);
  } catch (err) {
    // A printer bug must not take the data plane down: it shows as a marker.
    p.print(err instanceof SummaryTruncated ? ` [|${err.message}]` : ` [|internal error: ${String(err)}]`);
  }
  return p.out;
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
