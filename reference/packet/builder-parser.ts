/**
 * Recursive-descent parser for scapy-syntax packet expressions.
 *
 * What: `Ether(dst="..")/Dot1Q(vlan=10)/Raw(b"x")` → a list of calls, each
 * with its arguments (keyword or positional) and their literal values.
 * Grammar (a subset of Python expressions, never evaluated):
 *   packet  := layer ('/' layer)* END
 *   layer   := NAME '(' args? ')' | value            (a bare str/bytes is Raw)
 *   args    := arg (',' arg)* ','?
 *   arg     := NAME '=' value | value
 *   value   := term ('+' term)*                     (str+str, bytes+bytes)
 *   term    := unary ('*' unary)*                   (str/bytes repeated by an int)
 *   unary   := ('-' | '+') unary | atom
 *   atom    := INT | STR+ | BYTES+ | None | True | False
 *            | NAME '(' args? ')' | '[' items ']' | '(' items ')'
 * Invariant: never throws; depth and repetition are bounded so garbage or
 * hostile input yields an error, not a stack overflow or a huge allocation.
 * Leaves out on purpose: variables, attribute access, arithmetic on numbers,
 * dicts, keyword unpacking — a scenario's packet is data, not a program.
 * Spec: Python 3 expression grammar (docs.python.org/3/reference/expressions.html).
 */
import { clipToken, tokenize, type LexError, type Token } from './builder-lexer.ts';

/** A literal value; structurally the same as the encoder's `FieldValue`. */
export type ParsedValue =
  | number
  | string
  | Uint8Array
  | null
  | readonly ParsedValue[]
  | { readonly call: string; readonly args: Readonly<Record<string, ParsedValue>> };

export interface ParsedArg {
  /** Keyword, or undefined for a positional argument. */
  readonly key: string | undefined;
  /** 0-based offset of the keyword (or of the value when positional). */
  readonly offset: number;
  readonly value: ParsedValue;
}

export interface ParsedLayer {
  readonly name: string;
  /** 0-based offset of the layer name (or of the literal for a bare payload). */
  readonly offset: number;
  readonly args: readonly ParsedArg[];
  /** True when the layer was written as a bare str/bytes payload (`.../"data"`). */
  readonly isBarePayload: boolean;
}

export type ParseResult =
  | { readonly ok: true; readonly layers: readonly ParsedLayer[] }
  | { readonly ok: false; readonly error: LexError };

/** Deepest nesting of lists, tuples and calls accepted. */
export const MAX_NESTING_DEPTH = 64;
/** Largest str/bytes value a repetition or concatenation may produce. */
export const MAX_VALUE_LENGTH = 1 << 20;

class Failure {
  constructor(readonly error: LexError) {}
}

/** Parses `text` into layer calls; see the grammar in the file comment. */
export function parseLayers(text: string): ParseResult {
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const result = new Parser(lexed.tokens).packet();
  return result instanceof Failure ? { ok: false, error: result.error } : { ok: true, layers: result };
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'end of input' : `token '${clipToken(token.text)}'`;
}

function failAt(token: Token, reason: string): Failure {
  return new Failure({ offset: token.offset, token: clipToken(token.text), reason });
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1] ?? { kind: 'end', offset: 0, text: '' };
  }

  private take(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private unexpected(expected?: string): Failure {
    const t = this.peek();
    const what = `unexpected ${describe(t)}`;
    return failAt(t, expected === undefined ? what : `${what} (expected ${expected})`);
  }

  private expect(text: string): Failure | undefined {
    if (this.isPunct(text)) {
      this.pos++;
      return undefined;
    }
    return this.unexpected(`'${text}'`);
  }

  packet(): ParsedLayer[] | Failure {
    const layers: ParsedLayer[] = [];
    for (;;) {
      const layer = this.layer();
      if (layer instanceof Failure) return layer;
      layers.push(layer);
      if (!this.isPunct('/')) break;
      this.pos++;
    }
    if (this.peek().kind !== 'end') return this.unexpected(layers.length > 0 ? "'/' or end of input" : undefined);
    return layers;
  }

  private layer(): ParsedLayer | Failure {
    const t = this.peek();
    if (t.kind === 'name' && !isConstantName(t.text)) {
      this.pos++;
      if (!this.isPunct('(')) return this.unexpected(`'(' after layer name '${t.text}'`);
      const args = this.callArgs();
      if (args instanceof Failure) return args;
      return { name: t.text, offset: t.offset, args, isBarePayload: false };
    }
    if (t.kind === 'str' || t.kind === 'bytes') {
      const value = this.value();
      if (value instanceof Failure) return value;
      return { name: 'Raw', offset: t.offset, args: [{ key: undefined, offset: t.offset, value }], isBarePayload: true };
    }
    return this.unexpected('a layer such as Ether(...)');
  }

  /** Parses `( args? )`, the opening parenthesis being the current token. */
  private callArgs(): ParsedArg[] | Failure {
    const open = this.take();
    if (++this.depth > MAX_NESTING_DEPTH) return failAt(open, `nesting deeper than ${MAX_NESTING_DEPTH}`);
    const args: ParsedArg[] = [];
    while (!this.isPunct(')')) {
      const arg = this.arg(args);
      if (arg instanceof Failure) return arg;
      args.push(arg);
      if (!this.isPunct(',')) break;
      this.pos++;
    }
    const closed = this.expect(')');
    if (closed !== undefined) return closed;
    this.depth--;
    return args;
  }

  private arg(previous: readonly ParsedArg[]): ParsedArg | Failure {
    const t = this.peek();
    const next = this.tokens[this.pos + 1];
    if (t.kind === 'name' && next?.kind === 'punct' && next.text === '=') {
      if (isConstantName(t.text)) return failAt(t, `'${t.text}' cannot be used as a keyword`);
      if (previous.some((a) => a.key === t.text)) return failAt(t, `keyword argument '${t.text}' repeated`);
      this.pos += 2;
      const value = this.value();
      if (value instanceof Failure) return value;
      return { key: t.text, offset: t.offset, value };
    }
    if (previous.some((a) => a.key !== undefined)) {
      return failAt(t, 'positional argument follows keyword argument');
    }
    const value = this.value();
    if (value instanceof Failure) return value;
    return { key: undefined, offset: t.offset, value };
  }

  private value(): ParsedValue | Failure {
    let acc = this.term();
    while (!(acc instanceof Failure) && this.isPunct('+')) {
      const op = this.take();
      const right = this.term();
      if (right instanceof Failure) return right;
      acc = concat(acc, right, op);
    }
    return acc;
  }

  private term(): ParsedValue | Failure {
    let acc = this.unary();
    while (!(acc instanceof Failure) && this.isPunct('*')) {
      const op = this.take();
      const right = this.unary();
      if (right instanceof Failure) return right;
      acc = repeat(acc, right, op);
    }
    return acc;
  }

  private unary(): ParsedValue | Failure {
    if (this.isPunct('-') || this.isPunct('+')) {
      const op = this.take();
      if (++this.depth > MAX_NESTING_DEPTH) return failAt(op, `nesting deeper than ${MAX_NESTING_DEPTH}`);
      const operand = this.unary();
      this.depth--;
      if (operand instanceof Failure) return operand;
      if (typeof operand !== 'number') return failAt(op, `unary '${op.text}' applies to integers only`);
      return op.text === '-' ? (operand === 0 ? 0 : -operand) : operand;
    }
    return this.atom();
  }

  private atom(): ParsedValue | Failure {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
        this.pos++;
        return t.value;
      case 'str':
      case 'bytes':
        return this.adjacentLiterals();
      case 'name':
        return this.nameAtom(t);
      case 'punct':
        if (t.text === '[') return this.sequence(']');
        if (t.text === '(') return this.sequence(')');
        return this.unexpected('a value');
      case 'end':
        return this.unexpected('a value');
    }
  }

  private nameAtom(t: Token): ParsedValue | Failure {
    this.pos++;
    if (t.text === 'None') return null;
    if (t.text === 'True') return 1;
    if (t.text === 'False') return 0;
    if (!this.isPunct('(')) {
      return failAt(t, `'${t.text}' is not a literal (names are allowed only as calls, e.g. ${t.text}(...))`);
    }
    const args = this.callArgs();
    if (args instanceof Failure) return args;
    const record: Record<string, ParsedValue> = {};
    for (const arg of args) {
      if (arg.key === undefined) {
        const reason = `positional arguments to ${t.text}() are not supported; use name=value`;
        return new Failure({ offset: arg.offset, token: clipToken(t.text), reason });
      }
      Object.defineProperty(record, arg.key, { value: arg.value, enumerable: true, writable: true, configurable: true });
    }
    return { call: t.text, args: record };
  }

  /** Python joins adjacent literals: `"ab" "cd"` is `"abcd"`; str and bytes do not mix. */
  private adjacentLiterals(): ParsedValue | Failure {
    const first = this.take();
    if (first.kind !== 'str' && first.kind !== 'bytes') return failAt(first, 'expected a string');
    let str = first.kind === 'str' ? first.value : '';
    const parts: Uint8Array[] = first.kind === 'bytes' ? [first.value] : [];
    for (let t = this.peek(); t.kind === 'str' || t.kind === 'bytes'; t = this.peek()) {
      if (t.kind !== first.kind) return failAt(t, 'cannot mix bytes and str literals');
      this.pos++;
      if (t.kind === 'str') str += t.value;
      else parts.push(t.value);
    }
    return first.kind === 'str' ? str : joinBytes(parts);
  }

  /** `[a, b]` or `(a, b)`; `(a)` is just `a`, `(a,)` and `()` are tuples. */
  private sequence(close: ']' | ')'): ParsedValue | Failure {
    const open = this.take();
    if (++this.depth > MAX_NESTING_DEPTH) return failAt(open, `nesting deeper than ${MAX_NESTING_DEPTH}`);
    const items: ParsedValue[] = [];
    let sawComma = false;
    while (!this.isPunct(close)) {
      const item = this.value();
      if (item instanceof Failure) return item;
      items.push(item);
      if (!this.isPunct(',')) break;
      sawComma = true;
      this.pos++;
    }
    const closed = this.expect(close);
    if (closed !== undefined) return closed;
    this.depth--;
    if (close === ')' && items.length === 1 && !sawComma) return items[0] ?? null;
    return items;
  }
}

function isConstantName(name: string): boolean {
  return name === 'None' || name === 'True' || name === 'False';
}

function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function kindOf(v: ParsedValue): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  return 'call';
}

function concat(a: ParsedValue, b: ParsedValue, op: Token): ParsedValue | Failure {
  if (typeof a === 'string' && typeof b === 'string') {
    return a.length + b.length > MAX_VALUE_LENGTH ? tooLong(op) : a + b;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length + b.length > MAX_VALUE_LENGTH ? tooLong(op) : joinBytes([a, b]);
  }
  return failAt(op, `'+' joins two str or two bytes values, not ${kindOf(a)} and ${kindOf(b)}`);
}

function repeat(a: ParsedValue, b: ParsedValue, op: Token): ParsedValue | Failure {
  const [seq, count] = typeof a === 'number' ? [b, a] : [a, b];
  if (typeof count !== 'number' || (typeof seq !== 'string' && !(seq instanceof Uint8Array))) {
    return failAt(op, `'*' repeats a str or bytes value by an integer, not ${kindOf(a)} by ${kindOf(b)}`);
  }
  const times = Math.max(0, count);
  if (seq.length * times > MAX_VALUE_LENGTH) return tooLong(op);
  if (typeof seq === 'string') return seq.repeat(times);
  const out = new Uint8Array(seq.length * times);
  for (let i = 0; i < times; i++) out.set(seq, i * seq.length);
  return out;
}

function tooLong(op: Token): Failure {
  return failAt(op, `value longer than ${MAX_VALUE_LENGTH} would result`);
}
