/**
 * Text plumbing for parseFlowRequest: splitting a `dpctl/add-flow` command
 * tail into its arguments the way a shell would (whitespace, '…' and "…"
 * quoting), keeping for every character of an argument its offset in the
 * original text; turning offsets into 1-based line/column; and finding the
 * text span of a key attribute or an action from its path, so that errors
 * found after parsing still point at the offending text.
 *
 * Invariants: nothing throws; every offset returned lies within
 * [0, text.length]; the span finders assume text the ODP parser accepted
 * and fall back to the nearest enclosing span otherwise.
 *
 * Left out: shell expansions, `$'…'` quoting, backslash escapes outside
 * double quotes.
 */

/** One argument: its text after quote removal and the source offset of each character (plus one past the end). */
export interface Arg {
  readonly text: string;
  readonly offsets: readonly number[];
}

export type SplitResult = { readonly ok: true; readonly args: Arg[] } | { readonly ok: false; readonly offset: number; readonly message: string };

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Splits `text` into shell words. */
export function splitArgs(text: string): SplitResult {
  const args: Arg[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i]!)) i++;
    if (i >= text.length) break;
    let word = '';
    const offsets: number[] = [];
    while (i < text.length && !isSpace(text[i]!)) {
      const q = text[i]!;
      if (q !== '"' && q !== "'") {
        word += q;
        offsets.push(i++);
        continue;
      }
      const open = i++;
      for (;;) {
        if (i >= text.length) return { ok: false, offset: open, message: `unterminated ${q === '"' ? 'double' : 'single'} quote` };
        const c = text[i]!;
        if (c === q) break;
        if (q === '"' && c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++;
        word += text[i];
        offsets.push(i++);
      }
      i++;
    }
    offsets.push(i);
    args.push({ text: word, offsets });
  }
  return { ok: true, args };
}

/** The source offset of position `pos` of an argument (clamped to the argument). */
export function argOffset(arg: Arg, pos: number): number {
  const p = Math.max(0, Math.min(Math.trunc(pos) || 0, arg.offsets.length - 1));
  return arg.offsets[p] ?? 0;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: at - lineStart + 1 };
}

/** The text from `pos` to the end of its token (at most 60 characters), for error reports. */
export function tokenAt(text: string, pos: number, end = text.length): string {
  let e = pos;
  let depth = 0;
  while (e < end && e - pos < 60) {
    const c = text[e]!;
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === ',' || isSpace(c))) break;
    e++;
  }
  return text.slice(pos, Math.max(e, Math.min(pos + 1, end)));
}

interface Span {
  readonly start: number;
  readonly end: number;
}

const isDelim = (c: string): boolean => c === ',' || isSpace(c);

function skipDelims(text: string, i: number): number {
  while (i < text.length && isDelim(text[i]!)) i++;
  return i;
}

/** Index just past the ')' closing the '(' at `open` (or the text's end). */
function pastClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  return text.length;
}

/** Spans of the `name(…)` items of a list starting at `i`, up to the end or an unmatched ')'. */
function itemSpans(text: string, i: number, isAction: boolean): Span[] {
  const out: Span[] = [];
  for (;;) {
    i = skipDelims(text, i);
    if (i >= text.length || text[i] === ')') return out;
    let e = i;
    if (isAction) {
      let depth = 0;
      while (e < text.length) {
        const c = text[e]!;
        if (c === '(') depth++;
        else if (c === ')' && depth-- === 0) break;
        else if (depth === 0 && isDelim(c)) break;
        e++;
      }
    } else {
      const open = text.indexOf('(', i);
      e = open < 0 ? text.length : pastClose(text, open);
    }
    if (e === i) return out;
    out.push({ start: i, end: e });
    i = e;
  }
}

/** Offset of the key attribute at `path` (indices through encap lists) in key text; `fallback` when not found. */
export function locateAttr(text: string, path: readonly number[], fallback: number): number {
  let i = skipDelims(text, 0);
  const ufid = /^ufid:[0-9a-fA-F-]{36}/.exec(text.slice(i, i + 41));
  if (ufid) i += ufid[0].length;
  let found = fallback;
  for (const step of path) {
    const span = itemSpans(text, i, false)[step];
    if (!span) return found;
    found = span.start;
    i = span.start + (/^encap\(/.test(text.slice(span.start, span.start + 6)) ? 6 : span.end - span.start);
  }
  return found;
}

/** Offset of the first position at paren depth `depth` within [from, to) where `marker` starts, or -1. */
function findAtDepth(text: string, from: number, to: number, marker: string, depth: number): number {
  let d = 0;
  for (let i = from; i < to; i++) {
    if (d === depth && text.startsWith(marker, i)) return i;
    if (text[i] === '(') d++;
    else if (text[i] === ')') d--;
  }
  return -1;
}

/** Offset of the action at `path` (indices, 'gt'/'le' after a check_pkt_len) in action text starting at `start`. */
export function locateAction(text: string, start: number, path: readonly (number | string)[], fallback: number): number {
  let list = itemSpans(text, start, true);
  let found = fallback;
  let span: Span | undefined;
  for (let k = 0; k < path.length; k++) {
    const step = path[k]!;
    if (typeof step === 'number') {
      span = list[step];
      if (!span) return found;
      found = span.start;
      const next = path[k + 1];
      if (next === undefined || typeof next === 'string') continue;
      const inner = text.startsWith('clone(', span.start) ? span.start + 6 : findAtDepth(text, span.start, span.end, ',actions(', 1) + 9;
      if (inner < span.start + 6) return found;
      list = itemSpans(text, inner, true);
    } else if (span) {
      const at = findAtDepth(text, span.start, span.end, `,${step}(`, 1);
      if (at < 0) return found;
      list = itemSpans(text, at + step.length + 2, true);
    }
  }
  return found;
}
