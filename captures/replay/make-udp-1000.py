#!/usr/bin/python3
"""Writes captures/replay/udp-1000.pcap: 1,000 UDP datagrams from 10.0.0.1
to 10.0.0.2:5001, for features/replay/udp-1000.feature.

Run with Debian's python3 (scapy 2.5):  /usr/bin/python3 make-udp-1000.py
Deterministic: fixed addresses; datagram i (0-based) has IP ID i+1, source
port 20000+i and the 18-byte payload `udp-1000 seq NNNN` (NNNN = i, zero
padded), so every frame is exactly 60 bytes and the file 1,000 distinct
5-tuples; timestamps are 1 ms apart from 1700000000 s.
The source ports all differ on purpose: a rule that looks only at the
protocol and the destination address must serve them all with one megaflow.
"""
import os
import sys

from scapy.all import EDecimal, Ether, IP, Raw, UDP, wrpcap

COUNT = 1000


def datagram(i):
    payload = b'udp-1000 seq %04d ' % i
    assert len(payload) == 18
    return (Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
            / IP(src='10.0.0.1', dst='10.0.0.2', id=i + 1)
            / UDP(sport=20000 + i, dport=5001)
            / Raw(load=payload))


def main():
    packets = [datagram(i) for i in range(COUNT)]
    for i, p in enumerate(packets):
        assert len(p) == 60
        p.time = EDecimal(1700000000) + EDecimal(i) / EDecimal(1000)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'udp-1000.pcap')
    wrpcap(out, packets)
    print(f'wrote {out}: {len(packets)} packets', file=sys.stderr)


if __name__ == '__main__':
    main()
