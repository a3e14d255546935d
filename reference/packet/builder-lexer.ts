/**
 * Tokenizer for the packet builder's scapy-syntax expressions.
 *
 * What: turns `Ether(dst="..")/IP(ttl=5)/Raw(b"\x00")` into tokens (names,
 * integer literals, str and bytes literals with their escapes decoded,
 * punctuation), each with its 0-based source offset.
 * Invariant: never throws on any input; the first lexical error is returned
 * as a `LexError` naming the offset and the offending text.
 * Leaves out on purpose: floats, complex numbers, f-strings, `\N{...}`
 * escapes, non-ASCII identifiers, comments — a packet expression has no use
 * for them and rejecting them keeps the grammar small.
 * Spec: Python 3 lexical analysis (docs.python.org/3/reference/
 * lexical_analysis.html), sections "String and Bytes literals" and
 * "Integer literals".
 */

/** Kinds of token; `str` and `bytes` carry decoded values. */
export const TokenKind = {
  Name: 'name',
  Int: 'int',
  Str: 'str',
  Bytes: 'bytes',
  Punct: 'punct',
  End: 'end',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export type Token =
  | { readonly kind: 'name'; readonly offset: number; readonly text: string }
  | { readonly kind: 'int'; readonly offset: number; readonly text: string; readonly value: number }
  | { readonly kind: 'str'; readonly offset: number; readonly text: string; readonly value: string }
  | { readonly kind: 'bytes'; readonly offset: number; readonly text: string; readonly value: Uint8Array }
  | { readonly kind: 'punct'; readonly offset: number; readonly text: string }
  | { readonly kind: 'end'; readonly offset: number; readonly text: '' };

/** A lexical error: where it is (0-based offset), the text at fault, and why. */
export interface LexError {
  readonly offset: number;
  readonly token: string;
  readonly reason: string;
}

export type LexResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly error: LexError };

const PUNCT = '()[],=/*+-';

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}

/** Text shown for a token in errors: at most 20 characters. */
export function clipToken(text: string): string {
  return text.length > 20 ? `${text.slice(0, 17)}...` : text;
}

/**
 * Tokenizes `text`. Whitespace (including newlines) separates tokens and is
 * otherwise ignored. The token list always ends with an `end` token.
 */
export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const step = lexOne(text, i);
    if (!step.ok) return step;
    tokens.push(step.token);
    i = step.next;
  }
  tokens.push({ kind: 'end', offset: text.length, text: '' });
  return { ok: true, tokens };
}

type Step =
  | { readonly ok: true; readonly token: Token; readonly next: number }
  | { readonly ok: false; readonly error: LexError };

function lexOne(text: string, start: number): Step {
  const c = text.charCodeAt(start);
  if (c >= 0x30 && c <= 0x39) return lexNumber(text, start);
  if (c === 0x2e && isDigit(text.charCodeAt(start + 1))) {
    return fail(start, scanWord(text, start), 'float literals are not supported');
  }
  if (isNameStart(c)) {
    let end = start + 1;
    while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
    const quote = text.charCodeAt(end);
    if ((quote === 0x22 || quote === 0x27) && end - start <= 2) {
      return lexString(text, start, text.slice(start, end).toLowerCase(), end);
    }
    return { ok: true, token: { kind: 'name', offset: start, text: text.slice(start, end) }, next: end };
  }
  if (c === 0x22 || c === 0x27) return lexString(text, start, '', start);
  const ch = text[start] ?? '';
  if (PUNCT.includes(ch)) {
    return { ok: true, token: { kind: 'punct', offset: start, text: ch }, next: start + 1 };
  }
  const cp = text.codePointAt(start) ?? c;
  return fail(start, String.fromCodePoint(cp), 'unexpected character');
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function scanWord(text: string, start: number): string {
  let end = start + 1;
  while (end < text.length && (isNameChar(text.charCodeAt(end)) || text[end] === '.')) end++;
  return text.slice(start, end);
}

function fail(offset: number, token: string, reason: string): Step {
  return { ok: false, error: { offset, token: clipToken(token), reason } };
}

const RADIX: Readonly<Record<string, { radix: number; digits: RegExp }>> = {
  x: { radix: 16, digits: /^[0-9a-f]+$/i },
  o: { radix: 8, digits: /^[0-7]+$/ },
  b: { radix: 2, digits: /^[01]+$/ },
};

/** Integer literal: decimal, 0x, 0o, 0b, with Python's `_` separators. */
function lexNumber(text: string, start: number): Step {
  const word = scanWord(text, start);
  const next = start + word.length;
  if (/[.]|^[0-9_]*e[+-]?[0-9]/i.test(word) && !/^0[xob]/i.test(word)) {
    return fail(start, word, 'float literals are not supported');
  }
  let radix = 10;
  let body = word;
  const prefix = RADIX[(word[1] ?? '').toLowerCase()];
  if (word[0] === '0' && prefix !== undefined) {
    radix = prefix.radix;
    body = word.slice(2).replace(/^_/, '');
    if (!isWellSeparated(body) || !prefix.digits.test(body.replaceAll('_', ''))) {
      return fail(start, word, `invalid base-${radix} integer literal`);
    }
  } else if (!isWellSeparated(word) || !/^[0-9]+$/.test(word.replaceAll('_', ''))) {
    return fail(start, word, 'invalid integer literal');
  } else if (/^0+[1-9]/.test(word.replaceAll('_', ''))) {
    return fail(start, word, 'leading zeros are not allowed in decimal integers (use 0o for octal)');
  }
  const digits = body.replaceAll('_', '');
  const value = parseInt(digits, radix);
  if (!Number.isSafeInteger(value)) return fail(start, word, 'integer literal is too large');
  return { ok: true, token: { kind: 'int', offset: start, text: word, value }, next };
}

/** `_` only between digits: no leading, trailing or doubled underscores. */
function isWellSeparated(body: string): boolean {
  return body.length > 0 && !body.startsWith('_') && !body.endsWith('_') && !body.includes('__');
}

interface Prefix {
  readonly raw: boolean;
  readonly bytes: boolean;
}

function parsePrefix(prefix: string): Prefix | undefined {
  switch (prefix) {
    case '':
    case 'u':
      return { raw: false, bytes: false };
    case 'r':
      return { raw: true, bytes: false };
    case 'b':
      return { raw: false, bytes: true };
    case 'br':
    case 'rb':
      return { raw: true, bytes: true };
    default:
      return undefined;
  }
}

/** String or bytes literal starting at `start` (prefix) with its quote at `quoteAt`. */
function lexString(text: string, start: number, prefixText: string, quoteAt: number): Step {
  const prefix = parsePrefix(prefixText);
  if (prefix === undefined) {
    return fail(start, text.slice(start, quoteAt + 1), `unsupported string prefix '${prefixText}'`);
  }
  const q = text[quoteAt] ?? '"';
  const triple = text.startsWith(q.repeat(3), quoteAt);
  const close = triple ? q.repeat(3) : q;
  const codes: number[] = [];
  let i = quoteAt + close.length;
  for (;;) {
    if (i >= text.length || (!triple && (text[i] === '\n' || text[i] === '\r'))) {
      return fail(start, text.slice(start, i), 'unterminated string literal');
    }
    if (text.startsWith(close, i)) break;
    const ch = text.charCodeAt(i);
    if (ch !== 0x5c) {
      const cp = text.codePointAt(i) ?? ch;
      if (prefix.bytes && cp > 0x7f) {
        return fail(i, String.fromCodePoint(cp), 'bytes literals can only contain ASCII characters');
      }
      codes.push(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const esc = prefix.raw ? rawEscape(text, i) : decodeEscape(text, i, prefix.bytes);
    if (!esc.ok) return { ok: false, error: esc.error };
    codes.push(...esc.codes);
    i = esc.next;
  }
  const next = i + close.length;
  const raw = text.slice(start, next);
  if (prefix.bytes) {
    return { ok: true, token: { kind: 'bytes', offset: start, text: raw, value: Uint8Array.from(codes) }, next };
  }
  return { ok: true, token: { kind: 'str', offset: start, text: raw, value: codesToString(codes) }, next };
}

/** Builds a string from code points in chunks (spreading a huge array would overflow the stack). */
function codesToString(codes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCodePoint(...codes.slice(i, i + 4096));
  return out;
}

type Escape =
  | { readonly ok: true; readonly codes: readonly number[]; readonly next: number }
  | { readonly ok: false; readonly error: LexError };

/** In raw literals a backslash is kept but still shields the next character. */
function rawEscape(text: string, at: number): Escape {
  if (at + 1 >= text.length) return { ok: true, codes: [0x5c], next: at + 1 };
  return { ok: true, codes: [0x5c, text.charCodeAt(at + 1)], next: at + 2 };
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '\\': 0x5c, "'": 0x27, '"': 0x22, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
};

/** One backslash escape at `at` in a non-raw literal, decoded as Python does. */
function decodeEscape(text: string, at: number, isBytes: boolean): Escape {
  const e = text[at + 1];
  if (e === undefined) return escFail(at, text.slice(at), 'unterminated string literal');
  if (e === '\n') return { ok: true, codes: [], next: at + 2 };
  if (e === '\r') return { ok: true, codes: [], next: text[at + 2] === '\n' ? at + 3 : at + 2 };
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return { ok: true, codes: [simple], next: at + 2 };
  if (e >= '0' && e <= '7') {
    const m = /^[0-7]{1,3}/.exec(text.slice(at + 1, at + 4));
    const digits = m?.[0] ?? e;
    const value = parseInt(digits, 8);
    if (isBytes && value > 0xff) {
      return escFail(at, `\\${digits}`, 'octal escape out of range for bytes (max \\377)');
    }
    return { ok: true, codes: [value], next: at + 1 + digits.length };
  }
  const hexLength = e === 'x' ? 2 : !isBytes && e === 'u' ? 4 : !isBytes && e === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const digits = text.slice(at + 2, at + 2 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) {
      return escFail(at, `\\${e}${digits}`, `truncated \\${e} escape (needs ${hexLength} hex digits)`);
    }
    const value = parseInt(digits, 16);
    if (value > 0x10ffff) return escFail(at, `\\${e}${digits}`, 'escape is beyond the Unicode range');
    return { ok: true, codes: [value], next: at + 2 + hexLength };
  }
  if (!isBytes && e === 'N') return escFail(at, '\\N', '\\N{...} escapes are not supported');
  return rawEscape(text, at);
}

function escFail(offset: number, token: string, reason: string): Escape {
  return { ok: false, error: { offset, token: clipToken(token), reason } };
}
