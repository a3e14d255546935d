/** Tests for the scapy-syntax parser: grammar, values, nesting and error positions. */
import t from 'tap';
import { MAX_NESTING_DEPTH, MAX_VALUE_LENGTH, parseLayers, type ParsedLayer, type ParsedValue } from './builder-parser.ts';

function layers(text: string): readonly ParsedLayer[] {
  const r = parseLayers(text);
  if (!r.ok) throw new Error(`unexpected parse error for ${JSON.stringify(text)}: ${r.error.reason}`);
  return r.layers;
}

/** The value of the single keyword argument `v` of `X(v=...)`. */
function value(literal: string): ParsedValue | undefined {
  return layers(`X(v=${literal})`)[0]?.args[0]?.value;
}

function error(text: string): { offset: number; token: string; reason: string } {
  const r = parseLayers(text);
  if (r.ok) throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
  return r.error;
}

t.test('layers, keyword and positional arguments', async (t) => {
  t.same(layers('Ether()/IP(ttl=5, src="1.2.3.4",)/Raw(b"x")'), [
    { name: 'Ether', offset: 0, args: [], isBarePayload: false },
    { name: 'IP', offset: 8, args: [{ key: 'ttl', offset: 11, value: 5 }, { key: 'src', offset: 18, value: '1.2.3.4' }], isBarePayload: false },
    { name: 'Raw', offset: 34, args: [{ key: undefined, offset: 38, value: Uint8Array.of(0x78) }], isBarePayload: false },
  ]);
  t.same(layers('Ether()/"abc" "def"')[1], { name: 'Raw', offset: 8, args: [{ key: undefined, offset: 8, value: 'abcdef' }], isBarePayload: true });
  t.same(layers('\n  A ( )\n/\tB()\n'), [
    { name: 'A', offset: 3, args: [], isBarePayload: false },
    { name: 'B', offset: 11, args: [], isBarePayload: false },
  ]);
});

t.test('every literal form', async (t) => {
  t.equal(value('0x10'), 16);
  t.equal(value('-5'), -5);
  t.equal(value('--5'), 5);
  t.equal(value('+7'), 7);
  t.equal(value('-0'), 0);
  t.ok(Object.is(value('-0'), 0), '-0 is plain 0');
  t.equal(value('"s"'), 's');
  t.same(value("b'\\x01'"), Uint8Array.of(1));
  t.equal(value('None'), null);
  t.equal(value('True'), 1);
  t.equal(value('False'), 0);
  t.same(value('[]'), []);
  t.same(value('()'), []);
  t.same(value('(1)'), 1, 'parentheses alone group');
  t.same(value('(1,)'), [1], 'a trailing comma makes a tuple');
  t.same(value('[1, "a", None, b""]'), [1, 'a', null, new Uint8Array()]);
  t.same(value('[("MSS", 1460), ("NOP", None), ["WScale", 7],]'), [['MSS', 1460], ['NOP', null], ['WScale', 7]]);
  t.same(value('"ab" * 3'), 'ababab');
  t.same(value('2 * b"\\x00"'), Uint8Array.of(0, 0));
  t.same(value('b"a" + b"b" * 2 + b"c"'), Uint8Array.of(0x61, 0x62, 0x62, 0x63), '* binds tighter than +');
  t.same(value('"x" * -3'), '', 'negative repetition is empty, as in Python');
  t.same(value('"a" "b" + "c"'), 'abc');
});

t.test('nested calls become { call, args }', async (t) => {
  t.same(value('IPOption_RR()'), { call: 'IPOption_RR', args: {} });
  t.same(value('[PadN(optdata=b"\\x00\\x00"), RouterAlert(), Pad1()]'), [
    { call: 'PadN', args: { optdata: Uint8Array.of(0, 0) } },
    { call: 'RouterAlert', args: {} },
    { call: 'Pad1', args: {} },
  ]);
  t.same(value('Outer(inner=Inner(x=[1, (2, 3)]))'), { call: 'Outer', args: { inner: { call: 'Inner', args: { x: [1, [2, 3]] } } } });
  const proto = value('C(__proto__=[1])');
  t.same(Object.keys(proto as object), ['call', 'args']);
  t.ok(Object.hasOwn((proto as { args: object }).args, '__proto__'), '__proto__ is an own key, not a prototype');
  t.match(error('X(v=C(1))'), { offset: 6, token: 'C', reason: /positional arguments to C\(\)/ });
});

t.test('errors name the offending token and its offset', async (t) => {
  t.match(error('Ether(src="a", dst="b"))'), { offset: 23, token: ')', reason: "unexpected token ')' (expected '/' or end of input)" });
  t.match(error('Ether(src="a" dst="b")'), { offset: 14, token: 'dst', reason: /unexpected token 'dst' \(expected '\)'\)/ });
  t.match(error('Ether'), { offset: 5, token: '', reason: /unexpected end of input \(expected '\(' after layer name 'Ether'\)/ });
  t.match(error(''), { offset: 0, token: '', reason: /unexpected end of input \(expected a layer/ });
  t.match(error('   '), { offset: 3 });
  t.match(error('Ether()/'), { offset: 8, reason: /end of input/ });
  t.match(error('Ether()//IP()'), { offset: 8, token: '/' });
  t.match(error('/IP()'), { offset: 0, token: '/' });
  t.match(error('IP(ttl=)'), { offset: 7, token: ')', reason: /expected a value/ });
  t.match(error('IP(ttl=5, ttl=6)'), { offset: 10, token: 'ttl', reason: "keyword argument 'ttl' repeated" });
  t.match(error('IP(ttl=5, 6)'), { offset: 10, reason: /positional argument follows keyword/ });
  t.match(error('IP(ttl=x)'), { offset: 7, token: 'x', reason: /not a literal/ });
  t.match(error('IP(ttl=[1, 2)'), { offset: 12, token: ')', reason: /expected '\]'/ });
  t.match(error('IP(ttl=-"a")'), { offset: 7, token: '-', reason: /integers only/ });
  t.match(error('IP(ttl="a" + 1)'), { offset: 11, token: '+', reason: /str and int/ });
  t.match(error('IP(ttl="a" + b"b")'), { offset: 11, reason: /str and bytes/ });
  t.match(error('IP(ttl=[1] * 2)'), { offset: 11, token: '*', reason: /list by int/ });
  t.match(error('IP(ttl="a" b"b")'), { offset: 11, reason: /mix bytes and str/ });
  t.match(error('None()'), { offset: 0, token: 'None', reason: /expected a layer/ });
  t.match(error('IP(None=1)'), { offset: 3, token: 'None', reason: /cannot be used as a keyword/ });
  t.match(error('IP(ttl=5)x'), { offset: 9, token: 'x' });
  t.match(error('IP(ttl=5)=3'), { offset: 9, token: '=' });
  t.match(error('IP(ttl=1.5)'), { offset: 7, token: '1.5', reason: /float/ });
});

t.test('nesting and value size are bounded', async (t) => {
  const deep = `X(v=${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)})`;
  t.match(error(deep), { reason: /nesting deeper/ });
  const ok = `X(v=${'['.repeat(MAX_NESTING_DEPTH - 2)}${']'.repeat(MAX_NESTING_DEPTH - 2)})`;
  t.ok(parseLayers(ok).ok, 'nesting just under the limit parses');
  t.match(error(`X(v=${'-'.repeat(100_000)}1)`), { reason: /nesting deeper/ });
  t.match(error(`X(v=${'('.repeat(100_000)}`), { reason: /nesting deeper/ });
  t.match(error(`X(v=b"ab" * ${MAX_VALUE_LENGTH})`), { token: '*', reason: /longer than/ });
  t.match(error(`X(v="${'a'.repeat(1000)}" * 2000 + "b")`), { reason: /longer than/ });
  t.equal((value(`b"a" * ${MAX_VALUE_LENGTH}`) as Uint8Array).length, MAX_VALUE_LENGTH);
});
