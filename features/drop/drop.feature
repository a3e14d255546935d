Feature: Dropping: explicit drop rules, table misses, and the input port
  A dropped packet must leave no trace on any port, and the switch must cache
  the decision: the megaflow for a dropped packet has the action list `drop`
  (no actions) and matches only what the decision looked at. Three ways to
  drop are checked: an explicit `actions=drop` rule that shadows a broader
  forwarding rule; a packet no rule matches in fail mode "secure" (the table
  miss drops it, there being no controller to ask); and `output` to the port
  the packet came in on, which OpenFlow ignores (only the `in_port` action
  sends a packet back).

  @dp-dump @of-stats
  Scenario: An explicit drop rule for UDP shadows a forwarding rule for all IPv4
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=200,udp actions=drop
      priority=100,ip actions=output:2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=9000, dport=9001)/Raw(load="dropped") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=9000, dport=9001, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=9000, dport=9001, flags="S") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no), actions:drop
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no), actions:p2
      """
    And the OpenFlow flow stats on "br0" are:
      | rule                 | n_packets | n_bytes |
      | priority=200,udp     | 1         | 49      |
      | priority=100,ip      | 1         | 54      |

  @dp-dump @trace
  Scenario: With no flows in fail mode secure nothing is forwarded
    Given a bridge "br0" with ports p1, p2, p3
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op="who-has", hwsrc="02:00:00:00:00:01", psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2") |
      | p2   | Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")/IP(src="10.0.0.2", dst="10.0.0.1")/UDP(sport=9000, dport=9001)/Raw(load="nowhere") |
    Then port "p1" emits nothing
    And port "p2" emits nothing
    And port "p3" emits nothing
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0806), actions:drop
      recirc_id(0),in_port(p2),eth(),eth_type(0x0800),ipv4(frag=no), actions:drop
      """
    And tracing "in_port=3,tcp,nw_src=10.0.0.3,nw_dst=10.0.0.1,tp_src=9000,tp_dst=22" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=3,nw_frag=no" and datapath actions "drop"

  @dp-dump
  Scenario: output to the input port is dropped; the in_port action sends the packet back
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,udp,tp_dst=7 actions=output:1,output:2
      priority=100,udp,tp_dst=9 actions=in_port
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=9000, dport=7)/Raw(load='echo?')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=9000, dport=7)/Raw(load="echo?") |
    And port "p1" emits nothing
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=9000, dport=9)/Raw(load='come back')" is sent into port "p1"
    Then port "p1" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=9000, dport=9)/Raw(load="come back") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=7), actions:p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(dst=9), actions:p1
      """
