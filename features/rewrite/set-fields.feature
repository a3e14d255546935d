Feature: Rewriting Ethernet, IPv4 and transport header fields
  Field-rewriting actions must change exactly the field they name and keep
  the packet valid: after `mod_nw_src`/`mod_nw_dst` the IPv4 header checksum
  and the UDP or TCP checksum (whose pseudo-header covers the addresses) are
  updated, after `mod_tp_dst` the TCP checksum is, and `dec_ttl` lowers the
  TTL by one with a new header checksum. Every expected packet below is
  written out whole, so its lengths and checksums are the builder's, i.e.
  correct for the rewritten fields; nothing is ignored. The megaflows show
  that the datapath gets one set() action per header touched (all fields of
  that header the rules changed, in one action), and that the megaflow then
  matches the original value of every field it rewrites (a set() is only
  emitted when the value changes, so the old value is part of the decision),
  the TTL included once dec_ttl depends on it.

  @dp-dump
  Scenario: mod_dl_src and mod_dl_dst rewrite both MAC addresses
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,ip,nw_dst=10.0.0.2 actions=mod_dl_src:02:00:00:00:00:0a,mod_dl_dst:02:00:00:00:00:02,output:2
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:fe')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=6000, dport=6001)/Raw(load='new macs')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:0a", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=6001)/Raw(load="new macs") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:fe),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:set(eth(src=02:00:00:00:00:0a,dst=02:00:00:00:00:02)),p2
      """

  @dp-dump
  Scenario: mod_nw_src and mod_nw_dst rewrite both addresses and fix both checksums
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,udp,nw_dst=10.0.0.100 actions=mod_nw_src:10.0.0.200,mod_nw_dst:10.0.0.2,output:2
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.100', id=7)/UDP(sport=6000, dport=53)/Raw(load='nat me')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.200", dst="10.0.0.2", id=7)/UDP(sport=6000, dport=53)/Raw(load="nat me") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.100,proto=17,frag=no), actions:set(ipv4(src=10.0.0.200,dst=10.0.0.2)),p2
      """

  Scenario: mod_tp_dst redirects a TCP port and fixes the TCP checksum
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,tcp,tp_dst=80 actions=mod_tp_dst:8080,output:2
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/TCP(sport=45000, dport=80, seq=1000, flags='PA')/Raw(load='GET / HTTP/1.0')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=45000, dport=8080, seq=1000, flags="PA")/Raw(load="GET / HTTP/1.0") |
    And no other port emits anything

  @dp-dump
  Scenario: set_field on ip_dst and udp_src plus dec_ttl, in one pass
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,udp,nw_dst=10.0.0.50 actions=set_field:10.0.0.99->ip_dst,set_field:5353->udp_src,dec_ttl,output:2
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.50', ttl=64)/UDP(sport=6000, dport=5353)/Raw(load='mdns-ish')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.99", ttl=63)/UDP(sport=5353, dport=5353)/Raw(load="mdns-ish") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.50,proto=17,ttl=64,frag=no),udp(src=6000), actions:set(ipv4(dst=10.0.0.99,ttl=63)),set(udp(src=5353)),p2
      """

  @of-stats
  Scenario: A rewrite does not change which rule counted the packet
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,udp,nw_dst=10.0.0.100 actions=mod_nw_dst:10.0.0.2,output:2
      priority=90,udp,nw_dst=10.0.0.2 actions=drop
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.100")/UDP(sport=6000, dport=6001)/Raw(load="one") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.100")/UDP(sport=6000, dport=6001)/Raw(load="two") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=6001)/Raw(load="one") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=6000, dport=6001)/Raw(load="two") |
    And no other port emits anything
    And the OpenFlow flow stats on "br0" are:
      | rule                                | n_packets | n_bytes |
      | priority=100,udp,nw_dst=10.0.0.100  | 2         | 90      |
      | priority=90,udp,nw_dst=10.0.0.2     | 0         | 0       |
      | priority=0                          | 0         | 0       |
