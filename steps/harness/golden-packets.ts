/**
 * Compares expected packets (from a golden pcap or builder expressions) with
 * the packets captured on one port: byte for byte, except the bits named
 * don't-care (`ip.ttl`, `ip.checksum`, `@22:1`; see golden-packet-mask.ts).
 *
 * Two packets are equal when they have the same length and every byte agrees
 * outside the union of the don't-care masks computed on each of them. A
 * sequence is compared in order by default; `order: 'unordered'` compares
 * multisets (flood, ECMP), matching each expected packet greedily with the
 * first unused equal captured packet.
 *
 * The diff lists the tcpdump one-line summaries of both sides (` ` equal,
 * `-` expected only or differing, `+` captured), then a hexdump diff of the
 * first differing pair with `^^` under differing bytes, `~~` under bytes that
 * differ but are don't-care, and the header fields the differing bytes fall in.
 *
 * Invariant: never throws on packet bytes; only a bad don't-care name is an
 * error (returned, not thrown).
 * Left out on purpose: timestamps and capture lengths (only bytes count).
 */
import { decodePacket, hexdumpLines, summarizePacket } from '../../reference/packet/index.ts';
import { dontCareMask, fieldsAtOffset, parseDontCares } from './golden-packet-mask.ts';
import type { DontCare } from './golden-packet-mask.ts';

export interface PacketCompareOptions {
  /** Don't-care names: `ip.ttl`, `ip.checksum`, `eth.src`, `@14:2`, `@14/0f`, … */
  readonly ignore?: readonly string[];
  readonly order?: 'ordered' | 'unordered';
  /** Shown in the diff header (golden path, port name). */
  readonly expectedSource?: string;
  readonly actualSource?: string;
}

export interface PacketMismatch {
  readonly expected: number;
  readonly actual: number;
  /** Offsets of differing bytes that are not don't-care (a length difference counts from the shorter end). */
  readonly offsets: number[];
}

export interface PacketComparison {
  readonly ok: true;
  readonly equal: boolean;
  /** Indices of expected packets with no captured counterpart. */
  readonly missing: number[];
  /** Indices of captured packets nobody expected. */
  readonly unexpected: number[];
  /** Ordered mode: pairs at the same index that differ. */
  readonly mismatched: PacketMismatch[];
  readonly diffText: string;
}

export type PacketCompareResult = PacketComparison | { readonly ok: false; readonly message: string };

interface PairDiff {
  /** Differing offsets that count. */
  readonly offsets: number[];
  /** Differing offsets hidden by a don't-care mask. */
  readonly ignored: number[];
}

/** Byte comparison of two packets under the don't-care specs. */
export function diffPacketPair(expected: Uint8Array, actual: Uint8Array, specs: readonly DontCare[]): PairDiff {
  const me = dontCareMask(expected, specs);
  const ma = dontCareMask(actual, specs);
  const offsets: number[] = [];
  const ignored: number[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined || a === undefined) {
      offsets.push(i);
      continue;
    }
    const diff = e ^ a;
    if (diff === 0) continue;
    if ((diff & ~((me[i] ?? 0) | (ma[i] ?? 0)) & 0xff) === 0) ignored.push(i);
    else offsets.push(i);
  }
  return { offsets, ignored };
}

/** Compares two packet lists; see the file comment. Never throws on bytes. */
export function comparePackets(expected: readonly Uint8Array[], actual: readonly Uint8Array[], opts: PacketCompareOptions = {}): PacketCompareResult {
  const parsed = parseDontCares(opts.ignore ?? []);
  if (!parsed.ok) return parsed;
  const specs = parsed.specs;
  const missing: number[] = [];
  const unexpected: number[] = [];
  const mismatched: PacketMismatch[] = [];
  const rows: string[] = [];
  if ((opts.order ?? 'ordered') === 'ordered') {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const e = expected[i];
      const a = actual[i];
      if (!a) missing.push(i);
      else if (!e) unexpected.push(i);
      else {
        const d = diffPacketPair(e, a, specs);
        if (d.offsets.length) mismatched.push({ expected: i, actual: i, offsets: d.offsets });
      }
      rows.push(...summaryRows(e, a, i, i, !!e && !!a && !mismatched.some((m) => m.expected === i)));
    }
  } else {
    const used = new Set<number>();
    expected.forEach((e, i) => {
      const j = actual.findIndex((a, k) => !used.has(k) && diffPacketPair(e, a, specs).offsets.length === 0);
      if (j < 0) missing.push(i);
      else used.add(j);
      rows.push(...summaryRows(e, j < 0 ? undefined : actual[j], i, j, j >= 0));
    });
    actual.forEach((a, k) => {
      if (used.has(k)) return;
      unexpected.push(k);
      rows.push(...summaryRows(undefined, a, -1, k, false));
    });
  }
  const equal = missing.length === 0 && unexpected.length === 0 && mismatched.length === 0;
  if (equal) return { ok: true, equal, missing, unexpected, mismatched, diffText: '' };
  const header = [
    `--- expected ${opts.expectedSource ?? '(golden)'}: ${expected.length} packet(s)`,
    `+++ actual ${opts.actualSource ?? '(captured)'}: ${actual.length} packet(s)`,
    `@@ ${opts.order ?? 'ordered'}; ignoring ${specs.length ? specs.map((s) => s.text).join(', ') : 'nothing'}; ` +
      `${missing.length} missing, ${unexpected.length} unexpected, ${mismatched.length} differing @@`,
  ];
  const pair = firstDifferingPair(expected, actual, missing, unexpected, mismatched, specs);
  const hex = pair ? hexdumpDiff(expected[pair[0]] ?? new Uint8Array(), actual[pair[1]] ?? new Uint8Array(), specs, pair) : [];
  return { ok: true, equal, missing, unexpected, mismatched, diffText: [...header, ...elideSameRows(rows), ...hex].join('\n') + '\n' };
}

/**
 * Keeps a diff of long captures readable: a run of more than 2 × `context` + 1
 * matching rows (`  #…`) keeps `context` rows at each end and says how many
 * it left out.
 */
export function elideSameRows(rows: readonly string[], context = 2): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length > 2 * context + 1) {
      out.push(...run.slice(0, context), `  … ${run.length - 2 * context} matching packet(s) …`, ...run.slice(run.length - context));
    } else out.push(...run);
    run = [];
  };
  for (const row of rows) {
    if (row.startsWith('  #')) run.push(row);
    else {
      flush();
      out.push(row);
    }
  }
  flush();
  return out;
}

function summaryRows(e: Uint8Array | undefined, a: Uint8Array | undefined, i: number, j: number, same: boolean): string[] {
  if (e && a && same) return [`  #${i + 1}${i === j ? '' : `=#${j + 1}`}  ${summarizePacket(e)}`];
  const out: string[] = [];
  if (e) out.push(`- #${i + 1}  ${summarizePacket(e)}`);
  if (a) out.push(`+ #${j + 1}  ${summarizePacket(a)}`);
  return out;
}

/** The pair shown as a hexdump: the first mismatch, else the first missing packet against its closest unmatched capture. */
function firstDifferingPair(
  expected: readonly Uint8Array[], actual: readonly Uint8Array[], missing: readonly number[], unexpected: readonly number[],
  mismatched: readonly PacketMismatch[], specs: readonly DontCare[],
): [number, number] | undefined {
  const m = mismatched[0];
  if (m) return [m.expected, m.actual];
  const i = missing[0];
  const e = i === undefined ? undefined : expected[i];
  if (i === undefined || !e || unexpected.length === 0) return undefined;
  let best: [number, number] | undefined;
  for (const k of unexpected) {
    const a = actual[k];
    if (!a) continue;
    const n = diffPacketPair(e, a, specs).offsets.length;
    if (!best || n < best[1]) best = [k, n];
  }
  return best ? [i, best[0]] : undefined;
}

/** Hexdump rows that differ, expected (`-`) over actual (`+`), with a marker row. */
export function hexdumpDiff(expected: Uint8Array, actual: Uint8Array, specs: readonly DontCare[], pair: [number, number] = [0, 0]): string[] {
  const d = diffPacketPair(expected, actual, specs);
  const counted = new Set(d.offsets);
  const hidden = new Set(d.ignored);
  const decoded = decodePacket(expected.length >= actual.length ? expected : actual);
  const fields = new Set<string>();
  for (const o of d.offsets) for (const f of fieldsAtOffset(expected.length >= actual.length ? expected : actual, decoded, o)) fields.add(f);
  const out = [
    `first difference: expected #${pair[0] + 1} vs actual #${pair[1] + 1}: ${d.offsets.length} byte(s) differ` +
      (expected.length !== actual.length ? ` (lengths ${expected.length} and ${actual.length})` : '') +
      (fields.size ? ` in ${[...fields].join(', ')}` : '') + (d.ignored.length ? `; ${d.ignored.length} don't-care byte(s) differ` : ''),
  ];
  const el = hexdumpLines(expected, { ascii: false, indent: '' });
  const al = hexdumpLines(actual, { ascii: false, indent: '' });
  for (let row = 0; row < Math.max(el.length, al.length); row++) {
    const offsets = Array.from({ length: 16 }, (_, k) => row * 16 + k);
    if (!offsets.some((o) => counted.has(o) || hidden.has(o))) continue;
    const line = al[row] ?? el[row] ?? '';
    const start = line.indexOf(':  ') + 3;
    const marks = Array.from({ length: start + 40 }, () => ' ');
    for (const [k, o] of offsets.entries()) {
      const mark = counted.has(o) ? '^' : hidden.has(o) ? '~' : ' ';
      const col = start + (k >> 1) * 5 + (k & 1) * 2;
      marks[col] = mark;
      marks[col + 1] = mark;
    }
    if (el[row] !== undefined) out.push('- ' + el[row]);
    if (al[row] !== undefined) out.push('+ ' + al[row]);
    out.push('  ' + marks.join('').trimEnd());
  }
  return out;
}
