Feature: Overlapping IPv4 rules: priority decides, not specificity
  OpenFlow picks the highest-priority rule that matches; unlike a routing
  table it does not prefer the longest prefix. These scenarios overlap rules
  on purpose: a /8 at a higher priority than a /24 inside it takes all of the
  /24's traffic (and the lower-priority rule then needs no look at all, so
  the megaflow keeps only 8 destination bits), and a rule on source and
  destination together wins over a destination-only rule with a lower
  priority only for the sources it names. The megaflows check that the switch
  matched just enough source bits to make that decision.

  @dp-dump @of-stats
  Scenario: A shorter prefix at a higher priority hides a longer one
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=200,ip,nw_dst=10.0.0.0/8 actions=output:2
      priority=100,ip,nw_dst=10.0.0.0/24 actions=output:3
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:fe')/IP(src='10.9.9.9', dst='10.0.0.5')/UDP(sport=3000, dport=3001)/Raw(load='who wins')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.9.9.9", dst="10.0.0.5")/UDP(sport=3000, dport=3001)/Raw(load="who wins") |
    And port "p3" emits nothing
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.0/255.0.0.0,frag=no), actions:p2
      """
    And the OpenFlow flow stats on "br0" are:
      | rule                               | n_packets | n_bytes |
      | priority=200,ip,nw_dst=10.0.0.0/8  | 1         | 50      |
      | priority=100,ip,nw_dst=10.0.0.0/24 | 0         | 0       |
      | priority=0                         | 0         | 0       |

  @dp-dump
  Scenario: A source-and-destination rule overrides a destination rule only for its sources
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=200,ip,nw_src=10.0.0.0/24,nw_dst=10.0.1.0/24 actions=output:3
      priority=100,ip,nw_dst=10.0.1.0/24 actions=output:2
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.7", dst="10.0.1.1")/UDP(sport=3000, dport=3001)/Raw(load="inside") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.9.7", dst="10.0.1.1")/UDP(sport=3000, dport=3001)/Raw(load="outside") |
    Then port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.7", dst="10.0.1.1")/UDP(sport=3000, dport=3001)/Raw(load="inside") |
    And port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.9.7", dst="10.0.1.1")/UDP(sport=3000, dport=3001)/Raw(load="outside") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,dst=10.0.1.0/255.255.255.0,frag=no), actions:p3
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(src=10.0.8.0/255.255.248.0,dst=10.0.1.0/255.255.255.0,frag=no), actions:p2
      """

  @trace
  Scenario: The trace of a packet outside the source prefix shows the source bits it needed
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=200,ip,nw_src=10.0.0.0/24,nw_dst=10.0.1.0/24 actions=output:3
      priority=100,ip,nw_dst=10.0.1.0/24 actions=output:2
      priority=0 actions=drop
      """
    Then tracing "in_port=1,ip,nw_src=10.0.0.7,nw_dst=10.0.1.1" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_src=10.0.0.0/24,nw_dst=10.0.1.0/24,nw_frag=no" and datapath actions "p3"
    And tracing "in_port=1,ip,nw_src=10.128.0.1,nw_dst=10.0.1.1" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_src=10.128.0.0/9,nw_dst=10.0.1.0/24,nw_frag=no" and datapath actions "p2"
    And tracing "in_port=1,ip,nw_src=10.0.0.7,nw_dst=10.0.2.1" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_dst=10.0.2.0/23,nw_frag=no" and datapath actions "drop"
