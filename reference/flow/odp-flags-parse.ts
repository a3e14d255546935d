/**
 * Flag-set syntax shared by ct_state(...), tcp_flags(...) and the slow_path
 * cookie: lib/flow.c parse_flags(). Three forms: numeric `value/mask`;
 * masked `+name-name…` (each flag at most once); unmasked `name|name|0x…`
 * (mask all ones).
 *
 * Invariant: never throws; stops at the `end` character without consuming
 * it; on error returns undefined with the error recorded in the scanner.
 */
import type { OdpScanner } from './odp-text-scanner.ts';

export interface ParsedFlags {
  readonly flags: number;
  /** All ones (0xffffffff) for the unmasked form. */
  readonly mask: number;
  /** Characters consumed. */
  readonly consumed: number;
}

type FlagNames = readonly (readonly [number, string])[];

/** Parses flags up to (not including) `end`. `allowed` limits the bits accepted. */
export function parseFlags(sc: OdpScanner, names: FlagNames, allowed: number, end: string, masked = true): ParsedFlags | undefined {
  const start = sc.pos;
  if (masked) {
    const v = sc.int();
    if (v !== undefined && sc.eat('/')) {
      const m = sc.int();
      if (m !== undefined) {
        if ((v & ~allowed) !== 0 || (m & ~allowed) !== 0) return fail(sc, start, 'unknown flag bits');
        return { flags: v, mask: m, consumed: sc.pos - start };
      }
    }
    sc.pos = start;
    if (sc.peek() === '+' || sc.peek() === '-') return parseMaskedNames(sc, names, allowed, end, start);
  }
  let flags = 0;
  while (!sc.done && sc.peek() !== end) {
    const v = sc.int(Number.MAX_SAFE_INTEGER);
    if (v !== undefined) {
      if (v > 0xffffffff || (v & ~allowed) !== 0) return fail(sc, start, 'unknown flag bits');
      flags = (flags | v) >>> 0;
      sc.eat('|');
      continue;
    }
    const hit = names.find(([, n]) => sc.startsWith(n) && isFlagEnd(sc.text.charAt(sc.pos + n.length), '|', end));
    if (!hit) return fail(sc, sc.pos, 'unknown flag');
    if ((hit[0] & allowed) === 0) return fail(sc, sc.pos, 'flag not allowed here');
    flags = (flags | hit[0]) >>> 0;
    sc.pos += hit[1].length;
    sc.eat('|');
  }
  if (sc.done) return fail(sc, sc.pos, `expected '${end}'`);
  return { flags, mask: 0xffffffff, consumed: sc.pos - start };
}

function parseMaskedNames(sc: OdpScanner, names: FlagNames, allowed: number, end: string, start: number): ParsedFlags | undefined {
  let flags = 0;
  let mask = 0;
  while (!sc.done && sc.peek() !== end) {
    const c = sc.peek();
    if (c !== '+' && c !== '-') return fail(sc, sc.pos, "flag must be preceded by '+' or '-'");
    sc.pos++;
    const hit = names.find(([, n]) => sc.startsWith(n) && isFlagEnd(sc.text.charAt(sc.pos + n.length), '+-', end));
    if (!hit) return fail(sc, sc.pos, 'unknown flag');
    const [bit, name] = hit;
    if (mask & bit) return fail(sc, sc.pos, 'flag given more than once');
    if ((bit & allowed) === 0) return fail(sc, sc.pos, 'flag not allowed here');
    if (c === '+') flags |= bit;
    mask |= bit;
    sc.pos += name.length;
  }
  if (sc.done) return fail(sc, sc.pos, `expected '${end}'`);
  return { flags: flags >>> 0, mask: mask >>> 0, consumed: sc.pos - start };
}

function isFlagEnd(c: string, seps: string, end: string): boolean {
  return c === end || (c !== '' && seps.includes(c));
}

function fail(sc: OdpScanner, pos: number, message: string): undefined {
  sc.fail(message, pos);
  return undefined;
}
