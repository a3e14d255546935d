/**
 * Acceptance cross-check of flow extraction against Open vSwitch 3.1:
 * for every packet of captures/flow/extract-corpus.pcap,
 * `formatOfFlow(extractFlow(packet))` must equal the `Flow:` line that
 * `ovs-appctl ofproto/trace br0 in_port=1 <hex>` prints —
 *  (a) against the committed record (always),
 *  (b) against a live private OVS when installed (so the record can't go stale),
 *  (c) and the text must parse back to the same flow.
 * ovs-vswitchd parses one VLAN header by default (other_config:vlan-limit),
 * so extraction runs with vlanLimit 1. Frames shorter than an Ethernet header
 * are refused by ofproto/trace; for them the expectation comes from the
 * source (lib/flow.c miniflow_extract stops before L2: only metadata, so
 * dl_type 0 and zero addresses).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { extractFlow } from './extract-flow.ts';
import { FlowKey, FlowOffset } from './flow-key.ts';
import { formatOfFlow, formatOfMatch } from './of-flow-format.ts';
import { parseOfFlow } from './of-flow-parse.ts';
import { ofFlowWildcards } from './of-flow-wildcards.ts';
import { CORPUS_DIR, ERROR_PREFIX, loadCorpus, loadRecord, traceCorpusPacket, type CorpusPacket } from './testing/extract-corpus.ts';
import { findOvs, startOvsSandbox } from './testing/ovs-sandbox.ts';

const RUNT_FLOW = 'in_port=1,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,dl_type=0x0000';
const MISMATCHES_FILE = join(CORPUS_DIR, 'extract-mismatches.txt');

function extractLine(p: CorpusPacket): string {
  const key = new FlowKey();
  extractFlow(p.bytes, key, { inPort: 1 }, { vlanLimit: 1 });
  return formatOfFlow(key);
}

function expectedFor(recorded: string): string {
  return recorded.startsWith(ERROR_PREFIX) ? RUNT_FLOW : recorded;
}

const corpus = loadCorpus();
const record = loadRecord();

t.test('corpus shape', (t) => {
  t.ok(corpus.length >= 220, `${corpus.length} packets`);
  t.equal(record.length, corpus.length, 'one recorded line per packet');
  t.ok(new Set(record).size > 150, `${new Set(record).size} distinct OVS lines (the check is not vacuous)`);
  const refused = record.filter((r) => r.startsWith(ERROR_PREFIX));
  t.ok(refused.every((r) => r === `${ERROR_PREFIX}Packet data too short for Ethernet`), 'only runts are refused by ofproto/trace');
  t.ok(corpus.filter((p) => p.bytes.length < 14).length === refused.length, 'every refused packet is a runt');
  t.end();
});

t.test('(a) extraction matches the recorded Open vSwitch Flow: lines', (t) => {
  const lines: string[] = [];
  for (const p of corpus) {
    const expected = expectedFor(record[p.index]!);
    const actual = extractLine(p);
    if (actual !== expected) lines.push(`#${p.index} ${p.label}\n  ovs: ${expected}\n  ref: ${actual}`);
    t.equal(actual, expected, `#${p.index} ${p.label}`);
  }
  const header = '# Flow-extraction mismatches against Open vSwitch 3.1 (written by reference/flow/of-extract-ovs.test.ts).\n';
  writeFileSync(MISMATCHES_FILE, `${header}# ${lines.length} of ${corpus.length} packets differ.\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
  t.end();
});

const ovs = findOvs();
t.test('(b) extraction matches a live Open vSwitch', { skip: ovs.ok ? false : ovs.reason, timeout: 120_000 }, async (t) => {
  const sandbox = await startOvsSandbox();
  t.teardown(() => sandbox.stop());
  for (const p of corpus) {
    const live = await traceCorpusPacket(sandbox, p.bytes);
    t.equal(live, record[p.index], `#${p.index} ${p.label}: live OVS equals the record`);
    t.equal(extractLine(p), expectedFor(live), `#${p.index} ${p.label}: extraction equals live OVS`);
  }
});

t.test('(c) the Flow: text parses back to the same flow', (t) => {
  for (const p of corpus) {
    const key = new FlowKey();
    extractFlow(p.bytes, key, { inPort: 1 }, { vlanLimit: 1 });
    const text = formatOfFlow(key);
    const r = parseOfFlow(text);
    if (!r.ok) {
      t.fail(`#${p.index} ${p.label}: ${JSON.stringify(r.error)}`);
      continue;
    }
    const wc = ofFlowWildcards(key, { hideZeroMetadata: true });
    for (const at of [FlowOffset.vlan0_tpid, FlowOffset.vlan1_tpid]) wc.view.setUint16(at, 0);
    t.ok(key.equalsMasked(r.flow, wc), `#${p.index} ${p.label}: printed fields read back (TPIDs are not printed)`);
    t.equal(formatOfMatch(r.flow, r.mask), text, `#${p.index}: match_format of the parse`);
    t.equal(formatOfFlow(r.flow), text, `#${p.index}: flow_format of the parse`);
  }
  t.end();
});
