/**
 * Fuzz: random and mutated input through every data-plane decoder and every
 * text parser of the packet and flow libraries. The contract under test:
 * nothing throws, ever, and parse errors point inside the text they were
 * given. Seeded (FUZZ_SEED, default below) so a failure can be replayed; the
 * first failing input is printed in hex or quoted.
 *
 * Volumes (acceptance of the packet/flow libraries): ≥ 1,000,000 frames
 * through decodePacket, extractFlow and extractDatapathKey; ≥ 100,000
 * mutated lines each through the ODP, builder and OpenFlow-flow parsers.
 * FUZZ_SCALE (default 1) multiplies them.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { buildPacket, decodePacket, parsePacketExpression, readPcapFileSync } from '../packet/index.ts';
import { ExtractResult, FlowKey, extractDatapathKey, extractFlow, parseOdpFlow, parseOfFlow } from './index.ts';
import { SeededRandom, mutateFrame, mutateLine, randomFrame } from './testing/fuzz-input.ts';

const seed = Number(process.env.FUZZ_SEED ?? 0x5eed2026);
const scale = Number(process.env.FUZZ_SCALE ?? 1);
const root = new URL('../../', import.meta.url);
const readText = (path: string): string => readFileSync(new URL(path, root), 'utf8');
t.comment(`fuzz seed ${seed} (FUZZ_SEED=${seed} replays it), scale ${scale}`);

const expressions = readText('reference/packet/scapy/corpus.txt')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'));

function seedFrames(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const e of expressions) {
    try {
      frames.push(buildPacket(e));
    } catch {
      // a corpus line the builder rejects is the builder test's business
    }
  }
  for (const r of readPcapFileSync(new URL('captures/flow/extract-corpus.pcap', root).pathname).records) frames.push(r.data);
  return frames;
}

t.test('1,000,000 random and mutated frames through decode and both extractors', (t) => {
  const rng = new SeededRandom(seed);
  const seeds = seedFrames();
  t.ok(seeds.length >= 300, `${seeds.length} seed frames`);
  const total = 1_000_000 * scale;
  const key = new FlowKey();
  const results = new Set<string>();
  const issueKinds = new Set<string>();
  const known = new Set<string>(Object.values(ExtractResult));
  let failure: string | undefined;
  for (let i = 0; i < total && failure === undefined; i++) {
    const frame = rng.below(5) === 0 ? randomFrame(rng) : mutateFrame(rng, rng.pick(seeds));
    try {
      const d = decodePacket(frame);
      for (const is of d.issues) issueKinds.add(is.kind);
      const r1 = extractFlow(frame, key, { inPort: 1 + rng.below(4) });
      const r2 = extractDatapathKey(frame, key, { inPort: 1 });
      results.add(r1).add(r2);
      if (!known.has(r1) || !known.has(r2)) failure = `unknown extract result ${r1}/${r2} for ${Buffer.from(frame).toString('hex')}`;
    } catch (err) {
      failure = `frame #${i} ${Buffer.from(frame).toString('hex')}: ${(err as Error).stack ?? String(err)}`;
    }
  }
  t.equal(failure, undefined, 'no exception escaped');
  t.ok(results.size >= 5, `mutations reached ${results.size} extraction outcomes: ${[...results].join(', ')}`);
  t.ok(issueKinds.size >= 3, `mutations reached decode issues: ${[...issueKinds].join(', ')}`);
  t.end();
});

interface LineParser {
  readonly name: string;
  readonly seeds: readonly string[];
  /** Returns the error column (1-based) if the line was rejected, else undefined. */
  parse(line: string): number | undefined;
}

function odpSeeds(): string[] {
  const lines = readText('reference/flow/fixtures/odp-notes-lines.txt').split('\n');
  for (const rec of readText('reference/flow/fixtures/odp-ovs-dump.txt').split('\n')) {
    const [kind, ...rest] = rec.split('\t');
    if (kind === 'dump' || kind === 'dump-m') lines.push(rest.join('\t'));
    if (kind === 'add') lines.push(rest.join(', actions:'));
  }
  return lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function ofSeeds(): string[] {
  return readText('captures/flow/extract-corpus.ovs-flow.txt')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split('\t')[2] ?? '')
    .filter((l) => l !== '' && !l.startsWith('!'));
}

const parsers: readonly LineParser[] = [
  { name: 'ODP (dpctl/dump-flows) parser', seeds: odpSeeds(), parse: (l) => { const r = parseOdpFlow(l); return r.ok ? undefined : r.error.column; } },
  { name: 'packet builder parser', seeds: expressions, parse: (l) => { const r = parsePacketExpression(l); return r.ok ? undefined : r.error.column; } },
  { name: 'OpenFlow flow parser', seeds: ofSeeds(), parse: (l) => { const r = parseOfFlow(l); return r.ok ? undefined : r.error.column; } },
];

for (const p of parsers) {
  t.test(`100,000 mutated lines through the ${p.name}`, (t) => {
    t.ok(p.seeds.length >= 20, `${p.seeds.length} seed lines`);
    const rng = new SeededRandom(seed ^ p.name.length);
    const total = 100_000 * scale;
    let accepted = 0;
    let rejected = 0;
    let failure: string | undefined;
    for (let i = 0; i < total && failure === undefined; i++) {
      const line = mutateLine(rng, rng.pick(p.seeds), p.seeds);
      try {
        const col = p.parse(line);
        if (col === undefined) accepted++;
        else if (!(col >= 1 && col <= line.length + 1)) failure = `column ${col} outside 1..${line.length + 1} for ${JSON.stringify(line)}`;
        else rejected++;
      } catch (err) {
        failure = `line #${i} ${JSON.stringify(line)}: ${(err as Error).stack ?? String(err)}`;
      }
    }
    t.equal(failure, undefined, 'no exception escaped and every error column lies within the line');
    t.ok(accepted > 0 && rejected > 0, `mutations both pass (${accepted}) and fail (${rejected}) parsing`);
    t.end();
  });
}
