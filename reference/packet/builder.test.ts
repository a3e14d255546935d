/**
 * Tests for parsePacketExpression/buildPacket: layer and field naming errors
 * with their columns, Raw's positional load, the literal forms as the encoder
 * receives them, and a mutation fuzz over the scapy corpus (never throws,
 * errors always point inside the text).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BUILDER_LAYER_NAMES,
  BuilderError,
  buildPacket,
  defaultLayerCatalog,
  parsePacketExpression,
  type BuilderSyntaxError,
  type LayerCatalog,
} from './builder.ts';
import type { LayerName, LayerSpec } from './layer-model.ts';

function parsed(text: string, catalog?: LayerCatalog): LayerSpec[] {
  const r = parsePacketExpression(text, catalog);
  if (!r.ok) throw new Error(`unexpected error for ${JSON.stringify(text)}: ${r.error.message}`);
  return r.layers;
}

function failure(text: string, catalog?: LayerCatalog): BuilderSyntaxError {
  const r = parsePacketExpression(text, catalog);
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(text)}`);
  return r.error;
}

/** A fixed catalog so the field lists in messages do not depend on the encoder. */
const STUB_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Ether: ['dst', 'src', 'type'],
  Dot1Q: ['prio', 'id', 'vlan', 'type'],
  Raw: ['load'],
};
const stubCatalog: LayerCatalog = {
  layerNames: ['Ether', 'Dot1Q', 'Raw'],
  isLayer: (name: string): name is LayerName => Object.hasOwn(STUB_FIELDS, name),
  fieldNames: (layer: LayerName) => STUB_FIELDS[layer] ?? [],
};

t.test('the brief example parses into layer specs', async (t) => {
  const text = 'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=10)/IP(src="10.0.0.1", dst="10.0.0.2", ttl=5)/TCP(sport=1234, dport=80, flags="S")/Raw(load="hi")';
  t.same(parsed(text), [
    { name: 'Ether', fields: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } },
    { name: 'Dot1Q', fields: { vlan: 10 } },
    { name: 'IP', fields: { src: '10.0.0.1', dst: '10.0.0.2', ttl: 5 } },
    { name: 'TCP', fields: { sport: 1234, dport: 80, flags: 'S' } },
    { name: 'Raw', fields: { load: 'hi' } },
  ]);
});

t.test('literal forms reach the encoder as FieldValues', async (t) => {
  const [ip, tcp] = parsed('IP(id=0x10, ttl=0o7, tos=0b11, frag=-0, src=None, len=True, chksum=False)/TCP(options=[("MSS", 1460), ("NOP", None)])');
  t.same(ip?.fields, { id: 16, ttl: 7, tos: 3, frag: 0, src: null, len: 1, chksum: 0 });
  t.same(tcp?.fields, { options: [['MSS', 1460], ['NOP', null]] });
  const [v6, hbh] = parsed('IPv6()/IPv6ExtHdrHopByHop(options=[RouterAlert(), PadN(optdata=b"\\x00\\x01")])');
  t.same(v6?.fields, {});
  t.same(hbh?.fields, { options: [{ call: 'RouterAlert', args: {} }, { call: 'PadN', args: { optdata: Uint8Array.of(0, 1) } }] });
});

t.test('Raw and Padding take their load positionally; bare literals are Raw', async (t) => {
  t.same(parsed('Raw(b"\\x00ab")'), [{ name: 'Raw', fields: { load: Uint8Array.of(0, 0x61, 0x62) } }]);
  t.same(parsed('Raw("text")'), [{ name: 'Raw', fields: { load: 'text' } }]);
  t.same(parsed('Padding(b"\\x00" * 3)'), [{ name: 'Padding', fields: { load: Uint8Array.of(0, 0, 0) } }]);
  t.same(parsed('Ether()/"payload"'), [{ name: 'Ether', fields: {} }, { name: 'Raw', fields: { load: 'payload' } }]);
  t.match(failure('Raw(b"a", load=b"b")'), { column: 11, token: 'load', reason: /given twice/ });
  t.match(failure('Raw(b"a", b"b")'), { column: 11, reason: /positional argument to Raw/ });
  t.match(failure('Ether(b"\\x00\\x01")'), { column: 7, reason: /positional argument to Ether is not supported.*dissect/ });
});

t.test('unknown layers and fields name the column and suggest', async (t) => {
  t.match(failure('Etherr()', stubCatalog), { message: "column 1: unknown layer 'Etherr' (did you mean Ether?)", column: 1, token: 'Etherr' });
  t.match(failure('Ether()/ether()', stubCatalog), { message: "column 9: unknown layer 'ether' (did you mean Ether?)" });
  t.match(failure('Ether()/Zebra()', stubCatalog), { message: "column 9: unknown layer 'Zebra' (known layers: Ether, Dot1Q, Raw)" });
  t.match(failure('Ether()/Dot1Q(vlam=3)', stubCatalog), {
    message: "column 15: unknown field 'vlam' of Dot1Q (fields: prio, id, vlan, type)",
    column: 15,
    token: 'vlam',
  });
  t.match(failure('Ether()/Dot1Q(vlam=3)'), { column: 15, token: 'vlam', reason: /^unknown field 'vlam' of Dot1Q \(fields: .*vlan/ });
  t.match(failure('Etherr()'), { message: /^column 1: unknown layer 'Etherr' \(did you mean Ether\?\)$/ });
  t.match(failure('IPV6()'), { reason: /did you mean IPv6\?/ });
  t.match(failure('ICMPv6ND_N()'), { reason: /did you mean ICMPv6ND_N[SA]\?/ });
});

t.test('syntax errors carry 1-based column and token', async (t) => {
  t.match(failure('Ether(src="a", dst="b"))'), { message: "column 24: unexpected token ')' (expected '/' or end of input)", column: 24, token: ')' });
  t.match(failure('Ether(src="a",, dst="b")'), { column: 15, token: ',' });
  t.match(failure('IP(ttl=5;)'), { message: "column 9: unexpected character", token: ';' });
  t.match(failure('IP('), { message: /^column 4: unexpected end of input/, column: 4, offset: 3, token: '' });
  t.match(failure(''), { column: 1, offset: 0 });
  t.match(failure('Ether()/\n  IP(ttl=)'), { message: /^line 2, column 10: unexpected token '\)'/, line: 2, column: 10 });
  t.match(failure('IP(src="10.0.0.1)'), { column: 8, reason: /unterminated/ });
});

t.test('buildPacket throws BuilderError carrying the same message', async (t) => {
  t.throws(() => buildPacket('Ether(src="a",, dst="b")'), { name: 'BuilderError', message: failure('Ether(src="a",, dst="b")').message });
  try {
    buildPacket('IP(ttl="not a number")');
    t.fail('a bad value must throw');
  } catch (err) {
    t.type(err, BuilderError);
    t.match((err as Error).message, /^cannot build "IP\(ttl=\\"not a number\\"\)": /);
  }
  const bytes = buildPacket('Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01", type=0x88b5)/Raw(b"\\x01")');
  t.equal(Buffer.from(bytes).toString('hex'), '020000000002020000000001' + '88b5' + '01');
});

t.test('the catalog lists every encoder layer with its fields', async (t) => {
  t.equal(BUILDER_LAYER_NAMES.length, 26);
  for (const name of BUILDER_LAYER_NAMES) {
    t.ok(defaultLayerCatalog.fieldNames(name).length > 0 || name === 'Padding', `${name} has fields`);
  }
  t.same(defaultLayerCatalog.fieldNames('Dot1Q'), ['prio', 'id', 'vlan', 'type']);
  t.match(failure('Ether()/Dot1Q()/TPC()'), { reason: /did you mean TCP\?/ });
  t.match(failure('ICMPv6EchoReq()'), { reason: /did you mean ICMPv6EchoRequest\?/ });
  t.match(failure('Q()'), { reason: /known layers: Ether, Dot3,/ });
});

/** Deterministic PRNG (mulberry32) so a failing mutation is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '()[]/,=*+-"\'\\ bxB0123456789_.;\nIPEtherRaw\u00e9\u{1F600}';

function mutate(line: string, random: () => number): string {
  let s = line;
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (s.length + 1));
    const op = Math.floor(random() * 4);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1);
    else if (op === 1) s = s.slice(0, at) + (ALPHABET[Math.floor(random() * ALPHABET.length)] ?? '') + s.slice(at);
    else if (op === 2) s = s.slice(0, at) + s.slice(at, at + 1 + Math.floor(random() * 8)).repeat(2) + s.slice(at + 1 + Math.floor(random() * 8));
    else s = s.slice(0, at);
  }
  return s;
}

t.test('mutation fuzz: never throws, errors point inside the text', async (t) => {
  const corpusPath = fileURLToPath(new URL('./scapy/corpus.txt', import.meta.url));
  const corpus = readFileSync(corpusPath, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const random = rng(20240611);
  const runs = 20_000;
  let errors = 0;
  let bad = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const text = mutate(corpus[i % corpus.length] ?? '', random);
    let r;
    try {
      r = parsePacketExpression(text);
    } catch (err) {
      bad++;
      if (bad <= 5) t.fail(`threw on ${JSON.stringify(text)}: ${String(err)}`);
      continue;
    }
    if (r.ok) continue;
    errors++;
    const { offset, column, line, message } = r.error;
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const inside = offset >= 0 && offset <= text.length && column === offset - lineStart + 1 && line >= 1 && /^(line \d+, )?column \d+: /.test(message);
    if (!inside) {
      bad++;
      if (bad <= 5) t.fail(`error outside the text for ${JSON.stringify(text)}`, { error: r.error });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  t.equal(bad, 0, 'no throws, every error inside its text');
  t.ok(errors > runs / 4 && errors < runs, `${errors} of ${runs} mutants rejected`);
  t.comment(`parser fuzz: ${Math.round(runs / seconds)} lines/s`);
});
