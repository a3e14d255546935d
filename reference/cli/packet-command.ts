/**
 * `refswitch packet build '<expr>' [--pcap FILE]`: builds a frame from a
 * scapy-syntax expression (parsed, never evaluated) and prints it as hex,
 * or appends it to a pcap file (created when missing). A syntax error names
 * the column and token and exits 1.
 */
import { PacketBuildError, PcapWriter, parsePacketExpression, encodePacket } from '../packet/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

export const packetCommand: Command = {
  name: 'packet',
  usage: ["packet build '<scapy expression>' [--pcap FILE]"],
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { pcap: { type: 'string' } });
    const [sub, expr, ...extra] = positionals;
    if (sub !== 'build') throw new UsageError(`expected 'build', got '${sub ?? ''}'`);
    if (expr === undefined || extra.length > 0) throw new UsageError("expected exactly one expression, e.g. 'Ether()/IP()/TCP()'");
    const parsed = parsePacketExpression(expr);
    if (!parsed.ok) {
      process.stderr.write(`refswitch packet build: ${parsed.error.message}\n  ${expr}\n  ${' '.repeat(Math.max(0, parsed.error.column - 1))}^\n`);
      return 1;
    }
    let frame: Uint8Array;
    try {
      frame = encodePacket(parsed.layers);
    } catch (err) {
      if (err instanceof PacketBuildError) {
        process.stderr.write(`refswitch packet build: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (values.pcap !== undefined) {
      const w = PcapWriter.append(values.pcap);
      const nowMs = Date.now();
      w.write({ data: frame, tsSec: Math.floor(nowMs / 1000), tsNsec: (nowMs % 1000) * 1e6 });
      w.close();
    } else {
      process.stdout.write(Buffer.from(frame).toString('hex') + '\n');
    }
    return 0;
  },
};
