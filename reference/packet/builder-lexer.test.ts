/** Tests for the scapy-syntax tokenizer: Python literal forms and lexical errors. */
import t from 'tap';
import { tokenize, type Token } from './builder-lexer.ts';

function only(text: string): Token {
  const r = tokenize(text);
  if (!r.ok) throw new Error(`unexpected lex error for ${JSON.stringify(text)}: ${r.error.reason}`);
  const [first, end] = r.tokens;
  if (first === undefined || end?.kind !== 'end') throw new Error(`expected exactly one token in ${JSON.stringify(text)}`);
  return first;
}

function valueOf(text: string): unknown {
  const tok = only(text);
  return 'value' in tok ? tok.value : undefined;
}

function errorOf(text: string): { offset: number; token: string; reason: string } {
  const r = tokenize(text);
  if (r.ok) throw new Error(`expected a lex error for ${JSON.stringify(text)}`);
  return r.error;
}

t.test('integer literals in every base', async (t) => {
  t.equal(valueOf('0'), 0);
  t.equal(valueOf('00'), 0);
  t.equal(valueOf('42'), 42);
  t.equal(valueOf('1_000'), 1000);
  t.equal(valueOf('0x1F'), 31);
  t.equal(valueOf('0X_ff'), 255);
  t.equal(valueOf('0o17'), 15);
  t.equal(valueOf('0O7_7'), 63);
  t.equal(valueOf('0b101'), 5);
  t.equal(valueOf('0B1_1'), 3);
  t.equal(valueOf('0xffffffff'), 0xffffffff);
  t.equal(valueOf('9007199254740991'), Number.MAX_SAFE_INTEGER);
});

t.test('bad integer literals name the literal', async (t) => {
  t.match(errorOf('017'), { offset: 0, token: '017', reason: /leading zeros/ });
  t.match(errorOf('x=0x'), { offset: 2, token: '0x', reason: /base-16/ });
  t.match(errorOf('0b102'), { token: '0b102', reason: /base-2/ });
  t.match(errorOf('0o8'), { reason: /base-8/ });
  t.match(errorOf('1__0'), { reason: /invalid integer/ });
  t.match(errorOf('10_'), { reason: /invalid integer/ });
  t.match(errorOf('12ab'), { token: '12ab', reason: /invalid integer/ });
  t.match(errorOf('1.5'), { token: '1.5', reason: /float/ });
  t.match(errorOf('1e3'), { reason: /float/ });
  t.match(errorOf(' .5'), { offset: 1, reason: /float/ });
  t.match(errorOf('99999999999999999999'), { reason: /too large/ });
});

t.test('str literals decode Python escapes', async (t) => {
  t.equal(valueOf('"abc"'), 'abc');
  t.equal(valueOf("'a\"b'"), 'a"b');
  t.equal(valueOf('"a\\"b"'), 'a"b');
  t.equal(valueOf('"\\t\\n\\r\\\\\\a\\b\\f\\v\\0"'), '\t\n\r\\\x07\b\f\v\0');
  t.equal(valueOf('"\\x41\\101\\u00e9\\U0001F600"'), 'AAé\u{1F600}');
  t.equal(valueOf('"\\q"'), '\\q', 'unknown escapes stay as written');
  t.equal(valueOf('"a\\\nb"'), 'ab', 'backslash-newline continues the line');
  t.equal(valueOf('u"x"'), 'x');
  t.equal(valueOf('r"\\x41\\""'), '\\x41\\"');
  t.equal(valueOf('"""a\n"b"\n"""'), 'a\n"b"\n');
  t.equal(valueOf("'''x'''"), 'x');
  t.equal(valueOf('"é"'), 'é');
});

t.test('bytes literals', async (t) => {
  t.same(valueOf('b""'), new Uint8Array());
  t.same(valueOf('b"\\x00\\xffab"'), Uint8Array.of(0, 0xff, 0x61, 0x62));
  t.same(valueOf("B'\\377\\0\\12'"), Uint8Array.of(0xff, 0, 10));
  t.same(valueOf('rb"\\x00"'), Uint8Array.of(0x5c, 0x78, 0x30, 0x30));
  t.same(valueOf('Br"\\n"'), Uint8Array.of(0x5c, 0x6e));
  t.same(valueOf('b"\\u0041"'), Uint8Array.from([...'\\u0041'].map((c) => c.charCodeAt(0))), '\\u is not an escape in bytes');
  t.same(valueOf("b'''a'b'''"), Uint8Array.of(0x61, 0x27, 0x62));
});

t.test('bad string literals', async (t) => {
  t.match(errorOf('"abc'), { offset: 0, reason: /unterminated/ });
  t.match(errorOf('"ab\ncd"'), { offset: 0, reason: /unterminated/ });
  t.match(errorOf('"\\x4"'), { offset: 1, token: '\\x4"', reason: /\\x escape/ });
  t.match(errorOf('"\\u12"'), { reason: /\\u escape/ });
  t.match(errorOf('"\\U00110000"'), { reason: /Unicode range/ });
  t.match(errorOf('"\\N{DASH}"'), { reason: /\\N/ });
  t.match(errorOf('b"\\400"'), { reason: /octal escape out of range/ });
  t.match(errorOf('b"é"'), { offset: 2, token: 'é', reason: /ASCII/ });
  t.match(errorOf('f"x"'), { offset: 0, reason: /prefix 'f'/ });
  t.match(errorOf('ub"x"'), { reason: /prefix 'ub'/ });
  t.match(errorOf('"abc\\'), { reason: /unterminated/ });
});

t.test('names, punctuation and offsets', async (t) => {
  const r = tokenize(' Ether(dst="x")/ IP ( ttl = -5 ) ');
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(
    r.tokens.map((tok) => [tok.kind, tok.text, tok.offset]),
    [
      ['name', 'Ether', 1], ['punct', '(', 6], ['name', 'dst', 7], ['punct', '=', 10], ['str', '"x"', 11],
      ['punct', ')', 14], ['punct', '/', 15], ['name', 'IP', 17], ['punct', '(', 20], ['name', 'ttl', 22],
      ['punct', '=', 26], ['punct', '-', 28], ['int', '5', 29], ['punct', ')', 31], ['end', '', 33],
    ],
  );
  t.match(only('b'), { kind: 'name', text: 'b' }, 'a lone prefix letter is a name');
  t.match(only('Raw'), { kind: 'name' });
  t.match(errorOf('IP(ttl=5;)'), { offset: 8, token: ';', reason: 'unexpected character' });
  t.match(errorOf('a.b'), { offset: 1, token: '.' });
  t.match(errorOf('\u{1F600}'), { offset: 0, token: '\u{1F600}' });
  t.match(errorOf('{'), { token: '{' });
});

t.test('a huge string does not overflow the stack', async (t) => {
  const big = `"${'a'.repeat(300_000)}"`;
  t.equal((valueOf(big) as string).length, 300_000);
  const clipped = errorOf(`"${'a'.repeat(100)}`);
  t.ok(clipped.token.length <= 20, 'the token shown in an error is clipped');
});
