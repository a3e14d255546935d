/**
 * Hex dump of packet bytes, in exactly the layout of `tcpdump -XX` (or
 * `tcpdump -xx` without the ASCII column), so a dump in a review diff can be
 * compared with what tcpdump prints for the same capture:
 *
 *     \t0x0000:  ffff ffff ffff 0200 0000 0001 0806 0001  ................
 *     \t0x0010:  0800 0604 0001                           ......
 *
 * One line per 16 bytes: a tab, the offset as `0x%04x:`, the bytes in
 * groups of two (an odd last byte stands alone), then, when `ascii` is on,
 * the hex column padded to 40 characters, two spaces and the bytes as ASCII,
 * where only graphic characters (0x21-0x7e) print and everything else,
 * space included, prints as `.` (tcpdump's rule). No trailing spaces.
 * Offsets past 0xffff widen, as printf's %04x does.
 *
 * Left out on purpose: scapy's and od's layouts; colour; collapsing
 * repeated lines. Follows tcpdump 4.99 print-ascii.c behaviour (observed).
 */

export interface HexdumpOptions {
  /** Print the ASCII column like `tcpdump -XX` (default true); false gives `-xx`. */
  ascii?: boolean;
  /** Text in front of each line (default a tab, as tcpdump prints). */
  indent?: string;
}

const HEX_COLUMN_CHARS = 40;

/** The dump of `bytes`, one line per 16 bytes, joined with '\n' (no final newline). */
export function hexdump(bytes: Uint8Array, options: HexdumpOptions = {}): string {
  return hexdumpLines(bytes, options).join('\n');
}

/** The dump of `bytes` as an array of lines (empty for no bytes). */
export function hexdumpLines(bytes: Uint8Array, options: HexdumpOptions = {}): string[] {
  const withAscii = options.ascii ?? true;
  const indent = options.indent ?? '\t';
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, bytes.length));
    let hex = '';
    for (let i = 0; i < row.length; i += 2) {
      hex += ' ' + byteHex(row[i] ?? 0) + (i + 1 < row.length ? byteHex(row[i + 1] ?? 0) : '');
    }
    let line = `${indent}0x${at.toString(16).padStart(4, '0')}: ${hex}`;
    if (withAscii) line += ' '.repeat(HEX_COLUMN_CHARS - hex.length + 2) + asciiOf(row);
    lines.push(line);
  }
  return lines;
}

function byteHex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function asciiOf(row: Uint8Array): string {
  let s = '';
  for (const b of row) s += b > 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return s;
}
