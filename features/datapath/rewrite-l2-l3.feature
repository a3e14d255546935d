Feature: Datapath set actions on Ethernet, IPv4 and IPv6 headers
  `set(<header>(…))` rewrites header fields of the packet in place, and the
  packet must stay valid: after an IPv4 address, TOS or TTL change the IPv4
  header checksum is right, and after an address change so is the TCP or
  UDP checksum (their pseudo-header covers the addresses) — except a UDP
  checksum of 0 over IPv4, which means "none" and stays 0. IPv6 has no
  header checksum; its address changes update the TCP/UDP checksum, while
  traffic class, hop limit and flow label are outside the pseudo-header.
  With every field of the header given, `set` replaces them all (the Linux
  datapath checks that proto and frag equal the flow's match); with some
  fields, or with `/mask`, it is a masked set that changes only the masked
  bits. (`set(ipv6(…))` is always masked: the flow label's mask has 20
  bits, so the text cannot give an all-ones mask.) Every expected packet is written out whole, so its lengths and
  checksums are the packet builder's, i.e. correct for the rewritten fields;
  nothing is ignored.

  Scenario: set(eth) with both addresses replaces them; a partial mask changes only the masked bits
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=1), actions:set(eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:0b)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=2), actions:set(eth(dst=00:00:00:00:00:99/00:00:00:00:00:ff)),p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=1)/Raw(load="both macs") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2)/Raw(load="last byte") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:0b")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=1)/Raw(load="both macs") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:99")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2)/Raw(load="last byte") |
    And no other port emits anything

  Scenario: set(ipv4) with every field rewrites addresses, TOS and TTL and fixes both checksums
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(), actions:set(ipv4(src=10.1.0.1,dst=10.2.0.2,proto=17,tos=0x28,ttl=20,frag=no)),p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2', id=5)/UDP(sport=1000, dport=2000)/Raw(load='whole header')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.1.0.1", dst="10.2.0.2", id=5, tos=0x28, ttl=20)/UDP(sport=1000, dport=2000)/Raw(load="whole header") |
    And no other port emits anything

  Scenario: masked set(ipv4) changes only what it names: TCP checksum after a source change, DSCP without ECN, a zero UDP checksum kept
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.3,proto=6,frag=no),tcp(),tcp_flags(0/0), actions:set(ipv4(src=10.9.9.9,ttl=9)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.4,proto=17,frag=no),udp(), actions:set(ipv4(tos=0x10/0xfc)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.5,proto=17,frag=no),udp(), actions:set(ipv4(dst=10.0.0.55)),p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.3")/TCP(sport=1000, dport=80, seq=7, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.4", tos=0x03)/UDP(sport=1000, dport=2000)/Raw(load="dscp") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.5")/UDP(sport=1000, dport=2000, chksum=0)/Raw(load="no udp checksum") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.9.9.9", dst="10.0.0.3", ttl=9)/TCP(sport=1000, dport=80, seq=7, flags="S") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.4", tos=0x13)/UDP(sport=1000, dport=2000)/Raw(load="dscp") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.55")/UDP(sport=1000, dport=2000, chksum=0)/Raw(load="no udp checksum") |
    And no other port emits anything

  Scenario: set(ipv6) fixes the transport checksum after address changes and leaves it after the others
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(dst=2001:db8::2,proto=17,frag=no),udp(), actions:set(ipv6(src=2001:db8::a,dst=2001:db8::b)),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x86dd),ipv6(dst=2001:db8::3,proto=6,frag=no),tcp(),tcp_flags(0/0), actions:set(ipv6(label=0x12345,tclass=0x20,hlimit=9)),p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::2")/UDP(sport=1000, dport=2000)/Raw(load="v6 addresses") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::3")/TCP(sport=1000, dport=80, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::a", dst="2001:db8::b")/UDP(sport=1000, dport=2000)/Raw(load="v6 addresses") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IPv6(src="2001:db8::1", dst="2001:db8::3", tc=0x20, fl=0x12345, hlim=9)/TCP(sport=1000, dport=80, flags="S") |
    And no other port emits anything
