/**
 * `refswitch pcap show FILE`: one tcpdump-style (`-nn -e`) line per packet
 * of a pcap or pcapng file, streamed. A corrupt file prints the packets
 * before the damage, then the error with its byte offset, and exits 1.
 */
import { PcapFormatError, PcapReader, summarizePacket } from '../packet/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

export const pcapCommand: Command = {
  name: 'pcap',
  usage: ['pcap show FILE'],
  async run(argv) {
    const { positionals } = parseCommandArgs(argv, {});
    const [sub, file, ...extra] = positionals;
    if (sub !== 'show') throw new UsageError(`expected 'show', got '${sub ?? ''}'`);
    if (file === undefined || extra.length > 0) throw new UsageError('expected exactly one pcap file');
    return forEachRecord(file, 'pcap show', (data) => summarizePacket(data));
  },
};

/**
 * Streams `file`, writing `line(record)` for each record; returns the exit
 * code (1 on a corrupt file or I/O error, after the good records).
 */
export async function forEachRecord(file: string, who: string, line: (data: Uint8Array, index: number) => string): Promise<number> {
  const reader = new PcapReader(file, { copyData: false });
  let index = 0;
  try {
    for (const batch of reader.batchesSync()) {
      const out: string[] = [];
      for (const r of batch) out.push(line(r.data, index++));
      process.stdout.write(out.join('\n') + '\n');
    }
  } catch (err) {
    if (err instanceof PcapFormatError || (err instanceof Error && 'code' in err)) {
      process.stderr.write(`refswitch ${who}: ${file}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  return 0;
}
