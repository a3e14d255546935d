/**
 * Tests for golden-files.ts, in a private temp directory. The flow dump is
 * Open vSwitch 3.1.0 output from reference/flow/fixtures/odp-ovs-dump.txt.
 */
import t from 'tap';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPacket } from '../../reference/packet/index.ts';
import { compareFlowDumps } from './golden-flows.ts';
import {
  GoldenFileError, goldenDir, goldenPath, normalizeGoldenText, readGoldenPackets, readGoldenText,
  writeFileAtomic, writeGoldenFlows, writeGoldenPackets, writeGoldenTrace,
} from './golden-files.ts';

const OVS_PORTS = new Map([[1, 'p1'], [2, 'p2'], [100, 'br0']]);
const FIXTURE = new URL('../../reference/flow/fixtures/odp-ovs-dump.txt', import.meta.url);
const records = readFileSync(FIXTURE, 'utf8').split('\n').map((l) => l.split('\t'));
const upcall = records.filter((r) => r[0] === 'upcall').map((r) => r[1] ?? '');
const upcallM = records.filter((r) => r[0] === 'upcall-m').map((r) => r[1] ?? '');

async function scratch(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'refswitch-golden-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const feature = join(dir, 'features', 'l2', 'normal.feature');
  await mkdir(join(dir, 'features', 'l2'), { recursive: true });
  return feature;
}
const hex = (packets: readonly Uint8Array[]): string[] => packets.map((p) => Buffer.from(p).toString('hex'));

t.test('layout: <feature>.golden/<name>.<kind> beside the feature', async (t) => {
  t.equal(goldenDir('features/l2/normal.feature'), 'features/l2/normal.golden');
  t.equal(goldenPath('features/l2/normal.feature', 'learn', 'flows'), 'features/l2/normal.golden/learn.flows');
  t.equal(goldenPath('features/l2/normal.feature', 'p2-out', 'pcap'), 'features/l2/normal.golden/p2-out.pcap');
  for (const bad of ['../x', 'a/b', '', '.hidden', 'a..b']) {
    t.throws(() => goldenPath('features/l2/normal.feature', bad, 'flows'), { name: 'GoldenFileError', problem: 'bad-name' }, bad);
  }
});

t.test('a missing golden names its path and the command that records it', async (t) => {
  const feature = await scratch(t);
  await t.rejects(readGoldenText(feature, 'learn', 'flows'), {
    name: 'GoldenFileError',
    problem: 'missing',
    path: goldenPath(feature, 'learn', 'flows'),
    message: /golden file .*normal\.golden\/learn\.flows does not exist; record it .*`refswitch run --update-golden .*normal\.feature`/,
  });
  await t.rejects(readGoldenPackets(feature, 'out'), { problem: 'missing', message: /out\.pcap does not exist/ });
});

t.test('writing refuses without the explicit update flag', async (t) => {
  const feature = await scratch(t);
  const refused = { name: 'GoldenFileError', problem: 'write-refused', message: /refswitch run --update-golden/ };
  await t.rejects(writeGoldenFlows(feature, 'learn', upcall.join('\n'), { updateGolden: false }), refused);
  await t.rejects(writeGoldenTrace(feature, 't', 'x', { updateGolden: false }), refused);
  await t.rejects(writeGoldenPackets(feature, 'out', [], { updateGolden: false }), refused);
  const loose = { updateGolden: 'yes' } as unknown as { updateGolden: boolean };
  await t.rejects(writeGoldenTrace(feature, 't', 'x', loose), refused, 'only literal true writes');
  await t.rejects(readdir(goldenDir(feature)), { code: 'ENOENT' }, 'nothing was created');
});

t.test('flows are recorded normalised and sorted; re-recording is byte-stable', async (t) => {
  const feature = await scratch(t);
  const path = await writeGoldenFlows(feature, 'learn', ['flow-dump from the main thread:', ...upcallM].join('\n'), { updateGolden: true, portNames: OVS_PORTS });
  const first = await readFile(path, 'utf8');
  const lines = first.trimEnd().split('\n');
  t.equal(lines.length, 9);
  t.same(lines, lines.slice().sort());
  t.notMatch(first, /ufid|used:|packets:|dp-extra-info|flow-dump/);
  t.match(first, /in_port\(p1\)/);
  await writeGoldenFlows(feature, 'learn', upcall.slice().reverse().join('\n'), { updateGolden: true, portNames: OVS_PORTS });
  t.equal(await readFile(path, 'utf8'), first, 'the other dump style of the same flows gives the same file');
  const read = await readGoldenText(feature, 'learn', 'flows');
  const r = compareFlowDumps(read, upcall.join('\n'), { portNames: OVS_PORTS, expectedSource: path });
  t.ok(r.ok && r.equal);
  await t.rejects(writeGoldenFlows(feature, 'bad', 'in_port(1),bogus(2), actions:1', { updateGolden: true }), { problem: 'bad-content', message: /does not parse: .*:1:\d+:/ });
});

t.test('packets: pcap plus summaries, deterministic, optionally sorted', async (t) => {
  const feature = await scratch(t);
  const a = buildPacket("Ether(src='00:00:00:00:00:01',dst='00:00:00:00:00:02')/IP(src='10.0.0.1',dst='10.0.0.2')/UDP(sport=2,dport=53)");
  const b = buildPacket("Ether(src='00:00:00:00:00:01',dst='00:00:00:00:00:02')/IP(src='10.0.0.1',dst='10.0.0.2')/UDP(sport=1,dport=53)");
  const paths = await writeGoldenPackets(feature, 'out', [a, b], { updateGolden: true });
  t.same(hex(await readGoldenPackets(feature, 'out')), hex([a, b]));
  const pcap1 = await readFile(paths.pcap);
  await writeGoldenPackets(feature, 'out', [a, b], { updateGolden: true });
  t.same(await readFile(paths.pcap), pcap1, 'same packets, same bytes');
  const txt = await readFile(paths.txt, 'utf8');
  t.match(txt, /^# 2 packet\(s\) in out\.pcap, in order; review aid, not compared\n1 {2}00:00:00:00:00:01 > 00:00:00:00:00:02, .*10\.0\.0\.1\.2 > 10\.0\.0\.2\.53: .*\n2 {2}.*10\.0\.0\.1\.1 > /);
  await writeGoldenPackets(feature, 'flood', [a, b], { updateGolden: true, sort: true });
  t.same(hex(await readGoldenPackets(feature, 'flood')), hex([b, a]), 'sorted by bytes (sport 1 first)');
  await writeFile(goldenPath(feature, 'broken', 'pcap'), pcap1.subarray(0, 30));
  await t.rejects(readGoldenPackets(feature, 'broken'), { name: 'GoldenFileError', problem: 'corrupt', message: /broken\.pcap is damaged/ });
});

t.test('traces are stored with normalised whitespace', async (t) => {
  const feature = await scratch(t);
  await writeGoldenTrace(feature, 'trace1', 'Flow: in_port=1  \r\nDatapath actions: 2\n\n\n', { updateGolden: true });
  t.equal(await readGoldenText(feature, 'trace1', 'trace'), 'Flow: in_port=1\nDatapath actions: 2\n');
  t.equal(normalizeGoldenText('\n\n'), '');
});

t.test('atomic write: temp file beside the target, removed on failure', async (t) => {
  const feature = await scratch(t);
  const dir = goldenDir(feature);
  const target = join(dir, 'x.flows');
  await writeFileAtomic(target, 'one\n');
  await writeFileAtomic(target, 'two\n');
  t.equal(await readFile(target, 'utf8'), 'two\n');
  t.same(await readdir(dir), ['x.flows'], 'no temp file left behind');
  const blocker = join(dir, 'blocked.flows');
  await mkdir(join(blocker, 'child'), { recursive: true });
  await t.rejects(writeFileAtomic(blocker, 'data'), { code: /EISDIR|ENOTEMPTY|EEXIST/ });
  t.same((await readdir(dir)).sort(), ['blocked.flows', 'x.flows'], 'failed write leaves no temp file');
  t.same(await readdir(blocker), ['child'], 'the target is untouched');
});
