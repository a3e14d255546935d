Feature: The same port number under TCP, UDP and SCTP
  A transport port means nothing without its protocol: `tcp,tp_dst=53` and
  `udp,tp_dst=53` are different rules, and an SCTP packet to port 53 matches
  neither. This checks that the switch keys its decision (and its megaflows)
  on the IP protocol as well as on the port, and that a protocol no rule
  names is dropped by a megaflow that does not look at ports at all.

  @dp-dump @of-stats
  Scenario: TCP, UDP and SCTP packets to port 53 go three different ways
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=100,tcp,tp_dst=53 actions=output:2
      priority=100,udp,tp_dst=53 actions=output:3
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:35")/IP(src="10.0.0.1", dst="10.0.0.53")/TCP(sport=41000, dport=53, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:35")/IP(src="10.0.0.1", dst="10.0.0.53")/UDP(sport=41000, dport=53)/Raw(load="query") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:35")/IP(src="10.0.0.1", dst="10.0.0.53")/SCTP(sport=41000, dport=53) |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:35")/IP(src="10.0.0.1", dst="10.0.0.53")/TCP(sport=41000, dport=53, flags="S") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:35")/IP(src="10.0.0.1", dst="10.0.0.53")/UDP(sport=41000, dport=53)/Raw(load="query") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=53), actions:p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=53), actions:p3
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=132,frag=no), actions:drop
      """
    And the OpenFlow flow stats on "br0" are:
      | rule                       | n_packets | n_bytes |
      | priority=100,tcp,tp_dst=53 | 1         | 54      |
      | priority=100,udp,tp_dst=53 | 1         | 47      |
      | priority=0                 | 1         | 46      |

  @trace
  Scenario: Traces of TCP and UDP to port 53 name the protocol in the megaflow
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=100,tcp,tp_dst=53 actions=output:2
      priority=100,udp,tp_dst=53 actions=output:3
      priority=0 actions=drop
      """
    Then tracing "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.53,tp_src=41000,tp_dst=53" on "br0" gives megaflow "recirc_id=0,eth,tcp,in_port=1,nw_frag=no,tp_dst=53" and datapath actions "p2"
    And tracing "in_port=1,udp,nw_src=10.0.0.1,nw_dst=10.0.0.53,udp_src=41000,udp_dst=53" on "br0" gives megaflow "recirc_id=0,eth,udp,in_port=1,nw_frag=no,tp_dst=53" and datapath actions "p3"
    And tracing "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.53,tp_src=53,tp_dst=41000" on "br0" gives megaflow "recirc_id=0,eth,tcp,in_port=1,nw_frag=no,tp_dst=0x8000/0x8000" and datapath actions "drop"
