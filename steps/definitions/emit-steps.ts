/**
 * Steps that check what the switch emitted, port by port:
 *
 *   Then port "p2" emits the packets in golden "<name>"[, ignoring ip.ttl, ip.checksum]
 *   Then port "p2" emits[, ignoring <fields>]:   + table | packet |
 *   Then port "p3" emits nothing
 *   Then no other port emits anything
 *
 * Packets compare byte for byte, in order, except the named don't-care
 * fields. With --update-golden the golden step records what the port emitted
 * instead of comparing. A mismatch fails with a readable diff (tcpdump
 * summaries plus a hex dump of the first differing pair) and attaches the
 * expected and captured packets as pcap files.
 */
import type { DataTable } from '@cucumber/cucumber';
import { summarizePacket } from '../../reference/packet/index.ts';
import { comparePackets, goldenPath, HarnessError, readGoldenPackets, writeGoldenPackets } from '../harness/index.ts';
import { step } from '../support/define-step.ts';
import { buildFrame, framesToPcap, parseIgnoreList } from '../support/step-args.ts';
import type { SwitchWorld } from '../support/world.ts';

const PCAP_MEDIA_TYPE = 'application/vnd.tcpdump.pcap';

step(/^port "([^"]+)" emits the packets in golden "([^"]+)"(?:, ignoring (.+))?$/, ['veth'], async function (this: SwitchWorld, port, name, ignore) {
  const actual = (await this.emittedBy(String(port))).map((f) => f.data);
  const { featureFile, settings } = this.context;
  if (settings.updateGolden) {
    const written = await writeGoldenPackets(featureFile, String(name), actual, { updateGolden: true });
    this.log(`recorded ${actual.length} packet(s) in ${written.pcap}`);
    return;
  }
  const expected = await readGoldenPackets(featureFile, String(name));
  checkPackets(this, String(port), expected, actual, parseIgnoreList(typeof ignore === 'string' ? ignore : undefined), goldenPath(featureFile, String(name), 'pcap'));
});

step(/^port "([^"]+)" emits(?:, ignoring (.+))?:$/, ['veth'], async function (this: SwitchWorld, port, ignore, table) {
  const rows = (table as DataTable).hashes();
  const expected = rows.map((row) => {
    const p = row['packet'];
    if (p === undefined) throw new HarnessError('the expected-packet table needs the column | packet |');
    return buildFrame(p);
  });
  const actual = (await this.emittedBy(String(port))).map((f) => f.data);
  checkPackets(this, String(port), expected, actual, parseIgnoreList(typeof ignore === 'string' ? ignore : undefined), 'the step\'s table');
});

step(/^port "([^"]+)" emits nothing$/, ['veth'], async function (this: SwitchWorld, port) {
  const actual = (await this.emittedBy(String(port))).map((f) => f.data);
  if (actual.length > 0) failWithPackets(this, `port ${port} emitted ${actual.length} packet(s), expected none`, String(port), actual);
});

step(/^no other port emits anything$/, ['veth'], async function (this: SwitchWorld) {
  const busy = [...(await this.uncheckedPorts())].filter(([, frames]) => frames.length > 0);
  if (busy.length === 0) return;
  const lines = busy.map(([port, frames]) => `port ${port} emitted ${frames.length} packet(s)`);
  const all = busy.flatMap(([port, frames]) => frames.map((f) => ({ port, data: f.data })));
  for (const [port, frames] of busy) this.attach(framesToPcap(frames.map((f) => f.data)), { mediaType: PCAP_MEDIA_TYPE, fileName: `${port}-emitted.pcap` });
  throw new Error(`expected no other port to emit anything, but ${lines.join(', ')}:\n${all.map((p, i) => `  ${i + 1} ${p.port}  ${summarizePacket(p.data)}`).join('\n')}`);
});

function checkPackets(world: SwitchWorld, port: string, expected: Uint8Array[], actual: Uint8Array[], ignore: string[], source: string): void {
  const r = comparePackets(expected, actual, { ignore, order: 'ordered', expectedSource: source, actualSource: `captured on ${port}` });
  if (!r.ok) throw new HarnessError(`cannot compare packets on ${port}: ${r.message}`);
  if (r.equal) return;
  world.attach(r.diffText, 'text/plain');
  world.attach(framesToPcap(expected), { mediaType: PCAP_MEDIA_TYPE, fileName: `${port}-expected.pcap` });
  world.attach(framesToPcap(actual), { mediaType: PCAP_MEDIA_TYPE, fileName: `${port}-captured.pcap` });
  throw new Error(`port ${port} emitted other packets than expected (${expected.length} expected, ${actual.length} captured):\n${r.diffText}`);
}

function failWithPackets(world: SwitchWorld, message: string, port: string, frames: Uint8Array[]): never {
  world.attach(framesToPcap(frames), { mediaType: PCAP_MEDIA_TYPE, fileName: `${port}-captured.pcap` });
  throw new Error(`${message}:\n${frames.map((f, i) => `  ${i + 1}  ${summarizePacket(f)}`).join('\n')}`);
}
