/**
 * Cross-check: every expression of scapy/corpus.txt is built by our builder
 * and encoder and by scapy 2.5 itself (scapy/build.py, run by Debian's
 * /usr/bin/python3, or $REFSWITCH_SCAPY_PYTHON), and the bytes must be
 * identical. Skipped, visibly, when scapy is not installed.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILDER_LAYER_NAMES, buildPacket, parsePacketExpression } from './builder.ts';

const PYTHON = process.env['REFSWITCH_SCAPY_PYTHON'] ?? '/usr/bin/python3';
const BRIDGE = fileURLToPath(new URL('./scapy/build.py', import.meta.url));
const CORPUS = fileURLToPath(new URL('./scapy/corpus.txt', import.meta.url));

/**
 * Expressions whose mismatch is a known encoder defect, each with the reason.
 * Empty when the encoder agrees with scapy on the whole corpus.
 */
const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([]);

function readCorpus(): string[] {
  return readFileSync(CORPUS, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function hasScapy(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import scapy.all'], { stdio: 'ignore', timeout: 60_000 });
  return probe.status === 0;
}

/** Runs the bridge once for all expressions; one hex string (or `!error ...`) each. */
function buildWithScapy(expressions: readonly string[]): string[] {
  const run = spawnSync(PYTHON, [BRIDGE], { input: JSON.stringify(expressions), encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`build.py failed (status ${String(run.status)}): ${run.stderr}`);
  const lines = run.stdout.split('\n');
  lines.pop();
  if (lines.length !== expressions.length) {
    throw new Error(`build.py printed ${lines.length} lines for ${expressions.length} expressions`);
  }
  return lines;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Side-by-side 16-byte rows of both hex strings: the first 8 rows that differ, marked '!'. */
function hexDiff(expectedHex: string, actualHex: string): string {
  const width = 32;
  const total = Math.max(expectedHex.length, actualHex.length);
  let first = -1;
  for (let i = 0; i < total && first < 0; i += 2) {
    if (expectedHex.slice(i, i + 2) !== actualHex.slice(i, i + 2)) first = i / 2;
  }
  const rows = [`scapy ${expectedHex.length / 2} bytes, builder ${actualHex.length / 2} bytes, first difference at byte ${first}`];
  let shown = 0;
  for (let i = 0; i < total && shown < 8; i += width) {
    const e = expectedHex.slice(i, i + width);
    const a = actualHex.slice(i, i + width);
    if (e === a && total > width * 8) continue;
    if (e !== a) shown++;
    rows.push(`${e === a ? ' ' : '!'} ${(i / 2).toString(16).padStart(4, '0')}  scapy ${e.padEnd(width)}  ours ${a}`);
  }
  return rows.join('\n');
}

/** At most 64 bytes of hex, for messages. */
function clipHex(hex: string): string {
  return hex.length > 128 ? `${hex.slice(0, 128)}... (${hex.length / 2} bytes)` : hex;
}

function ourHex(expression: string): string {
  try {
    return toHex(buildPacket(expression));
  } catch (err) {
    return `!error ${err instanceof Error ? err.message : String(err)}`;
  }
}

const skip = hasScapy() ? false : 'scapy not installed: apt-get install python3-scapy';

t.test('builder + encoder agree with scapy 2.5 on the corpus', { skip }, (t) => {
  const corpus = readCorpus();
  t.ok(corpus.length >= 120, `corpus has ${corpus.length} expressions (at least 120)`);
  const scapyHex = buildWithScapy(corpus);
  const mismatches: string[] = [];
  corpus.forEach((expression, i) => {
    const expected = scapyHex[i] ?? '';
    t.notOk(expected.startsWith('!error'), `scapy builds ${expression}`, { scapy: expected });
    const actual = ourHex(expression);
    const known = EXPECTED_FAILURES.get(expression);
    if (actual === expected) {
      t.equal(known, undefined, `fixed, remove from EXPECTED_FAILURES: ${expression}`);
      t.pass(expression);
      return;
    }
    mismatches.push(expression);
    const detail = actual.startsWith('!error') ? `${actual}\nscapy ${clipHex(expected)}` : hexDiff(expected, actual);
    if (known !== undefined) t.pass(`expected failure (${known}): ${expression}`);
    else t.fail(`bytes differ from scapy: ${expression}`, { hexdiff: detail.split('\n') });
  });
  t.comment(`${corpus.length - mismatches.length}/${corpus.length} corpus expressions identical to scapy`);
  t.end();
});

t.test('the bridge reads JSON or lines and reports errors in place', { skip }, async (t) => {
  t.same(buildWithScapy(['Raw(b"\\x00ab")', 'IP(foo=1)', 'UDP()']), ['006162', '!error AttributeError: foo', '0035003500080000']);
  const lines = spawnSync(PYTHON, [BRIDGE], { input: '# comment\n\nRaw(b"a")\n  Raw(load=b"b")  \n', encoding: 'utf8' });
  t.equal(lines.stdout, '61\n62\n');
});

t.test('the corpus parses and uses every layer (no scapy needed)', async (t) => {
  const used = new Set<string>();
  for (const expression of readCorpus()) {
    const r = parsePacketExpression(expression);
    if (!r.ok) {
      t.fail(`corpus line does not parse: ${expression}`, { error: r.error.message });
      continue;
    }
    for (const layer of r.layers) used.add(layer.name);
  }
  t.same(BUILDER_LAYER_NAMES.filter((name) => !used.has(name)), [], 'every layer appears in the corpus');
});

t.test('hexDiff marks the differing rows', async (t) => {
  const d = hexDiff('00'.repeat(20), `${'00'.repeat(17)}ff0000`);
  t.match(d, /first difference at byte 17/);
  t.match(d, /^! 0010 /m);
  t.match(d, /^  0000 /m);
  const long = hexDiff('00'.repeat(1500), `${'00'.repeat(1000)}${'11'.repeat(500)}`);
  t.equal(long.split('\n').length, 9, 'long packets show only the first 8 differing rows');
  t.match(long, /^! 03e0 /m);
  t.equal(clipHex('ab'.repeat(100)), `${'ab'.repeat(64)}... (100 bytes)`);
});
