Feature: Datapath output, drop and userspace actions on flows installed directly
  The datapath runs a flow's action list on every packet the flow matches,
  with no OpenFlow pipeline in between: these scenarios install datapath
  flows as `dpctl/add-flow` does, before any traffic, so no miss can cache
  a flow that shadows them. `output` sends a copy of the packet to a port;
  several outputs send several copies, in order, each as the packet is at
  that point of the list; unlike OpenFlow the datapath has no rule against
  sending a packet back out of the port it came in on. An empty action list
  (printed `drop`) sends nothing, and so does output to a port number the
  datapath does not have (the rest of the list still runs). `userspace`
  hands the packet to the process listening on a netlink pid (0 is not a
  valid pid): with none listening on it nothing leaves any port, yet the
  flow counts the packet. A
  flow's counters count every packet it matched, since no upcall is
  involved; bytes are whole Ethernet frames without the FCS.

  Scenario: output to one port forwards the packet unchanged and the flow counts it
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='one port')" is sent 2 times into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="one port") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="one port") |
    And no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), packets:2, bytes:100, used:never, actions:p2
      """

  Scenario: several outputs send one copy each, each as the packet is at that point of the list
    Given a bridge "br0" with ports p1, p2, p3, p4
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p2,p3,set(eth(dst=02:00:00:00:00:44)),p4
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='copies')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="copies") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="copies") |
    And port "p4" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:44")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="copies") |
    And port "p1" emits nothing

  Scenario: output to the input port sends the packet back where it came from
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p1
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=7)/Raw(load='hairpin')" is sent into port "p1"
    Then port "p1" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=7)/Raw(load="hairpin") |
    And no other port emits anything

  Scenario: an empty action list drops the packet and still counts it
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(), actions:drop
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),tcp_flags(0/0), actions:p2
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="dropped") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=1000, dport=2000, flags="S") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=1000, dport=2000, flags="S") |
    And no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no), packets:1, bytes:49, used:never, actions:drop
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no), packets:1, bytes:54, used:never, actions:p2
      """

  Scenario: output to a port the datapath does not have sends nothing and the list goes on
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:99,p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='no port 99')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="no port 99") |
    And no other port emits anything

  Scenario: userspace with nobody listening emits nothing, yet the flow counts every packet
    Given a bridge "br0" with ports p1, p2
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:userspace(pid=2147483647,userdata(0102030405060708))
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='to userspace')" is sent 3 times into port "p1"
    Then no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:3, bytes:162, used:never, actions:userspace(pid=2147483647,userdata(0102030405060708))
      """
