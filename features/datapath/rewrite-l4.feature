Feature: Datapath set actions on transport, ICMP, ARP and neighbour discovery headers
  `set(tcp(…))`, `set(udp(…))` and `set(sctp(…))` rewrite ports and keep
  the checksum right: TCP and UDP checksums are updated for the port change
  (a zero UDP checksum over IPv4 stays zero), the SCTP CRC32c is computed
  again over the whole packet. `set(icmp(…))` and `set(icmpv6(…))` rewrite
  type and code with the ICMP checksum (for ICMPv6 the one over the IPv6
  pseudo-header); `set(arp(…))` rewrites ARP fields, which have no
  checksum; `set(nd(…))` rewrites the neighbour discovery target and the
  link-layer address option and fixes the ICMPv6 checksum. (The Linux
  datapath refuses these last four at install time — its `validate_set` has
  no case for them; the reference switch and Open vSwitch's userspace
  datapath execute them, see README.md.) A set that does not fit the flow's
  match — IPv4 fields on an IPv6 flow, TCP ports on a UDP flow, the IPv4
  protocol, a whole-header set(ipv4) whose proto differs from the match, or
  a set(ipv6) naming proto and frag (always a masked set, since the flow
  label's mask is 20 bits, and a masked set may not touch them) — is
  refused, so the flow is never installed.

  Scenario: set(tcp) and set(udp) rewrite ports and fix the checksum, a zero UDP checksum stays zero
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80),tcp_flags(0/0), actions:set(tcp(src=4000,dst=8080)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=53), actions:set(udp(dst=5353)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=6,frag=no),tcp(dst=22),tcp_flags(0/0), actions:set(tcp(dst=2222)),p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=45000, dport=80, seq=1000, flags="PA")/Raw(load="GET /") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=53)/Raw(load="query") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=53, chksum=0)/Raw(load="no checksum") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::2")/TCP(sport=45000, dport=22, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=4000, dport=8080, seq=1000, flags="PA")/Raw(load="GET /") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=5353)/Raw(load="query") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=5353, chksum=0)/Raw(load="no checksum") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::2")/TCP(sport=45000, dport=2222, flags="S") |
    And no other port emits anything

  Scenario: set(sctp) rewrites both ports and computes the CRC32c again
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=132,frag=no),sctp(), actions:set(sctp(src=3000,dst=4000)),p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/SCTP(sport=1000, dport=2000, tag=0x1234)/Raw(load='sctp body')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/SCTP(sport=3000, dport=4000, tag=0x1234)/Raw(load="sctp body") |
    And no other port emits anything

  Scenario: set(icmp) and set(icmpv6) turn echo requests into echo replies with the checksum fixed
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(type=8), actions:set(icmp(type=0,code=0)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=128), actions:set(icmpv6(type=129,code=0)),p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/ICMP(type=8, id=7, seq=1)/Raw(load="ping") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6EchoRequest(id=7, seq=1) |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/ICMP(type=0, id=7, seq=1)/Raw(load="ping") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::2")/ICMPv6EchoReply(id=7, seq=1) |
    And no other port emits anything

  Scenario: set(arp) rewrites ARP fields; set(nd) rewrites the target and the link-layer option and fixes the checksum
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0806),arp(op=1), actions:set(arp(sip=10.0.0.9,tha=02:00:00:00:00:77)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),nd(), actions:set(nd(target=2001:db8::9,sll=02:00:00:00:00:99)),p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="33:33:ff:00:00:02")/IPv6(src="2001:db8::1", dst="ff02::1:ff00:2", hlim=255)/ICMPv6ND_NS(tgt="2001:db8::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="10.0.0.9", hwdst="02:00:00:00:00:77", pdst="10.0.0.2") |
      | Ether(src="02:00:00:00:00:01", dst="33:33:ff:00:00:02")/IPv6(src="2001:db8::1", dst="ff02::1:ff00:2", hlim=255)/ICMPv6ND_NS(tgt="2001:db8::9")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:99") |
    And no other port emits anything

  @ovs-differs
  Scenario: a masked set(icmp) changes only the masked field
    OVS differs: ovs-vswitchd 3.1 installs this flow but aborts when a packet
    hits it (odp_execute_masked_set_action has no masked ICMP case and ends in
    OVS_NOT_REACHED); observed here, the daemon died.

    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(), actions:set(icmp(code=1/0xff)),p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/ICMP(type=3, code=0)/Raw(load='unreachable')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/ICMP(type=3, code=1)/Raw(load="unreachable") |
    And no other port emits anything

  @ovs-differs
  Scenario: a set action that does not fit the flow's match is refused
    OVS differs: its userspace datapath does not validate set actions
    against the match and installs all of these flows.

    Given a bridge "br0" with ports p1, p2
    Then adding the datapath flows is refused with "Invalid argument":
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(frag=no), actions:set(ipv4(ttl=9)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(), actions:set(tcp(dst=9)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(), actions:set(ipv4(proto=6/0xff)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:set(ipv4(src=10.0.0.9,dst=10.0.0.8,proto=6,tos=0,ttl=64,frag=no)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=6,frag=no),tcp(),tcp_flags(0/0), actions:set(ipv6(src=2001:db8::c,dst=2001:db8::d,label=0x1,proto=6,tclass=0,hlimit=64,frag=no)),p2
      """
