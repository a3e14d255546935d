/**
 * Steps that program and judge a switch's datapath directly, below any
 * OpenFlow pipeline:
 *
 *   Given the datapath flows:                      + doc string, dump-flows syntax with port names
 *   Given the datapath meter 0: pktps band=drop rate=1 burst=10
 *   Then adding the datapath flows is refused[ with "<text>"]:   + doc string
 *   When the packet "<expression>" is sent 20 times into port "p1"
 *   Then port "p2" emits between 10 and 12 copies of the packet "<expression>"
 *   Then exactly one of the ports p2, p3 emits:    + table | packet |
 *   Then the datapath flows and their counters are:            + doc string
 *   Then the datapath flows and their counters match golden "<name>"
 *
 * plus the `@ovs-differs` tag: on the `ovs` target such a scenario is not
 * run and gets UNSUPPORTED with the reason its description gives after
 * `OVS differs:` (features/datapath/README.md lists every one). A tagged
 * scenario without that sentence is a HARNESS-ERROR: a difference must say
 * why.
 *
 * Invariants: datapath flows go in before any traffic (a miss before them
 * could cache a flow that shadows them); a flow the scenario wrote badly is a
 * HarnessError, one the switch refuses is the switch's answer (FAIL, or PASS
 * under "is refused"). Counters compare as packets and bytes of each flow.
 */
import { Before, type DataTable } from '@cucumber/cucumber';
import { summarizePacket } from '../../reference/packet/index.ts';
import { comparePackets, goldenPath, HarnessError, readGoldenText, writeGoldenFlows } from '../harness/index.ts';
import { parseMeterSpec } from '../adapters/datapath-text.ts';
import { step } from '../support/define-step.ts';
import { readRunSettings } from '../support/settings.ts';
import { buildFrame, flowLines, framesToPcap, parsePortList } from '../support/step-args.ts';
import type { SwitchWorld } from '../support/world.ts';
import { checkFlows, dumpFlows, noteInstalledDatapathFlows } from './flow-steps.ts';

const PCAP_MEDIA_TYPE = 'application/vnd.tcpdump.pcap';
const MAX_REPEAT = 100_000;
const OVS_DIFFERS = /OVS differs:\s*([^\n]+(?:\n(?!\s*\n)[^\n]+)*)/;

Before({ tags: '@ovs-differs' }, function (this: SwitchWorld, { pickle, gherkinDocument }) {
  if (readRunSettings().target !== 'ovs') return undefined;
  const node = gherkinDocument.feature?.children.find((c) => c.scenario?.id === pickle.astNodeIds[0]);
  const reason = OVS_DIFFERS.exec(node?.scenario?.description ?? '')?.[1]?.replace(/\s+/g, ' ').trim();
  if (reason === undefined || reason === '') {
    this.harnessFault = `scenario "${pickle.name}" is tagged @ovs-differs but its description has no "OVS differs: <why>" sentence`;
    throw new HarnessError(this.harnessFault);
  }
  this.unsupported = `Open vSwitch differs here: ${reason}`;
  return 'skipped';
});

step(/^the datapath flows:$/, ['dp-flows'], async function (this: SwitchWorld, doc) {
  const flows = flowLines(String(doc));
  if (flows.length === 0) throw new HarnessError('no flows in the doc string of "the datapath flows:"');
  noteInstalledDatapathFlows(this);
  await this.requireSwitch().addDatapathFlows(flows);
});

step(/^the datapath meter (\d+): (.+)$/, ['dp-meters'], async function (this: SwitchWorld, id, spec) {
  const meter = parseMeterSpec(String(spec));
  if (!meter.ok) throw new HarnessError(meter.error);
  await this.requireSwitch().setDatapathMeter(Number(id), meter.value);
});

step(/^adding the datapath flows is refused(?: with "([^"]+)")?:$/, ['dp-flows'], async function (this: SwitchWorld, text, doc) {
  const flows = flowLines(String(doc));
  if (flows.length === 0) throw new HarnessError('no flows in the doc string of "adding the datapath flows is refused:"');
  const accepted: string[] = [];
  const wrongReason: string[] = [];
  for (const flow of flows) {
    const err = await this.requireSwitch().addDatapathFlows([flow]).then(() => undefined, (e: unknown) => e);
    if (err instanceof HarnessError) throw err;
    if (err === undefined) accepted.push(flow);
    else if (typeof text === 'string' && !String(err instanceof Error ? err.message : err).includes(text)) wrongReason.push(`${flow}: ${String(err)}`);
  }
  if (accepted.length === 0 && wrongReason.length === 0) return;
  const lines = [...accepted.map((f) => `accepted: ${f}`), ...wrongReason.map((f) => `refused without ${JSON.stringify(text)}: ${f}`)];
  throw new Error(`the switch did not refuse every flow as expected:\n  ${lines.join('\n  ')}`);
});

step(/^the packet "(.+)" is sent (\d+) times into port "([^"]+)"$/, ['veth'], async function (this: SwitchWorld, expression, times, port) {
  const n = Number(times);
  if (n < 1 || n > MAX_REPEAT) throw new HarnessError(`send count ${n} out of range (1..${MAX_REPEAT})`);
  const frame = buildFrame(String(expression));
  await this.send(String(port), Array.from({ length: n }, () => frame));
});

step(/^port "([^"]+)" emits between (\d+) and (\d+) copies of the packet "(.+)"$/, ['veth'], async function (this: SwitchWorld, port, low, high, expression) {
  const expected = buildFrame(String(expression));
  const frames = (await this.emittedBy(String(port))).map((f) => f.data);
  const others = frames.filter((f) => Buffer.compare(f, expected) !== 0);
  const n = frames.length;
  if (others.length === 0 && n >= Number(low) && n <= Number(high)) {
    this.log(`port ${String(port)} emitted ${n} copies`);
    return;
  }
  this.attach(framesToPcap(frames), { mediaType: PCAP_MEDIA_TYPE, fileName: `${String(port)}-captured.pcap` });
  const why = others.length > 0 ? `${others.length} of them differ from it, first: ${summarizePacket(others[0] ?? new Uint8Array())}` : `${n} copies`;
  throw new Error(`port ${String(port)} emitted ${n} packet(s), expected ${String(low)} to ${String(high)} copies of ${summarizePacket(expected)}: ${why}`);
});

step(/^exactly one of the ports (.+) emits:$/, ['veth'], async function (this: SwitchWorld, portText, table) {
  const ports = parsePortList(String(portText));
  const expected = (table as DataTable).hashes().map((row) => {
    const p = row['packet'];
    if (p === undefined) throw new HarnessError('the expected-packet table needs the column | packet |');
    return buildFrame(p);
  });
  const emitted = new Map<string, Uint8Array[]>();
  for (const port of ports) emitted.set(port, (await this.emittedBy(port)).map((f) => f.data));
  const busy = [...emitted].filter(([, frames]) => frames.length > 0);
  const [only] = busy;
  if (busy.length !== 1 || only === undefined) {
    throw new Error(`expected exactly one of ${ports.join(', ')} to emit, but ${busy.length === 0 ? 'none did' : busy.map(([p, f]) => `${p} emitted ${f.length}`).join(' and ')}`);
  }
  const [port, actual] = only;
  const r = comparePackets(expected, actual, { ignore: [], order: 'ordered', expectedSource: 'the step\'s table', actualSource: `captured on ${port}` });
  if (!r.ok) throw new HarnessError(`cannot compare packets on ${port}: ${r.message}`);
  if (r.equal) {
    this.log(`port ${port} emitted them`);
    return;
  }
  this.attach(r.diffText, 'text/plain');
  throw new Error(`port ${port} emitted other packets than expected (${expected.length} expected, ${actual.length} captured):\n${r.diffText}`);
});

step(/^the datapath flows and their counters are:$/, ['dp-dump'], async function (this: SwitchWorld, doc) {
  const { dump, portNames } = await dumpFlows(this);
  checkFlows(this, String(doc), dump, portNames, 'the step\'s doc string', 'packets-bytes');
});

step(/^the datapath flows and their counters match golden "([^"]+)"$/, ['dp-dump'], async function (this: SwitchWorld, name) {
  const { featureFile, settings } = this.context;
  const { dump, portNames } = await dumpFlows(this);
  if (settings.updateGolden) {
    const path = await writeGoldenFlows(featureFile, String(name), dump, { updateGolden: true, portNames, stats: 'packets-bytes' });
    this.log(`recorded datapath flows with counters in ${path}`);
    return;
  }
  const expected = await readGoldenText(featureFile, String(name), 'flows');
  checkFlows(this, expected, dump, portNames, goldenPath(featureFile, String(name), 'flows'), 'packets-bytes');
});
