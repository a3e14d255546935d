Feature: TCP port ranges written as value/mask
  OpenFlow has no port ranges, only bitwise masks: `tp_dst=0x0050/0xfff0`
  matches the 16 ports 80-95, `tp_dst=0x0400/0xfc00` the 1024 ports
  1024-2047. These scenarios check the range edges (79 and 96 fall outside,
  80 and 95 inside), that a rule counts exactly the packets inside its range,
  and the megaflows: the datapath may only match the port bits the
  classifier looked at, so a port just outside a range gets a wider mask than
  the range itself (96 differs from 80-95 already in bit 0x0020, so its drop
  megaflow covers 96-127), and a port inside covers the whole range.

  @of-stats
  Scenario: A masked tp_dst matches the 16 ports 80 to 95 and nothing else
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=100,tcp,tp_dst=0x0050/0xfff0 actions=output:2
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33000, dport=79, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33001, dport=80, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33002, dport=95, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33003, dport=96, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33001, dport=80, flags="S") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33002, dport=95, flags="S") |
    And no other port emits anything
    And the OpenFlow flow stats on "br0" are:
      | rule                              | n_packets | n_bytes |
      | priority=100,tcp,tp_dst=0x50/0xfff0 | 2       | 108     |
      | priority=0                        | 2         | 108     |

  @trace
  Scenario: The megaflows of ports inside, below and above the range
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=100,tcp,tp_dst=0x0050/0xfff0 actions=output:2
      priority=0 actions=drop
      """
    Then tracing "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=33000,tp_dst=88" on "br0" gives megaflow "recirc_id=0,eth,tcp,in_port=1,nw_frag=no,tp_dst=0x50/0xfff0" and datapath actions "p2"
    And tracing "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=33000,tp_dst=79" on "br0" gives megaflow "recirc_id=0,eth,tcp,in_port=1,nw_frag=no,tp_dst=0x40/0xfff0" and datapath actions "drop"
    And tracing "in_port=1,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=33000,tp_dst=96" on "br0" gives megaflow "recirc_id=0,eth,tcp,in_port=1,nw_frag=no,tp_dst=0x60/0xffe0" and datapath actions "drop"
    And tracing "in_port=1,udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,udp_src=33000,udp_dst=88" on "br0" gives megaflow "recirc_id=0,eth,udp,in_port=1,nw_frag=no" and datapath actions "drop"

  @dp-dump
  Scenario: Two ranges at different priorities split the port space
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=200,tcp,tp_dst=0x0400/0xfc00 actions=output:3
      priority=100,tcp,tp_dst=0x0000/0xfc00 actions=output:2
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33000, dport=22, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33001, dport=1500, flags="S") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33002, dport=3000, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33000, dport=22, flags="S") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=33001, dport=1500, flags="S") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=0/0xfc00), actions:p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=1024/0xfc00), actions:p3
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=2048/0xf800), actions:drop
      """
