Feature: IPv4 destination prefixes, ordered by priority
  A routing-table style rule set: a /32 host route, a /24 and a /16 that
  contain it, and a catch-all drop, with priorities that follow prefix length.
  Each packet must leave by the port of the most specific matching rule, the
  rest is dropped, and every rule counts exactly the packets it took (the
  first packet of a megaflow, handled by the slow path, counts too). The
  traces check prefix tracking: a megaflow matches only the destination bits
  needed to tell the rules apart for that address (10.1.7.7 needs /22 to know
  it is not in 10.1.2.0/24; 10.1.2.9 needs /29 to know it is not 10.1.2.3;
  10.2.0.1 needs /15 to know it is not in 10.1.0.0/16), so one megaflow can
  serve many addresses without ever answering for one that a different rule
  would take. Where one port gets packets of two megaflows in one step, the
  first packet of each megaflow comes before any repeat, so the userspace
  datapath (which forwards a batch's upcalled packets before its cache hits)
  emits them in the order sent.

  @of-stats
  Scenario: Each packet takes the most specific of the nested prefixes
    Given a bridge "br0" with ports p1, p2, p3, p4
    And the OpenFlow flows on "br0":
      """
      priority=300,ip,nw_dst=10.1.2.3 actions=output:4
      priority=200,ip,nw_dst=10.1.2.0/24 actions=output:3
      priority=100,ip,nw_dst=10.1.0.0/16 actions=output:2
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.2.3")/UDP(sport=7000, dport=7001)/Raw(load="host route") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.2.9")/UDP(sport=7000, dport=7001)/Raw(load="slash 24") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.7.7")/UDP(sport=7000, dport=7001)/Raw(load="slash 16") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.2.0.1")/UDP(sport=7000, dport=7001)/Raw(load="no route") |
    Then port "p4" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.2.3")/UDP(sport=7000, dport=7001)/Raw(load="host route") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.2.9")/UDP(sport=7000, dport=7001)/Raw(load="slash 24") |
    And port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.7.7")/UDP(sport=7000, dport=7001)/Raw(load="slash 16") |
    And no other port emits anything
    And the OpenFlow flow stats on "br0" are:
      | rule                              | n_packets | n_bytes |
      | priority=300,ip,nw_dst=10.1.2.3   | 1         | 52      |
      | priority=200,ip,nw_dst=10.1.2.0/24 | 1        | 50      |
      | priority=100,ip,nw_dst=10.1.0.0/16 | 1        | 50      |
      | priority=0                        | 1         | 50      |

  @trace
  Scenario: A megaflow matches only the destination bits that decided
    Given a bridge "br0" with ports p1, p2, p3, p4
    And the OpenFlow flows on "br0":
      """
      priority=300,ip,nw_dst=10.1.2.3 actions=output:4
      priority=200,ip,nw_dst=10.1.2.0/24 actions=output:3
      priority=100,ip,nw_dst=10.1.0.0/16 actions=output:2
      priority=0 actions=drop
      """
    Then tracing "in_port=1,ip,nw_src=10.0.0.1,nw_dst=10.1.2.3" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_dst=10.1.2.3,nw_frag=no" and datapath actions "p4"
    And tracing "in_port=1,ip,nw_src=10.0.0.1,nw_dst=10.1.2.9" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_dst=10.1.2.8/29,nw_frag=no" and datapath actions "p3"
    And tracing "in_port=1,ip,nw_src=10.0.0.1,nw_dst=10.1.7.7" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_dst=10.1.4.0/22,nw_frag=no" and datapath actions "p2"
    And tracing "in_port=1,ip,nw_src=10.0.0.1,nw_dst=10.2.0.1" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,nw_dst=10.2.0.0/15,nw_frag=no" and datapath actions "drop"

  @dp-dump
  Scenario: Packets to the same /16 share one megaflow, packets beside it do not
    Given a bridge "br0" with ports p1, p2, p3, p4
    And the OpenFlow flows on "br0":
      """
      priority=300,ip,nw_dst=10.1.2.3 actions=output:4
      priority=200,ip,nw_dst=10.1.2.0/24 actions=output:3
      priority=100,ip,nw_dst=10.1.0.0/16 actions=output:2
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.200.1")/TCP(sport=40002, dport=80, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.7.7")/TCP(sport=40000, dport=80, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.6.1")/TCP(sport=40001, dport=80, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.200.1")/TCP(sport=40002, dport=80, flags="S") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.7.7")/TCP(sport=40000, dport=80, flags="S") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:fe")/IP(src="10.0.0.1", dst="10.1.6.1")/TCP(sport=40001, dport=80, flags="S") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.1.4.0/255.255.252.0,frag=no), actions:p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.1.128.0/255.255.128.0,frag=no), actions:p2
      """
