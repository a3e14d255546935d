#!/usr/bin/python3
"""Writes captures/replay/mixed-60.pcap: 60 frames as seen on the link of a
host 10.0.0.1 (02:00:00:00:00:01), for features/replay/mixed-replay.feature.

Run with Debian's python3 (scapy 2.5):  /usr/bin/python3 make-mixed-60.py
Deterministic: fixed addresses, ports, IP IDs and TCP sequence numbers, and
timestamps 1 ms apart from 1700000000 s, so re-running gives the same bytes.

What is in it (the feature's rules send each kind to one port):
  15 TCP from the host to 10.0.1.10-12 (three connections: SYN, ACK, data,
     FIN, ACK)                                   -> tcp,nw_dst=10.0.1.0/24
   9 TCP replies from those servers to the host  -> no rule: dropped
  11 UDP from the host to 10.0.2.53:53 and 10.0.2.20:514
                                                 -> udp,nw_dst=10.0.2.0/24
   3 UDP replies to the host                     -> dropped
   7 ICMP echo requests to 10.0.1.10              -> icmp
   6 ARP (requests and one reply) from the host  -> arp
   9 others, all dropped: UDP into the TCP subnet, TCP and UDP to
     10.0.3.0/24, GRE to 10.0.2.53, two frames of ethertype 0x88b5.
Every packet a port receives belongs to one megaflow of that port (all
packets to the same port match the same masked key), so the userspace
datapath cannot reorder what one port emits however the replay is batched.
The conversations are interleaved round-robin, in a fixed order.
"""
import os
import sys

from scapy.all import ARP, EDecimal, Ether, ICMP, IP, Raw, TCP, UDP, wrpcap

HOST_MAC, ROUTER_MAC, BCAST = '02:00:00:00:00:01', '02:00:00:00:00:fe', 'ff:ff:ff:ff:ff:ff'
HOST = '10.0.0.1'


def to_net(dst, **ip):
    return Ether(src=HOST_MAC, dst=ROUTER_MAC) / IP(src=HOST, dst=dst, **ip)


def from_net(src, **ip):
    return Ether(src=ROUTER_MAC, dst=HOST_MAC) / IP(src=src, dst=HOST, **ip)


def tcp_conversation(server, sport, dport, request, response, ip_id):
    """Client packets (5) and server replies (3) of one short TCP exchange."""
    cseq, sseq = 1000 * sport, 7000
    req = Raw(load=request)
    client = [
        to_net(server, id=ip_id) / TCP(sport=sport, dport=dport, seq=cseq, flags='S'),
        to_net(server, id=ip_id + 1) / TCP(sport=sport, dport=dport, seq=cseq + 1, ack=sseq + 1, flags='A'),
        to_net(server, id=ip_id + 2) / TCP(sport=sport, dport=dport, seq=cseq + 1, ack=sseq + 1, flags='PA') / req,
        to_net(server, id=ip_id + 3) / TCP(sport=sport, dport=dport, seq=cseq + 1 + len(request),
                                           ack=sseq + 1 + len(response), flags='FA'),
        to_net(server, id=ip_id + 4) / TCP(sport=sport, dport=dport, seq=cseq + 2 + len(request),
                                           ack=sseq + 2 + len(response), flags='A'),
    ]
    server_side = [
        from_net(server, id=ip_id + 100) / TCP(sport=dport, dport=sport, seq=sseq, ack=cseq + 1, flags='SA'),
        from_net(server, id=ip_id + 101) / TCP(sport=dport, dport=sport, seq=sseq + 1, ack=cseq + 1 + len(request),
                                               flags='PA') / Raw(load=response),
        from_net(server, id=ip_id + 102) / TCP(sport=dport, dport=sport, seq=sseq + 1 + len(response),
                                               ack=cseq + 2 + len(request), flags='FA'),
    ]
    # The order on the wire: SYN, SYN-ACK, ACK, request, response, FIN, FIN, ACK.
    c, s = client, server_side
    return [c[0], s[0], c[1], c[2], s[1], c[3], s[2], c[4]]


def conversations():
    tcp = [
        tcp_conversation('10.0.1.10', 40001, 80, b'GET / HTTP/1.0\r\n\r\n', b'HTTP/1.0 200 OK\r\n\r\nhi', 0x100),
        tcp_conversation('10.0.1.11', 40002, 22, b'SSH-2.0-test\r\n', b'SSH-2.0-srv\r\n', 0x200),
        tcp_conversation('10.0.1.12', 40003, 443, b'\x16\x03\x01\x00\x05hello', b'\x16\x03\x03\x00\x02ok', 0x300),
    ]
    dns = []
    for i in range(8):
        dns.append(to_net('10.0.2.53', id=0x400 + i) / UDP(sport=50001 + i, dport=53) / Raw(load=b'query %d' % i))
        if i in (1, 4, 6):
            dns.append(from_net('10.0.2.53', id=0x480 + i) / UDP(sport=53, dport=50001 + i) / Raw(load=b'answer %d' % i))
    syslog = [to_net('10.0.2.20', id=0x500 + i) / UDP(sport=514, dport=514) / Raw(load=b'<13>log line %d' % i)
              for i in range(3)]
    ping = [to_net('10.0.1.10', id=0x600 + i) / ICMP(type='echo-request', id=0x77, seq=i + 1) / Raw(load=b'ping%02d' % i)
            for i in range(7)]
    arp = [Ether(src=HOST_MAC, dst=BCAST) / ARP(op='who-has', hwsrc=HOST_MAC, psrc=HOST,
                                                  hwdst='00:00:00:00:00:00', pdst=t)
           for t in ('10.0.0.254', '10.0.1.10', '10.0.1.11', '10.0.2.53', '10.0.3.5')]
    arp.insert(2, Ether(src=HOST_MAC, dst=ROUTER_MAC) / ARP(op='is-at', hwsrc=HOST_MAC, psrc=HOST,
                                                            hwdst=ROUTER_MAC, pdst='10.0.0.254'))
    others = [
        to_net('10.0.1.10', id=0x700) / UDP(sport=40100, dport=80) / Raw(load=b'udp to a tcp subnet'),
        to_net('10.0.3.5', id=0x701) / TCP(sport=40200, dport=443, seq=1, flags='S'),
        Ether(src=HOST_MAC, dst=ROUTER_MAC, type=0x88b5) / Raw(load=b'local experimental 1'),
        to_net('10.0.2.53', id=0x702, proto=47) / Raw(load=b'\x00\x00\x08\x00'),
        to_net('10.0.1.11', id=0x703) / UDP(sport=40101, dport=22) / Raw(load=b'udp again'),
        to_net('10.0.3.7', id=0x704) / UDP(sport=40300, dport=9999) / Raw(load=b'no route 1'),
        to_net('10.0.3.5', id=0x705) / TCP(sport=40201, dport=443, seq=1, flags='S'),
        Ether(src=HOST_MAC, dst=ROUTER_MAC, type=0x88b5) / Raw(load=b'local experimental 2'),
        to_net('10.0.3.7', id=0x706) / UDP(sport=40301, dport=9999) / Raw(load=b'no route 2'),
    ]
    return tcp + [dns, syslog, ping, arp, others]


def interleave(streams):
    """Round-robin over the streams in their fixed order until all are empty."""
    out, queues = [], [list(s) for s in streams]
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def main():
    packets = interleave(conversations())
    assert len(packets) == 60, len(packets)
    for i, p in enumerate(packets):
        p.time = EDecimal(1700000000) + EDecimal(i) / EDecimal(1000)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mixed-60.pcap')
    wrpcap(out, packets)
    print(f'wrote {out}: {len(packets)} packets', file=sys.stderr)


if __name__ == '__main__':
    main()
