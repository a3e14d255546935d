/**
 * JsonStreamSplitter: values split at any byte, several values per chunk,
 * strings holding brackets and escaped quotes, multi-byte UTF-8 cut in the
 * middle, the size bound and bad starts.
 */
import t from 'tap';
import { JsonStreamSplitter } from './json-stream.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function splitAll(chunks: readonly string[], max = 1 << 20): string[] {
  const sp = new JsonStreamSplitter(max);
  const out: string[] = [];
  for (const c of chunks) {
    const r = sp.push(enc(c));
    if (!r.ok) throw new Error(r.reason);
    out.push(...r.values);
  }
  return out;
}

t.test('values split at every position come out whole', async (t) => {
  const text = '{"method":"x","params":["a}]\\"[{","é€😀"],"id":1} \n[1,[2,{"k":"}"}]]';
  const bytes = enc(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const sp = new JsonStreamSplitter(1 << 20);
    const a = sp.push(bytes.subarray(0, cut));
    const b = sp.push(bytes.subarray(cut));
    t.ok(a.ok && b.ok);
    if (a.ok && b.ok) {
      const values = [...a.values, ...b.values];
      t.equal(values.length, 2, `cut at ${cut}`);
      t.same(JSON.parse(values[0] ?? ''), { method: 'x', params: ['a}]"[{', 'é€😀'], id: 1 });
      t.same(JSON.parse(values[1] ?? ''), [1, [2, { k: '}' }]]);
    }
    t.ok(sp.isIdle);
  }
});

t.test('several values in one chunk, whitespace between', async (t) => {
  t.same(splitAll(['{"a":1}{"b":2}  \r\n\t{"c":3}']), ['{"a":1}', '{"b":2}', '{"c":3}']);
  t.same(splitAll(['{"a":', '1}', '   ']), ['{"a":1}']);
});

t.test('a value that is not an object or array breaks the stream for good', async (t) => {
  const sp = new JsonStreamSplitter(100);
  const r = sp.push(enc('"hello"'));
  t.notOk(r.ok);
  if (!r.ok) t.match(r.reason, /unexpected "\\"" at the start/);
  t.notOk(sp.push(enc('{}')).ok, 'stays failed');
  t.notOk(sp.isIdle);
});

t.test('unfinished values are bounded', async (t) => {
  const sp = new JsonStreamSplitter(1024);
  t.ok(sp.push(enc('{"a":"' + 'x'.repeat(1000))).ok);
  const r = sp.push(enc('x'.repeat(100)));
  t.notOk(r.ok);
  if (!r.ok) t.match(r.reason, /longer than 1024 bytes/);
  const one = new JsonStreamSplitter(16);
  const big = one.push(enc('{"a":"0123456789abcdef"}'));
  t.notOk(big.ok, 'a complete value over the bound in one chunk is refused too');
});

t.test('nesting deeper than maxDepth breaks the stream', async (t) => {
  const ok = new JsonStreamSplitter(1 << 20, 3);
  const r1 = ok.push(enc('[[[1]]]'));
  t.ok(r1.ok && r1.values.length === 1);
  const r2 = ok.push(enc('[[[['));
  t.notOk(r2.ok);
  if (!r2.ok) t.match(r2.reason, /maximum nesting depth 3/);
});

t.test('a long value arriving in many chunks comes out whole (held as pieces, not re-scanned)', async (t) => {
  const text = JSON.stringify({ method: 'echo', params: ['é'.repeat(300_000), { a: [1, 2, '}]'] }], id: 7 });
  const bytes = enc(`${text} ${text}`);
  const sp = new JsonStreamSplitter(1 << 20);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 4093) {
    const r = sp.push(bytes.subarray(i, i + 4093));
    t.ok(r.ok, 'within the bound');
    if (r.ok) out.push(...r.values);
  }
  t.same(out, [text, text]);
  t.ok(sp.isIdle);
  const small = new JsonStreamSplitter(500_000);
  let failed: string | undefined;
  for (let i = 0; i < bytes.length && failed === undefined; i += 4093) {
    const r = small.push(bytes.subarray(i, i + 4093));
    if (!r.ok) failed = r.reason;
  }
  t.match(failed, /longer than 500000 bytes/, 'the bound counts the bytes of all pieces');
});
