#!/usr/bin/python3
"""Build captures/flow/extract-corpus.pcap: the flow-extraction cross-check corpus.

What: a few hundred deliberately varied Ethernet frames, good and malformed,
used to compare refswitch's flow extraction with Open vSwitch's
(`ovs-appctl ofproto/trace br0 in_port=1 <hex>` prints the `Flow:` line).
Every packet gets a short label, written one per line to
extract-corpus.labels.txt in the same order as the pcap.

Invariant: the output is deterministic (fixed addresses, fixed timestamps),
so re-running the script reproduces the same bytes and the recorded Open
vSwitch lines stay valid.

Run with Debian's scapy: /usr/bin/python3 captures/flow/make-extract-corpus.py
"""
import os
import struct

from scapy.all import (ARP, GRE, ICMP, IP, LLC, SNAP, TCP, UDP, Dot1AD, Dot1Q,
                       Dot3, Ether, IPOption_NOP, IPOption_RR, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Raw,
                       raw)
from scapy.contrib.mpls import MPLS
from scapy.layers.inet6 import (ICMPv6DestUnreach, ICMPv6EchoReply,
                                ICMPv6EchoRequest, ICMPv6MLQuery,
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA,
                                ICMPv6ND_Redirect, ICMPv6ND_RS,
                                ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU,
                                ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
                                ICMPv6PacketTooBig, ICMPv6ParamProblem,
                                ICMPv6TimeExceeded)
from scapy.layers.ipsec import AH, ESP
from scapy.layers.sctp import SCTP, SCTPChunkInit, SCTPChunkData

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = "02:00:00:00:00:01"
DST = "02:00:00:00:00:02"
V4S, V4D = "10.0.0.1", "10.0.0.2"
V6S, V6D = "2001:db8::1", "2001:db8::2"

corpus = []


def add(label, pkt):
    data = pkt if isinstance(pkt, bytes) else raw(pkt)
    corpus.append((label, data))


def eth(t=None):
    return Ether(src=SRC, dst=DST) if t is None else Ether(src=SRC, dst=DST, type=t)


def ip4(**kw):
    return eth() / IP(**{"src": V4S, "dst": V4D, **kw})


def ip6(**kw):
    return eth() / IPv6(**{"src": V6S, "dst": V6D, **kw})


def runts():
    base = raw(ip4() / TCP(sport=1234, dport=80))
    for n in (1, 6, 12, 13):
        add(f"runt {n} bytes", base[:n])
    add("ethernet header only, ipv4 type", raw(eth(0x0800)))
    add("ethernet header only, ipv6 type", raw(eth(0x86DD)))
    add("ethernet header only, arp type", raw(eth(0x0806)))
    add("ethernet, unknown type 0x88b5", eth(0x88B5) / Raw(b"payload!"))
    add("ethernet, type 0x0600 (first ethertype)", eth(0x0600) / Raw(b"x" * 10))
    add("ethernet, broadcast dst", Ether(src=SRC, dst="ff:ff:ff:ff:ff:ff", type=0x88B6) / Raw(b"y" * 4))
    add("ethernet, multicast src", Ether(src="01:00:5e:00:00:01", dst=DST, type=0x88B6))


def ieee8023():
    add("802.3 llc stp-like", Dot3(src=SRC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / Raw(b"\x00" * 35))
    add("802.3 length field 0x05dc no llc", Ether(src=SRC, dst=DST, type=0x05DC) / Raw(b"\x00" * 20))
    add("802.3 llc+snap oui 0 ipv4", Dot3(src=SRC, dst=DST) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800) / IP(src=V4S, dst=V4D) / UDP(sport=1, dport=2))
    add("802.3 llc+snap oui 0 arp", Dot3(src=SRC, dst=DST) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0806) / Raw(b"\x00" * 28))
    add("802.3 llc+snap non-zero oui", Dot3(src=SRC, dst=DST) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0x00000C, code=0x2000) / Raw(b"cdp" * 5))
    add("802.3 llc+snap code below 0x600", Dot3(src=SRC, dst=DST) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0100) / Raw(b"z" * 8))
    add("802.3 snap truncated after llc", raw(eth(0x0010)) + b"\xaa\xaa\x03")
    add("802.3 snap truncated in oui", raw(eth(0x0010)) + b"\xaa\xaa\x03\x00\x00")
    add("802.3 length only, no payload", raw(eth(0x0000)))
    add("802.3 llc dsap aa ctrl not 3", raw(eth(0x0020)) + b"\xaa\xaa\x13\x00\x00\x00\x08\x00" + b"\x00" * 20)


def vlans():
    inner = IP(src=V4S, dst=V4D) / TCP(sport=1234, dport=80)
    add("vlan 10 pcp 0 tcp", eth() / Dot1Q(vlan=10, prio=0) / inner)
    add("vlan 4095 pcp 7", eth() / Dot1Q(vlan=4095, prio=7) / inner)
    add("vlan 0 priority tag pcp 5", eth() / Dot1Q(vlan=0, prio=5) / inner)
    add("vlan 100 dei set", eth() / Dot1Q(vlan=100, prio=3, id=1) / inner)
    add("vlan 1 arp", eth() / Dot1Q(vlan=1) / ARP(hwsrc=SRC, psrc=V4S, pdst=V4D))
    add("vlan 20 ipv6 udp", eth() / Dot1Q(vlan=20, prio=2) / IPv6(src=V6S, dst=V6D) / UDP(sport=5, dport=6))
    add("qinq 88a8 100 / 8100 200", Ether(src=SRC, dst=DST) / Dot1AD(vlan=100, prio=1) / Dot1Q(vlan=200, prio=4) / inner)
    add("double 8100 10 / 8100 20", eth() / Dot1Q(vlan=10) / Dot1Q(vlan=20) / inner)
    add("triple tag 8100 x3", eth() / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / inner)
    add("vlan tpid 0x9100", Ether(src=SRC, dst=DST, type=0x9100) / Raw(struct.pack("!HH", 30, 0x0800)) / inner)
    add("vlan tag truncated (2 bytes)", raw(eth(0x8100)) + b"\x00\x0a")
    add("vlan tag cut after 3 bytes", raw(eth(0x8100)) + b"\x00\x0a\x08")
    add("vlan with inner length 802.3", raw(eth(0x8100)) + b"\x00\x0a\x00\x20" + b"\x42\x42\x03" + b"\x00" * 20)
    add("vlan unknown inner type", eth() / Dot1Q(vlan=7) / Raw(b"\x88\xb5hello"))
    add("qinq outer only then truncated", raw(eth(0x88A8)) + b"\x00\x64\x81\x00\x00")
    add("vlan 10 mpls", eth() / Dot1Q(vlan=10, type=0x8847) / MPLS(label=16, s=1, ttl=64) / Raw(b"\x45" + b"\x00" * 19))


def mpls():
    pl = IP(src=V4S, dst=V4D) / UDP(sport=1, dport=2)
    add("mpls one label", eth(0x8847) / MPLS(label=100, cos=3, s=1, ttl=63) / pl)
    add("mpls two labels", eth(0x8847) / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, cos=1, s=1, ttl=5) / pl)
    add("mpls three labels", eth(0x8847) / MPLS(label=1, s=0) / MPLS(label=2, s=0) / MPLS(label=3, s=1) / pl)
    add("mpls four labels", eth(0x8847) / MPLS(label=1, s=0) / MPLS(label=2, s=0) / MPLS(label=3, s=0) / MPLS(label=4, s=1) / pl)
    add("mpls no bottom of stack", eth(0x8847) / MPLS(label=1, s=0) / MPLS(label=2, s=0))
    add("mpls multicast 8848", eth(0x8848) / MPLS(label=1048575, cos=7, s=1, ttl=255) / pl)
    add("mpls truncated label", raw(eth(0x8847)) + b"\x00\x06")
    add("mpls label 0 explicit null", eth(0x8847) / MPLS(label=0, s=1, ttl=1) / pl)


def arps():
    add("arp request", eth(0x0806) / ARP(op=1, hwsrc=SRC, psrc=V4S, pdst=V4D))
    add("arp reply", eth(0x0806) / ARP(op=2, hwsrc=SRC, psrc=V4S, hwdst=DST, pdst=V4D))
    add("arp gratuitous", eth(0x0806) / ARP(op=1, hwsrc=SRC, psrc=V4S, pdst=V4S, hwdst="ff:ff:ff:ff:ff:ff"))
    add("rarp request", eth(0x8035) / ARP(op=3, hwsrc=SRC, hwdst=SRC, psrc="0.0.0.0", pdst="0.0.0.0"))
    add("rarp reply", eth(0x8035) / ARP(op=4, hwsrc=DST, psrc=V4D, hwdst=SRC, pdst=V4S))
    add("arp op 256", eth(0x0806) / ARP(op=256, hwsrc=SRC, psrc=V4S, pdst=V4D))
    add("arp op 0x0203", eth(0x0806) / ARP(op=0x0203, hwsrc=SRC, psrc=V4S, pdst=V4D))
    add("arp hwlen 8", eth(0x0806) / Raw(struct.pack("!HHBBH", 1, 0x0800, 8, 4, 1) + b"\x11" * 8 + bytes([10, 0, 0, 1]) + b"\x22" * 8 + bytes([10, 0, 0, 2])))
    add("arp plen 6", eth(0x0806) / Raw(struct.pack("!HHBBH", 1, 0x0800, 6, 6, 1) + b"\x11" * 6 + b"\x0a" * 6 + b"\x22" * 6 + b"\x0b" * 6))
    add("arp hwtype 6 (ieee802)", eth(0x0806) / ARP(hwtype=6, op=1, hwsrc=SRC, psrc=V4S, pdst=V4D))
    add("arp ptype 0x86dd", eth(0x0806) / Raw(struct.pack("!HHBBH", 1, 0x86DD, 6, 4, 1) + b"\x11" * 6 + bytes([10, 0, 0, 1]) + b"\x22" * 6 + bytes([10, 0, 0, 2])))
    add("arp truncated 20 bytes", raw(eth(0x0806) / ARP(op=1, hwsrc=SRC, psrc=V4S, pdst=V4D))[:34])
    add("arp truncated 8 bytes", raw(eth(0x0806) / ARP(op=1))[:22])
    add("arp padded to 60", eth(0x0806) / ARP(op=2, hwsrc=SRC, psrc=V4S, pdst=V4D) / Raw(b"\x00" * 18))
    add("rarp hwlen 0", eth(0x8035) / Raw(struct.pack("!HHBBH", 1, 0x0800, 0, 4, 3) + bytes([10, 0, 0, 1, 10, 0, 0, 2])))


TCP_FLAG_SETS = ["", "S", "SA", "A", "PA", "FA", "R", "RA", "F", "U", "UA", "E", "C", "EC",
                 "SEC", "FSRPAUEC", "N", "FSRPAUECN"]


def ipv4_l4():
    for fl in TCP_FLAG_SETS:
        add(f"ipv4 tcp flags [{fl or 'none'}]", ip4() / TCP(sport=1234, dport=80, flags=fl))
    add("ipv4 tcp reserved flag bits 0x200", ip4() / TCP(sport=1, dport=2, reserved=1, flags="S"))
    add("ipv4 tcp reserved flag bits 0xe00", ip4() / TCP(sport=1, dport=2, reserved=7, flags="A"))
    add("ipv4 tcp ports 0 and 65535", ip4() / TCP(sport=0, dport=65535))
    add("ipv4 tcp with options and data", ip4() / TCP(sport=40000, dport=443, flags="S", options=[("MSS", 1460), ("WScale", 7)]) / Raw(b"hello"))
    add("ipv4 tcp data offset 4 (bad)", ip4() / TCP(sport=1, dport=2, dataofs=4))
    add("ipv4 tcp data offset 15 beyond packet", ip4() / TCP(sport=1, dport=2, dataofs=15))
    add("ipv4 tcp truncated 12 bytes", raw(ip4() / TCP(sport=1, dport=2))[:34 + 12])
    add("ipv4 tcp truncated 19 bytes", raw(ip4() / TCP(sport=1, dport=2))[:34 + 19])
    add("ipv4 udp", ip4() / UDP(sport=53, dport=5353) / Raw(b"q"))
    add("ipv4 udp truncated 4 bytes", raw(ip4() / UDP(sport=53, dport=5353))[:38])
    add("ipv4 udp truncated 7 bytes", raw(ip4() / UDP(sport=53, dport=5353))[:41])
    add("ipv4 udp dhcp broadcast", eth() / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / Raw(b"\x01" * 20))
    add("ipv4 sctp init", ip4() / SCTP(sport=5000, dport=6000) / SCTPChunkInit())
    add("ipv4 sctp data", ip4() / SCTP(sport=1, dport=2) / SCTPChunkData(data=b"abc"))
    add("ipv4 sctp truncated 10 bytes", raw(ip4() / SCTP(sport=5000, dport=6000))[:44])
    icmps = [(8, 0, "echo request"), (0, 0, "echo reply"), (3, 3, "port unreachable"),
             (3, 4, "frag needed"), (5, 1, "redirect host"), (11, 0, "ttl exceeded"),
             (12, 0, "param problem"), (13, 0, "timestamp"), (255, 255, "type 255 code 255")]
    for t, c, name in icmps:
        add(f"ipv4 icmp {name}", ip4() / ICMP(type=t, code=c))
    add("ipv4 icmp truncated 1 byte", raw(ip4() / ICMP())[:35])
    add("ipv4 icmp truncated 3 bytes", raw(ip4() / ICMP())[:37])
    add("ipv4 icmp unreachable with inner", ip4() / ICMP(type=3, code=1) / IP(src=V4D, dst="8.8.8.8") / UDP(sport=9, dport=10))
    add("ipv4 igmp v2 report", ip4(ttl=1, proto=2) / Raw(bytes([0x16, 0, 0, 0, 224, 1, 2, 3])))
    add("ipv4 igmp query", ip4(ttl=1, proto=2, dst="224.0.0.1") / Raw(bytes([0x11, 0x64, 0, 0, 0, 0, 0, 0])))
    add("ipv4 igmp truncated", ip4(ttl=1, proto=2) / Raw(bytes([0x16, 0])))
    add("ipv4 gre", ip4() / GRE() / IP(src="1.1.1.1", dst="2.2.2.2"))
    add("ipv4 esp", ip4() / ESP(spi=1, seq=1) / Raw(b"x" * 8))
    add("ipv4 ah", ip4() / AH(spi=1, seq=1, nh=6) / TCP())
    add("ipv4 proto 0", ip4(proto=0) / Raw(b"abcd"))
    add("ipv4 proto 255", ip4(proto=255) / Raw(b"abcd"))
    add("ipv4 proto 41 (6in4)", ip4() / IPv6(src=V6S, dst=V6D) / UDP())
    add("ipv4 proto 132 empty payload", ip4(proto=132))
    add("ipv4 proto 6 empty payload", ip4(proto=6))
    add("ipv4 proto 17 empty payload", ip4(proto=17))
    add("ipv4 proto 1 empty payload", ip4(proto=1))


def ipv4_header():
    l4 = TCP(sport=1234, dport=80)
    for tos in (0x01, 0x02, 0x03, 0xB8, 0xFF, 0x20):
        add(f"ipv4 tos 0x{tos:02x}", ip4(tos=tos) / l4)
    for ttl in (0, 1, 255):
        add(f"ipv4 ttl {ttl}", ip4(ttl=ttl) / l4)
    add("ipv4 src/dst multicast", eth() / IP(src="192.168.255.254", dst="239.255.255.250") / UDP(sport=1900, dport=1900))
    add("ipv4 options nop+rr", ip4(options=[IPOption_NOP(), IPOption_RR(routers=["1.2.3.4"])]) / l4)
    add("ipv4 options 40 bytes", ip4(options=[IPOption_RR(routers=["1.1.1.1"] * 9), IPOption_NOP()]) / UDP(sport=7, dport=8))
    good = raw(ip4() / l4)

    def patch(b, off, val):
        return b[:off] + bytes([val]) + b[off + 1:]

    add("ipv4 ihl 4 (too small)", patch(good, 14, 0x44))
    add("ipv4 ihl 0", patch(good, 14, 0x40))
    add("ipv4 ihl 15 beyond packet", patch(good, 14, 0x4F))
    add("ipv4 version 6 in ipv4 type", patch(good, 14, 0x65))
    add("ipv4 version 0", patch(good, 14, 0x05))
    add("ipv4 total length 10 (< ihl)", good[:16] + struct.pack("!H", 10) + good[18:])
    add("ipv4 total length 19", good[:16] + struct.pack("!H", 19) + good[18:])
    add("ipv4 total length 20 (no l4)", good[:16] + struct.pack("!H", 20) + good[18:])
    add("ipv4 total length 30 (l4 cut)", good[:16] + struct.pack("!H", 30) + good[18:])
    add("ipv4 total length larger than frame", good[:16] + struct.pack("!H", 1000) + good[18:])
    add("ipv4 total length 0", good[:16] + struct.pack("!H", 0) + good[18:])
    add("ipv4 trailing padding", good + b"\x00" * 6)
    add("ipv4 header truncated 10 bytes", good[:24])
    add("ipv4 header truncated 19 bytes", good[:33])
    add("ipv4 bad checksum", good[:24] + b"\xde\xad" + good[26:])


def ipv4_frags():
    pl = TCP(sport=1234, dport=80, flags="S") / Raw(b"A" * 40)
    add("ipv4 frag first (MF, off 0) tcp", ip4(flags="MF", frag=0) / pl)
    add("ipv4 frag middle (MF, off 8)", ip4(flags="MF", frag=8, proto=6) / Raw(b"B" * 16))
    add("ipv4 frag last (off 16)", ip4(frag=16, proto=6) / Raw(b"C" * 8))
    add("ipv4 frag later udp", ip4(frag=1, proto=17) / Raw(b"D" * 8))
    add("ipv4 frag later icmp", ip4(frag=100, proto=1) / Raw(b"E" * 8))
    add("ipv4 frag first udp", ip4(flags="MF") / UDP(sport=4000, dport=4001) / Raw(b"F" * 16))
    add("ipv4 frag first icmp", ip4(flags="MF") / ICMP(type=8) / Raw(b"G" * 16))
    add("ipv4 df set tcp", ip4(flags="DF") / TCP(sport=1, dport=2))
    add("ipv4 df+mf", ip4(flags="DF+MF") / TCP(sport=1, dport=2))
    add("ipv4 evil bit", ip4(flags="evil") / TCP(sport=1, dport=2))
    add("ipv4 frag first truncated l4", ip4(flags="MF", proto=6) / Raw(b"\x04\xd2"))
    add("ipv4 frag max offset", ip4(frag=8191, proto=17) / Raw(b"H" * 8))
    add("ipv4 frag later zero length", ip4(frag=3, proto=6))


def ipv6_basic():
    for fl in ("S", "SA", "FA", "R", "PA", "", "FSRPAUECN"):
        add(f"ipv6 tcp flags [{fl or 'none'}]", ip6() / TCP(sport=1234, dport=80, flags=fl))
    add("ipv6 udp", ip6() / UDP(sport=546, dport=547))
    add("ipv6 sctp", ip6() / SCTP(sport=1, dport=2) / SCTPChunkInit())
    add("ipv6 flow label 0xabcde tc 0xb9", ip6(fl=0xABCDE, tc=0xB9) / UDP(sport=1, dport=2))
    add("ipv6 hlim 0", ip6(hlim=0) / UDP())
    add("ipv6 hlim 255 tc 3", ip6(hlim=255, tc=3) / UDP())
    add("ipv6 link-local multicast", eth() / IPv6(src="fe80::1", dst="ff02::1:ff00:2") / UDP())
    add("ipv6 v4-mapped addresses", eth() / IPv6(src="::ffff:10.0.0.1", dst="::ffff:10.0.0.2") / UDP())
    add("ipv6 unspecified and loopback", eth() / IPv6(src="::", dst="::1") / UDP())
    add("ipv6 addresses with zero runs", eth() / IPv6(src="2001:0:0:1:0:0:0:1", dst="1:0:1:0:1:0:1:0") / UDP())
    add("ipv6 v4-compatible address", eth() / IPv6(src="::10.0.0.1", dst="::1:2") / UDP())
    add("ipv6 no next header", ip6(nh=59))
    add("ipv6 proto 255", ip6(nh=255) / Raw(b"data"))
    add("ipv6 payload length larger than frame", raw(ip6() / UDP())[:18] + b"\x05\x00" + raw(ip6() / UDP())[20:])
    add("ipv6 payload length 0 with udp", raw(ip6() / UDP())[:18] + b"\x00\x00" + raw(ip6() / UDP())[20:])
    add("ipv6 payload length 4 (udp cut)", raw(ip6() / UDP())[:18] + b"\x00\x04" + raw(ip6() / UDP())[20:])
    add("ipv6 header truncated 30 bytes", raw(ip6() / UDP())[:44])
    add("ipv6 version 4 in ipv6 type", b"".join([raw(ip6() / UDP())[:14], b"\x40", raw(ip6() / UDP())[15:]]))
    add("ipv6 tcp truncated", raw(ip6() / TCP(sport=1, dport=2))[:54 + 10])
    add("ipv6 udp truncated", raw(ip6() / UDP(sport=1, dport=2))[:54 + 6])
    add("ipv6 tcp with trailing padding", raw(ip6() / TCP(sport=3, dport=4)) + b"\x00" * 6)


def ipv6_ext():
    u = UDP(sport=1000, dport=2000)
    add("ipv6 hop-by-hop udp", ip6() / IPv6ExtHdrHopByHop() / u)
    add("ipv6 routing type 0 udp", ip6() / IPv6ExtHdrRouting(addresses=["2001:db8::99"]) / u)
    add("ipv6 dest opts tcp", ip6() / IPv6ExtHdrDestOpt() / TCP(sport=5, dport=6))
    add("ipv6 hop+dest+routing+dest udp", ip6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() / IPv6ExtHdrDestOpt() / u)
    add("ipv6 frag first udp", ip6() / IPv6ExtHdrFragment(offset=0, m=1, id=7) / u / Raw(b"x" * 16))
    add("ipv6 frag later udp", ip6() / IPv6ExtHdrFragment(offset=3, m=1, id=7, nh=17) / Raw(b"x" * 16))
    add("ipv6 frag last", ip6() / IPv6ExtHdrFragment(offset=5, m=0, id=7, nh=6) / Raw(b"y" * 8))
    add("ipv6 atomic fragment (off 0, m 0)", ip6() / IPv6ExtHdrFragment(offset=0, m=0, id=9) / TCP(sport=7, dport=8))
    add("ipv6 hop-by-hop then frag first", ip6() / IPv6ExtHdrHopByHop() / IPv6ExtHdrFragment(m=1) / TCP(sport=1, dport=2))
    add("ipv6 frag then dest opts (later)", ip6() / IPv6ExtHdrFragment(offset=2, nh=60) / Raw(b"\x11\x00" + b"\x00" * 6))
    add("ipv6 ah then tcp", ip6() / AH(spi=1, seq=1, nh=6) / TCP(sport=9, dport=10))
    add("ipv6 esp", ip6() / ESP(spi=2, seq=1) / Raw(b"z" * 12))
    add("ipv6 hop-by-hop truncated", raw(ip6() / IPv6ExtHdrHopByHop() / u)[:54 + 4])
    add("ipv6 hop-by-hop length beyond packet", raw(ip6(nh=0))[:54] + b"\x11\x05" + b"\x00" * 6)
    add("ipv6 frag header truncated", raw(ip6(nh=44))[:54] + b"\x11\x00\x00")
    add("ipv6 routing header truncated", raw(ip6(nh=43))[:54] + b"\x11")
    add("ipv6 hop-by-hop not first (after dest)", ip6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / u)
    add("ipv6 mobility header (135)", ip6(nh=135) / Raw(b"\x3b\x00" + b"\x00" * 6))
    add("ipv6 hop-by-hop then no next", ip6() / IPv6ExtHdrHopByHop(nh=59))
    add("ipv6 frag first icmp6", ip6() / IPv6ExtHdrFragment(m=1) / ICMPv6EchoRequest())
    add("ipv6 frag later icmp6", ip6() / IPv6ExtHdrFragment(offset=1, nh=58) / Raw(b"\x80\x00" + b"\x00" * 6))


def icmp6():
    add("icmp6 echo request", ip6() / ICMPv6EchoRequest(id=1, seq=2))
    add("icmp6 echo reply", ip6() / ICMPv6EchoReply())
    add("icmp6 dest unreachable code 4", ip6() / ICMPv6DestUnreach(code=4))
    add("icmp6 packet too big", ip6() / ICMPv6PacketTooBig(mtu=1280))
    add("icmp6 time exceeded code 1", ip6() / ICMPv6TimeExceeded(code=1))
    add("icmp6 param problem", ip6() / ICMPv6ParamProblem(code=2, ptr=6))
    add("icmp6 mld query", eth() / IPv6(src="fe80::1", dst="ff02::1", hlim=1) / ICMPv6MLQuery())
    add("icmp6 router solicit with sll", ip6() / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=SRC))
    add("icmp6 router advert", ip6() / ICMPv6ND_RA() / ICMPv6NDOptSrcLLAddr(lladdr=SRC) / ICMPv6NDOptMTU() / ICMPv6NDOptPrefixInfo(prefix="2001:db8::"))
    add("icmp6 redirect", ip6() / ICMPv6ND_Redirect(tgt="fe80::5", dst="2001:db8::77"))
    add("icmp6 truncated 2 bytes", raw(ip6() / ICMPv6EchoRequest())[:56])
    add("icmp6 type 200 code 9", ip6() / Raw(bytes([200, 9, 0, 0, 0, 0, 0, 0])))


def nd():
    tgt = "2001:db8::2"
    add("nd ns no options", ip6() / ICMPv6ND_NS(tgt=tgt))
    add("nd ns with sll", ip6() / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr=SRC))
    add("nd ns dad (unspecified src)", eth() / IPv6(src="::", dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt=tgt))
    add("nd ns with tll option (ignored kind)", ip6() / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptDstLLAddr(lladdr=DST))
    add("nd ns with two sll options", ip6() / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr=SRC) / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:09"))
    add("nd ns option length 0 (bad)", ip6() / ICMPv6ND_NS(tgt=tgt) / Raw(b"\x01\x00" + b"\x00" * 6))
    add("nd ns sll option length 2", ip6() / ICMPv6ND_NS(tgt=tgt) / Raw(b"\x01\x02" + bytes.fromhex("020000000001") + b"\x00" * 8))
    add("nd ns option overruns packet", ip6() / ICMPv6ND_NS(tgt=tgt) / Raw(b"\x01\x02" + bytes.fromhex("020000000001")))
    add("nd ns unknown option then sll", ip6() / ICMPv6ND_NS(tgt=tgt) / Raw(b"\x0e\x01" + b"\x00" * 6) / ICMPv6NDOptSrcLLAddr(lladdr=SRC))
    add("nd ns code 1", ip6() / ICMPv6ND_NS(tgt=tgt, code=1) / ICMPv6NDOptSrcLLAddr(lladdr=SRC))
    add("nd ns truncated target", raw(ip6() / ICMPv6ND_NS(tgt=tgt))[:54 + 14])
    add("nd ns option truncated to 1 byte", raw(ip6() / ICMPv6ND_NS(tgt=tgt)) + b"\x01")
    add("nd na with tll", ip6() / ICMPv6ND_NA(tgt=tgt, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=DST))
    add("nd na no options", ip6() / ICMPv6ND_NA(tgt=tgt))
    add("nd na with sll option (ignored kind)", ip6() / ICMPv6ND_NA(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr=SRC))
    add("nd na two tll options", ip6() / ICMPv6ND_NA(tgt=tgt) / ICMPv6NDOptDstLLAddr(lladdr=DST) / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:0a"))
    add("nd na tll option length 0", ip6() / ICMPv6ND_NA(tgt=tgt) / Raw(b"\x02\x00" + b"\x00" * 6))
    add("nd na multicast target", ip6() / ICMPv6ND_NA(tgt="ff02::1") / ICMPv6NDOptDstLLAddr(lladdr=DST))
    add("nd ns sll zero mac", ip6() / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr="00:00:00:00:00:00"))
    add("nd na in vlan", eth() / Dot1Q(vlan=5) / IPv6(src=V6S, dst=V6D) / ICMPv6ND_NA(tgt=tgt) / ICMPv6NDOptDstLLAddr(lladdr=DST))
    add("nd ns behind hop-by-hop", ip6() / IPv6ExtHdrHopByHop() / ICMPv6ND_NS(tgt=tgt) / ICMPv6NDOptSrcLLAddr(lladdr=SRC))


def main():
    runts()
    ieee8023()
    vlans()
    mpls()
    arps()
    ipv4_l4()
    ipv4_header()
    ipv4_frags()
    ipv6_basic()
    ipv6_ext()
    icmp6()
    nd()
    pcap_path = os.path.join(HERE, "extract-corpus.pcap")
    with open(pcap_path, "wb") as f:
        # Classic pcap, microsecond timestamps, LINKTYPE_ETHERNET; snaplen 65535.
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (_, data) in enumerate(corpus):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(data), len(data)))
            f.write(data)
    with open(os.path.join(HERE, "extract-corpus.labels.txt"), "w") as f:
        for i, (label, _) in enumerate(corpus):
            f.write(f"{i}\t{label}\n")
    print(f"{len(corpus)} packets -> {pcap_path}")


if __name__ == "__main__":
    main()
