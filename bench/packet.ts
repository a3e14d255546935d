/**
 * bench/packet: how fast the packet and flow libraries chew through a pcap,
 * side by side with Open vSwitch on the same file in the same run.
 *
 * Workload: a 1,000,000-packet pcap made of a mix of ~40 frame kinds
 * (Ethernet/VLAN/ARP/IPv4/IPv6/ext headers/ICMP/ND/TCP/UDP/SCTP, a few
 * malformed), written once to a temp directory.
 *
 * Measures, each as the median of `--runs` (default 3) passes:
 *  - pcap read: records/s through `PcapReader` (streamed, no copies);
 *  - decode: `decodePacket` packets/s (the scapy-like layer decoder);
 *  - extract: `extractFlow` packets/s (userspace flow_extract semantics);
 *  - decode+extract: both per packet;
 *  - read+extract+format: pcap → `Flow:`-style text per packet, the same
 *    work `ovs-ofctl parse-pcap` does (OVS's flow_extract + flow_format),
 *    which is run on the same file as the peer. Ratio = ours ÷ OVS in
 *    packets/s (> 1 means we are faster).
 * Not a test: prints figures, asserts nothing. `--packets N` shrinks the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FlowKey, extractFlow, formatOfFlow } from '../reference/flow/index.ts';
import { PcapReader, PcapWriter, buildPacket, decodePacket } from '../reference/packet/index.ts';

const { values } = parseArgs({ options: { packets: { type: 'string' }, runs: { type: 'string' } } });
const total = Number(values.packets ?? 1_000_000);
const runs = Number(values.runs ?? 3);

const MIX = [
  'Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=1234, dport=80, flags="S")',
  'Ether()/IP(src="10.1.2.3", dst="192.168.7.9", ttl=3)/TCP(sport=443, dport=55000, flags="PA")/Raw(load="hello world")',
  'Ether()/IP()/UDP(sport=5353, dport=53)/Raw(load="q")',
  'Ether()/Dot1Q(vlan=10, prio=3)/IP(src="10.0.0.9", dst="10.0.0.10")/UDP()',
  'Ether()/Dot1AD(vlan=100)/Dot1Q(vlan=200)/IP()/TCP()',
  'Ether()/IP(flags="MF", frag=0)/UDP()/Raw(load="x"*40)',
  'Ether()/IP(frag=185)/Raw(load="y"*40)',
  'Ether()/IP(options=[IPOption_RR()])/ICMP()',
  'Ether()/IP()/ICMP(type="echo-request", id=7, seq=1)',
  'Ether()/IP()/ICMP(type=3, code=1)/IP()/UDP()',
  'Ether()/IP()/SCTP(sport=9, dport=10)',
  'Ether(dst="ff:ff:ff:ff:ff:ff")/ARP(op="who-has", psrc="10.0.0.1", pdst="10.0.0.2")',
  'Ether()/ARP(op="is-at", hwsrc="02:00:00:00:00:02", psrc="10.0.0.2", pdst="10.0.0.1")',
  'Ether()/IPv6(src="2001:db8::1", dst="2001:db8::2")/TCP(dport=22, flags="S")',
  'Ether()/IPv6()/UDP()',
  'Ether()/IPv6()/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/UDP()',
  'Ether()/IPv6()/IPv6ExtHdrFragment(offset=0, m=1)/UDP()',
  'Ether()/IPv6()/IPv6ExtHdrFragment(offset=10)/Raw(load="zz")',
  'Ether()/IPv6()/IPv6ExtHdrRouting()/TCP()',
  'Ether()/IPv6(dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="2001:db8::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")',
  'Ether()/IPv6()/ICMPv6ND_NA(tgt="2001:db8::2")/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02")',
  'Ether()/IPv6()/ICMPv6EchoRequest()',
  'Ether()/IPv6()/ICMPv6EchoReply(data=b"abc")',
  'Dot3(dst="01:80:c2:00:00:00")/LLC(dsap=0x42, ssap=0x42, ctrl=3)/Raw(load="stp")',
  'Dot3()/LLC(dsap=0xaa, ssap=0xaa, ctrl=3)/SNAP(OUI=0, code=0x0800)/IP()',
  'Ether()/IP(ihl=4)/TCP()',
  'Ether()/IP(len=10)/UDP()',
  'Ether()/IP()/TCP(dataofs=3)',
  'Ether(type=0x88cc)/Raw(load="lldp")',
  'Ether()/IP(tos=0xb9)/TCP(flags="FPU", options=[("MSS", 1460), ("NOP", None), ("WScale", 7)])',
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function rate(label: string, fn: () => number): number {
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const n = fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(n / s);
  }
  const r = median(rates);
  console.log(`${label.padEnd(34)} ${Math.round(r).toLocaleString('en-US').padStart(12)} packets/s`);
  return r;
}

const dir = mkdtempSync(join(tmpdir(), 'refswitch-bench-packet-'));
try {
  const frames = MIX.map((e) => buildPacket(e));
  const file = join(dir, 'mix.pcap');
  const w = PcapWriter.create(file);
  for (let i = 0; i < total; i++) w.write({ data: frames[i % frames.length]!, tsSec: 1_700_000_000 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1000 });
  w.close();

  const ovsVersion = spawnSync('ovs-ofctl', ['--version'], { encoding: 'utf8' });
  console.log(`bench/packet: ${total.toLocaleString('en-US')} packets (${frames.length} kinds), ${(statSync(file).size / 1e6).toFixed(1)} MB pcap, median of ${runs}`);
  console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${ovsVersion.status === 0 ? ovsVersion.stdout.split('\n')[0] : 'Open vSwitch not installed'}`);

  const records: Uint8Array[] = [];
  for (const r of new PcapReader(file, { copyData: true }).recordsSync()) records.push(r.data);
  rate('pcap read (streamed)', () => {
    let n = 0;
    for (const batch of new PcapReader(file, { copyData: false }).batchesSync()) n += batch.length;
    return n;
  });
  rate('decode (layers)', () => {
    let layers = 0;
    for (const p of records) layers += decodePacket(p).layers.length;
    if (layers === 0) throw new Error('decoded nothing');
    return records.length;
  });
  const key = new FlowKey();
  rate('extract (userspace flow)', () => {
    for (const p of records) extractFlow(p, key, { inPort: 1 });
    return records.length;
  });
  rate('decode + extract', () => {
    for (const p of records) {
      decodePacket(p);
      extractFlow(p, key, { inPort: 1 });
    }
    return records.length;
  });
  const ours = rate('read + extract + format (ours)', () => {
    let n = 0;
    let chars = 0;
    for (const batch of new PcapReader(file, { copyData: false }).batchesSync()) {
      for (const r of batch) {
        extractFlow(r.data, key, { inPort: 0xffff });
        chars += formatOfFlow(key).length;
        n++;
      }
    }
    if (chars === 0) throw new Error('formatted nothing');
    return n;
  });
  if (ovsVersion.status === 0) {
    const peer = rate('read + extract + format (ovs-ofctl parse-pcap)', () => {
      const r = spawnSync('sh', ['-c', `ovs-ofctl parse-pcap '${file}' > /dev/null`]);
      if (r.status !== 0) throw new Error(`ovs-ofctl parse-pcap failed: ${r.stderr}`);
      return total;
    });
    console.log(`ratio ours ÷ Open vSwitch (read+extract+format): ${(ours / peer).toFixed(2)}x`);
  } else {
    console.log('peer skipped: Open vSwitch not installed (apt-get install openvswitch-switch)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
