#!/usr/bin/python3
# Cross-check of the datapath scenarios' packets against scapy.
#
# What: every packet expression in features/datapath/*.feature (sent or
# expected, in tables, quotes and "copies of the packet" steps) is built
# twice — by scapy and by `refswitch packet build` — and the bytes must be
# equal, so every length and checksum the scenarios expect is scapy's.
# The golden trunc-p2.pcap must be the first 20 bytes of the packet the
# trunc scenario sends. Prints one line per mismatch and a count; exits 1
# on any mismatch.
#
# Run from the repository root with Debian's python3-scapy:
#   /usr/bin/python3 captures/datapath/check-with-scapy.py
# The expressions are the scenarios' own text, evaluated by scapy only here.
import glob
import re
import subprocess
import sys

from scapy.all import (ARP, ICMP, IP, SCTP, TCP, UDP, Dot1AD, Dot1Q, Ether,  # noqa: F401
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6, Raw, rdpcap)

QUOTED = re.compile(r'packet "(Ether\(.+?)" is sent|copies of the packet "(Ether\(.+)"$')


def expressions(text):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('|'):
            yield from (cell.strip() for cell in line.strip('|').split('|') if cell.strip().startswith('Ether('))
            continue
        for m in QUOTED.finditer(line):
            yield m.group(1) or m.group(2)


def ours(expr):
    r = subprocess.run(['node', 'bin/refswitch.js', 'packet', 'build', expr], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'refswitch packet build failed for {expr}: {r.stderr.strip()}')
    return bytes.fromhex(r.stdout.strip())


def main():
    bad = 0
    seen = set()
    for path in sorted(glob.glob('features/datapath/*.feature')):
        with open(path) as f:
            for expr in expressions(f.read()):
                if expr in seen:
                    continue
                seen.add(expr)
                theirs = bytes(eval(expr))  # noqa: S307 - the scenarios' own text
                mine = ours(expr)
                if theirs != mine:
                    bad += 1
                    print(f'MISMATCH {path}: {expr}\n  scapy    {theirs.hex()}\n  refswitch {mine.hex()}')
    sent = bytes(Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / IP(src='10.0.0.1', dst='10.0.0.2')
                 / UDP(sport=1000, dport=2000) / Raw(load='truncated after twenty bytes'))
    golden = [bytes(p) for p in rdpcap('features/datapath/nested-actions.golden/trunc-p2.pcap')]
    if golden != [sent[:20]]:
        bad += 1
        print(f'MISMATCH trunc-p2.pcap: {[g.hex() for g in golden]} != [{sent[:20].hex()}]')
    print(f'{len(seen)} expressions and 1 golden checked against scapy, {bad} mismatch(es)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
