/**
 * TEST SUPPORT ONLY — records Open vSwitch's `Flow:` line for every packet of
 * captures/flow/extract-corpus.pcap into extract-corpus.ovs-flow.txt.
 *
 * Run (after make-extract-corpus.py):
 *   node --import tsx reference/flow/testing/record-extract-corpus.ts
 * It starts a private OVS (ovs-sandbox.ts), traces each packet on br0
 * in_port=1, writes the record, stops OVS. Review the diff of the record
 * before committing: it is golden data.
 */
import { writeFileSync } from 'node:fs';
import { CORPUS_RECORD, loadCorpus, traceCorpusPacket } from './extract-corpus.ts';
import { startOvsSandbox } from './ovs-sandbox.ts';

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const ovs = await startOvsSandbox();
  try {
    const version = (await ovs.appctl(['version'])).stdout.trim().split('\n')[0] ?? 'unknown';
    const lines = [
      `# ${version}: \`ovs-appctl ofproto/trace br0 in_port=1 <hex>\` per packet of extract-corpus.pcap`,
      '# (ovs-vswitchd --enable-dummy=override, br0 fail-mode=secure, dummy port p1 = OpenFlow port 1).',
      '# Recorded by reference/flow/testing/record-extract-corpus.ts. Format: index TAB label TAB text after "Flow: ",',
      '# or "!error <message>" when ofproto/trace refused the packet.',
    ];
    for (const p of corpus) lines.push(`${p.index}\t${p.label}\t${await traceCorpusPacket(ovs, p.bytes)}`);
    writeFileSync(CORPUS_RECORD, `${lines.join('\n')}\n`);
    process.stdout.write(`recorded ${corpus.length} packets into ${CORPUS_RECORD}\n`);
  } finally {
    await ovs.stop();
  }
}

await main();
