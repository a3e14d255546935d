/**
 * TEST SUPPORT ONLY — the flow-extraction corpus and its Open vSwitch record.
 *
 * What: loads captures/flow/extract-corpus.pcap (made by
 * make-extract-corpus.py), the packet labels beside it, and the recorded
 * `Flow:` lines of Open vSwitch's `ofproto/trace` in
 * extract-corpus.ovs-flow.txt; `traceCorpusPacket` asks a live OVS sandbox
 * for one packet's line. Used by of-extract-ovs.test.ts and by
 * record-extract-corpus.ts, which (re)writes the record.
 *
 * Record format: `#` comment lines, then one line per packet:
 * `<index> TAB <label> TAB <flow text>`, where the flow text is OVS's output
 * after `Flow: `, or `!error <message>` when ofproto/trace refused the packet
 * (frames shorter than an Ethernet header).
 *
 * Invariant: record lines and pcap records correspond by index; loaders
 * throw (harness misuse) when the files disagree.
 *
 * The pcap is read by `readClassicPcap` below (classic little-endian pcap,
 * as make-extract-corpus.py writes it) because reference/packet/index.ts does
 * not export its pcap reader yet; switch to `readPcapFileSync` from there
 * once it does.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OvsSandbox, traceFlowLine } from './ovs-sandbox.ts';

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'captures', 'flow');
export const CORPUS_PCAP = join(CORPUS_DIR, 'extract-corpus.pcap');
export const CORPUS_LABELS = join(CORPUS_DIR, 'extract-corpus.labels.txt');
export const CORPUS_RECORD = join(CORPUS_DIR, 'extract-corpus.ovs-flow.txt');
/** Prefix of a record entry for a packet ofproto/trace refused. */
export const ERROR_PREFIX = '!error ';

export interface CorpusPacket {
  readonly index: number;
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** Records of a classic little-endian pcap file; throws on anything else (harness misuse). */
function readClassicPcap(path: string): Uint8Array[] {
  const file = readFileSync(path);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 24 || view.getUint32(0, true) !== 0xa1b2c3d4) throw new Error(`extract corpus: ${path} is not a little-endian microsecond pcap`);
  const out: Uint8Array[] = [];
  for (let off = 24; off < file.length; ) {
    if (off + 16 > file.length) throw new Error(`extract corpus: ${path} ends inside a record header at ${off}`);
    const caplen = view.getUint32(off + 8, true);
    if (off + 16 + caplen > file.length) throw new Error(`extract corpus: ${path} ends inside record data at ${off}`);
    out.push(new Uint8Array(file.subarray(off + 16, off + 16 + caplen)));
    off += 16 + caplen;
  }
  return out;
}

/** The corpus packets with their labels, in file order. */
export function loadCorpus(): CorpusPacket[] {
  const pcap = { records: readClassicPcap(CORPUS_PCAP).map((data) => ({ data })) };
  const labels = readFileSync(CORPUS_LABELS, 'utf8').split('\n').filter((l) => l !== '');
  if (labels.length !== pcap.records.length) {
    throw new Error(`extract corpus: ${labels.length} labels for ${pcap.records.length} packets; re-run make-extract-corpus.py`);
  }
  return pcap.records.map((r, index) => ({ index, label: labels[index]!.split('\t')[1] ?? '', bytes: r.data }));
}

/** The recorded OVS flow text per packet index. */
export function loadRecord(): string[] {
  const out: string[] = [];
  for (const line of readFileSync(CORPUS_RECORD, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [index, , text] = line.split('\t');
    if (Number(index) !== out.length || text === undefined) throw new Error(`extract corpus record: bad line ${JSON.stringify(line)}`);
    out.push(text);
  }
  return out;
}

/** What a live OVS prints after `Flow: ` for the packet on in_port 1 of br0, or `!error …`. */
export async function traceCorpusPacket(ovs: OvsSandbox, bytes: Uint8Array): Promise<string> {
  const r = await ovs.trace('br0', 'in_port=1', Buffer.from(bytes).toString('hex'));
  const line = traceFlowLine(r.stdout);
  if (line !== null) return line;
  const message = r.stderr.split('\n')[0]?.trim() ?? '';
  return `${ERROR_PREFIX}${message || `exit ${r.code}`}`;
}
