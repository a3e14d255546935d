#!/usr/bin/python3
"""Writes captures/packet/summary-corpus.pcap: varied Ethernet frames for
cross-checking reference/packet/summary.ts against `tcpdump -nn -e -t -r`.

Run with Debian's python3 (scapy 2.5):  /usr/bin/python3 make-summary-corpus.py
The output is deterministic (fixed timestamps, addresses, IDs), so re-running
gives the same bytes. It then runs tcpdump on the file and keeps its output
in summary-corpus.tcpdump.txt (the expected summaries, from the real peer):
`tcpdump -nn -e -t -S -r summary-corpus.pcap` (-S: absolute TCP sequence
numbers, since the summary is computed per packet).

Scope: link layer (Ethernet II, 802.3/LLC/SNAP, 802.1Q, 802.1ad), ARP, IPv4
(options, fragments, unknown protocols), IPv6 (extension headers), ICMP,
ICMPv6 (echo, errors, neighbour discovery), TCP (flags, options, payload),
UDP, SCTP, and truncated or malformed packets. Application protocols are
left out on purpose: ports are chosen so that tcpdump does not dissect the
payload (no 53, 67, 123, 4789, ...).
"""
import os
import subprocess
import sys

from scapy.all import (
    ARP, Dot1AD, Dot1Q, Dot3, Ether, ICMP, ICMPv6DestUnreach, ICMPv6EchoReply,
    ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
    ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig,
    ICMPv6TimeExceeded, IP, IPOption_RR, IPOption_Router_Alert, IPv6,
    IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting, LLC, Padding, Raw, SCTP, SCTPChunkData,
    SCTPChunkInit, SCTPChunkSACK, SCTPChunkAbort, SCTPChunkHeartbeatReq, SNAP, TCP, UDP, EDecimal, wrpcap,
)

A, B, BCAST = '02:00:00:00:00:01', '02:00:00:00:00:02', 'ff:ff:ff:ff:ff:ff'
IP_A, IP_B = '10.0.0.1', '10.0.0.2'
V6_A, V6_B = 'fe80::1', 'fe80::2'
G6_A, G6_B = '2001:db8::1', '2001:db8:0:1::2'


def eth(src=A, dst=B):
    return Ether(src=src, dst=dst)


def ip4(**kw):
    return eth() / IP(src=IP_A, dst=IP_B, **kw)


def ip6(src=V6_A, dst=V6_B, **kw):
    return eth() / IPv6(src=src, dst=dst, **kw)


def link_layer():
    return [
        Ether(src=A, dst=B, type=0x88b5) / Raw(b'local experimental'),  # unknown ethertype
        Dot3(src=A, dst=B) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800)
        / IP(src=IP_A, dst=IP_B) / UDP(sport=40000, dport=40001) / Raw(b'snap'),
        Dot3(src=A, dst=B) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0806)
        / ARP(psrc=IP_A, pdst=IP_B, hwsrc=A),
        Dot3(src=A, dst=B) / LLC(dsap=0xf0, ssap=0xf0, ctrl=3) / Raw(b'netbios-ish'),
        eth() / Dot1Q(vlan=10) / IP(src=IP_A, dst=IP_B) / TCP(sport=1234, dport=80, flags='S'),
        eth() / Dot1Q(vlan=4094, prio=5) / ARP(psrc=IP_A, pdst=IP_B, hwsrc=A),
        eth() / Dot1Q(vlan=7, prio=3, id=1) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=40000, dport=40002),
        eth() / Dot1AD(vlan=100) / Dot1Q(vlan=10) / IP(src=IP_A, dst=IP_B) / UDP(sport=40000, dport=40003),
        eth() / Dot1Q(vlan=20) / Dot1Q(vlan=30) / IP(src=IP_A, dst=IP_B) / ICMP(),
        eth() / Dot1Q(vlan=0, prio=6, type=0x88b5) / Raw(b'\x12\x34'),  # vlan 0, unknown ethertype
    ]


def arp():
    return [
        eth(dst=BCAST) / ARP(psrc=IP_A, pdst=IP_B, hwsrc=A),
        eth(src=B, dst=A) / ARP(op=2, psrc=IP_B, pdst=IP_A, hwsrc=B, hwdst=A),
        eth(dst=BCAST) / ARP(op=1, psrc=IP_A, pdst=IP_A, hwsrc=A),      # gratuitous
        eth(dst=BCAST) / ARP(psrc=IP_A, pdst=IP_B, hwsrc=A) / Padding(b'\x00' * 18),
        eth(dst=BCAST) / ARP(op=3, psrc=IP_A, pdst=IP_B, hwsrc=A, hwdst=B),   # RARP request
        eth(dst=BCAST) / ARP(op=4, psrc=IP_A, pdst=IP_B, hwsrc=A, hwdst=B),   # RARP reply
        eth(dst=BCAST) / ARP(op=9, psrc=IP_A, pdst=IP_B, hwsrc=A, hwdst=B),   # InARP reply
        eth(dst=BCAST) / ARP(op=20, psrc=IP_A, pdst=IP_B, hwsrc=A, hwdst=B),  # unknown op
        eth(dst=BCAST) / ARP(ptype=0x8888, plen=4, psrc=b'\x0a\x00\x00\x01', pdst=b'\x0a\x00\x00\x02', hwsrc=A),  # odd protocol
    ]


def ipv4():
    return [
        ip4() / TCP(sport=1234, dport=80, flags='S'),
        ip4(ttl=1, tos=0xb8, id=0x1234) / UDP(sport=40000, dport=40004) / Raw(b'x' * 10),
        ip4(options=[IPOption_RR(routers=['1.2.3.4'])]) / UDP(sport=40000, dport=40005),
        ip4(options=[IPOption_Router_Alert()]) / Raw(b'y' * 8),
        ip4(flags='MF', id=7, proto=17) / UDP(sport=40000, dport=40006, len=1208) / Raw(b'z' * 100),
        ip4(frag=100, id=7, proto=17) / Raw(b'z' * 100),
        ip4(flags='MF', frag=13, id=7, proto=6) / Raw(b'w' * 40),
        ip4(flags='DF') / TCP(sport=1234, dport=80, flags='A'),
        ip4(proto=253) / Raw(b'experimental'),
        ip4(proto=0) / Raw(b'hop-by-hop'),
        eth() / IP(src=IP_A, dst='255.255.255.255') / UDP(sport=40000, dport=40007) / Raw(b'bcast'),
    ]


def icmp4():
    inner = IP(src=IP_A, dst=IP_B) / UDP(sport=40000, dport=40008)
    return [
        ip4() / ICMP(type=8, id=1, seq=1) / Raw(b'p' * 56),
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / ICMP(type=0, id=1, seq=1) / Raw(b'p' * 56),
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / ICMP(type=3, code=3) / inner,
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / ICMP(type=3, code=1) / inner,
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / ICMP(type=3, code=4, nexthopmtu=1400) / inner,
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / ICMP(type=11, code=0) / inner,
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / ICMP(type=5, code=1, gw='10.0.0.254') / inner,
        ip4() / ICMP(type=13, id=2, seq=3) / Raw(b'\x00' * 12),
        ip4() / ICMP(type=42, code=0) / Raw(b'\x00' * 4),
    ]


def tcp4():
    opts = [('MSS', 1460), ('SAckOK', b''), ('Timestamp', (12345, 0)), ('NOP', None), ('WScale', 7)]
    return [
        ip4() / TCP(sport=40000, dport=5001, flags='S', seq=1000, window=64240, options=opts),
        eth(src=B, dst=A) / IP(src=IP_B, dst=IP_A) / TCP(sport=5001, dport=40000, flags='SA', seq=5000, ack=1001, window=65160, options=opts),
        ip4() / TCP(sport=40000, dport=5001, flags='A', seq=1001, ack=5001, window=502),
        ip4() / TCP(sport=40000, dport=5001, flags='PA', seq=1001, ack=5001, window=502) / Raw(b'hello, world\n'),
        ip4() / TCP(sport=40000, dport=5001, flags='PA', seq=1001, ack=5001, options=[('NOP', None), ('NOP', None), ('Timestamp', (100, 200))]) / Raw(b'data' * 25),
        ip4() / TCP(sport=40000, dport=5001, flags='FA', seq=1014, ack=5001),
        ip4() / TCP(sport=40000, dport=5001, flags='R', seq=1015),
        ip4() / TCP(sport=40000, dport=5001, flags='RA', seq=0, ack=1),
        ip4() / TCP(sport=40000, dport=5001, flags='SEC', seq=1),
        ip4() / TCP(sport=40000, dport=5001, flags='UA', urgptr=5, seq=1, ack=1) / Raw(b'urgent'),
        ip4() / TCP(sport=40000, dport=5001, flags='A', seq=1, ack=1, options=[('SAck', (100, 200, 300, 400))]),
        ip4() / TCP(sport=40000, dport=5001, flags='S', options=[('MSS', 536), ('EOL', None)]),
        ip4() / TCP(sport=40000, dport=5001, flags='S', options=[(99, b'\x01\x02')]),
        ip4() / TCP(sport=40000, dport=5001, flags='', seq=7),
        ip4() / TCP(sport=40000, dport=5001, flags='FSRPAUEC'),
        ip4() / TCP(sport=40000, dport=5001, flags='S', reserved=1),
    ]


def udp_sctp():
    return [
        ip4() / UDP(sport=40000, dport=40009) / Raw(b'0123456789'),
        ip4() / UDP(sport=40000, dport=40010),
        ip4() / UDP(sport=40000, dport=40011, len=100) / Raw(b'short'),   # length field says more
        ip4() / SCTP(sport=40000, dport=5002, tag=0) / SCTPChunkInit(init_tag=1, a_rwnd=65535, n_out_streams=10, n_in_streams=10, init_tsn=100),
        ip4() / SCTP(sport=40000, dport=5002, tag=1) / SCTPChunkData(tsn=100, stream_id=1, stream_seq=2, proto_id=0, data=b'sctp data'),
        ip4() / SCTP(sport=5002, dport=40000, tag=1) / SCTPChunkSACK(cumul_tsn_ack=100, a_rwnd=65535),
        ip4() / SCTP(sport=40000, dport=5002, tag=1) / SCTPChunkHeartbeatReq(),
        ip4() / SCTP(sport=40000, dport=5002, tag=1) / SCTPChunkAbort(),
        ip6() / SCTP(sport=40000, dport=5002, tag=1) / SCTPChunkData(tsn=5, data=b'x'),
    ]


def ipv6():
    return [
        ip6() / TCP(sport=1234, dport=80, flags='S'),
        ip6(src=G6_A, dst=G6_B, hlim=1, tc=0xb8, fl=0x12345) / UDP(sport=40000, dport=40012) / Raw(b'v6'),
        ip6() / ICMPv6EchoRequest(id=1, seq=1, data=b'q' * 56),
        ip6(src=V6_B, dst=V6_A) / ICMPv6EchoReply(id=1, seq=1, data=b'q' * 56),
        ip6(dst='ff02::1:ff00:2') / ICMPv6ND_NS(tgt=V6_B) / ICMPv6NDOptSrcLLAddr(lladdr=A),
        ip6(src=V6_B, dst=V6_A) / ICMPv6ND_NA(tgt=V6_B, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=B),
        ip6(dst='ff02::2') / ICMPv6ND_RS(),
        ip6(dst='ff02::1') / ICMPv6ND_RA(),
        ip6(src=V6_B, dst=V6_A) / ICMPv6DestUnreach(code=4) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=40000, dport=40013),
        ip6(src=V6_B, dst=V6_A) / ICMPv6PacketTooBig(mtu=1280) / IPv6(src=V6_A, dst=V6_B) / UDP(sport=40000, dport=40014),
        ip6(src=V6_B, dst=V6_A) / ICMPv6TimeExceeded() / IPv6(src=V6_A, dst=V6_B) / UDP(sport=40000, dport=40015),
        ip6() / IPv6ExtHdrHopByHop() / UDP(sport=40000, dport=40016),
        ip6() / IPv6ExtHdrDestOpt() / TCP(sport=40000, dport=5001, flags='S'),
        ip6() / IPv6ExtHdrRouting(addresses=[G6_B], segleft=1) / UDP(sport=40000, dport=40017),
        ip6() / IPv6ExtHdrFragment(id=0x1234, m=1, nh=17) / UDP(sport=40000, dport=40018) / Raw(b'f' * 16),
        ip6() / IPv6ExtHdrFragment(id=0x1234, offset=3, nh=17) / Raw(b'f' * 16),
        ip6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / ICMPv6EchoRequest(),
        ip6(nh=253) / Raw(b'experimental'),
        ip6(nh=59),
    ]


def broken():
    syn = bytes(ip4() / TCP(sport=1234, dport=80, flags='S'))
    udp = bytes(ip4() / UDP(sport=40000, dport=40019) / Raw(b'0123456789'))
    v6 = bytes(ip6() / ICMPv6EchoRequest(id=1, seq=1))
    arp_req = bytes(eth(dst=BCAST) / ARP(psrc=IP_A, pdst=IP_B, hwsrc=A))
    bad_ihl = bytearray(bytes(ip4() / UDP(sport=40000, dport=40020)))
    bad_ihl[14] = 0x44                                                 # IHL 4 (< 5)
    bad_len = bytearray(bytes(ip4() / UDP(sport=40000, dport=40021)))
    bad_len[16:18] = b'\x00\x10'                                        # total length 16 < IHL
    bad_version = bytearray(bytes(ip4() / UDP(sport=40000, dport=40022)))
    bad_version[14] = 0x75
    bad_doff = bytearray(syn)
    bad_doff[14 + 20 + 12] = 0x30                                       # TCP data offset 3
    # Raw: scapy would re-dissect (and refuse) these bytes as Ether.
    return [
        Raw(syn[:10]),                  # shorter than an Ethernet header
        Raw(syn[:14 + 12]),             # IPv4 header cut
        Raw(syn[:14 + 20 + 8]),         # TCP header cut
        Raw(syn[:14 + 20 + 14]),        # TCP header cut after flags
        Raw(udp[:14 + 20 + 4]),         # UDP header cut
        Raw(udp[:14 + 20 + 8 + 3]),     # UDP payload cut
        Raw(v6[:14 + 30]),              # IPv6 header cut
        Raw(v6[:14 + 40 + 2]),          # ICMPv6 header cut
        Raw(arp_req[:14 + 20]),         # ARP cut
        Raw(bytes(bad_ihl)),
        Raw(bytes(bad_len)),
        Raw(bytes(bad_version)),
        Raw(bytes(bad_doff)),
        Raw(bytes(ip4() / TCP(sport=1234, dport=80, flags='S', options=[('MSS', 1460)]))[:14 + 20 + 22]),
    ]


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'summary-corpus.pcap')
    if len(sys.argv) > 1:
        out = sys.argv[1]
    packets = link_layer() + arp() + ipv4() + icmp4() + tcp4() + udp_sctp() + ipv6() + broken()
    for i, p in enumerate(packets):
        p.time = EDecimal(1700000000) + EDecimal(i) / EDecimal(1000)
    wrpcap(out, packets)
    print(f'{len(packets)} packets written to {out}')
    text = subprocess.run(['tcpdump', '-nn', '-e', '-t', '-S', '-r', out], check=True,
                          capture_output=True, text=True).stdout
    expected = os.path.splitext(out)[0] + '.tcpdump.txt'
    with open(expected, 'w') as f:
        f.write(text)
    print(f'tcpdump output written to {expected}')


if __name__ == '__main__':
    main()
