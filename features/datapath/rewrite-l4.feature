Feature: Datapath set actions on transport headers, and the rewrites the Linux datapath refuses
  `set(tcp(…))`, `set(udp(…))` and `set(sctp(…))` rewrite ports and keep
  the checksum right: TCP and UDP checksums are updated for the port change
  (a zero UDP checksum over IPv4 stays zero), the SCTP CRC32c is computed
  again over the whole packet. The Linux datapath validates every set
  action against the flow's match when the flow is installed: a rewrite of
  ICMP type/code, ARP or neighbour discovery fields is not a datapath
  action at all there (Open vSwitch keeps such packets in its slow path),
  and a set that does not fit the match — IPv4 fields on an IPv6 flow, TCP
  ports on a UDP flow, the IPv4 protocol — is refused with EINVAL, so the
  flow is never installed.

  Scenario: set(tcp) and set(udp) rewrite ports and fix the checksum, a zero UDP checksum stays zero
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80), actions:set(tcp(src=4000,dst=8080)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=53), actions:set(udp(dst=5353)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=6,frag=no),tcp(dst=22), actions:set(tcp(dst=2222)),p2
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

  @ovs-differs
  Scenario: ICMP, ICMPv6, ARP and neighbour discovery rewrites are refused
    OVS differs: its userspace datapath does not validate set actions; it
    installs these flows and rewrites the packets (and a masked set(icmp)
    aborts ovs-vswitchd 3.1 when a packet hits it).

    Given a bridge "br0" with ports p1, p2
    Then adding the datapath flows is refused with "Invalid argument":
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),icmp(), actions:set(icmp(type=0,code=0)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(), actions:set(icmpv6(type=129,code=0)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0806),arp(), actions:set(arp(sip=10.0.0.9)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),icmpv6(type=135,code=0),nd(), actions:set(nd(target=2001:db8::9)),p2
      """

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
      """
