Feature: NORMAL floods what it cannot deliver to a single port
  In fail mode "standalone" a bridge without a controller forwards every
  frame with the NORMAL action, as a MAC-learning switch; an explicit
  `actions=NORMAL` rule does the same in fail mode "secure". A broadcast, or
  a unicast to a MAC address not learned yet, goes out every port except the
  one it came in on. These scenarios check the flooded copies byte for byte
  on every port, that the input port gets nothing back, and the megaflow
  NORMAL installs: it matches the input port and both Ethernet addresses (what
  learning and forwarding decide on), and its output list names every other
  port, the bridge's own internal port "br0" included (compared as a set).
  For a broadcast ARP it also matches the ARP opcode and both IPv4 addresses,
  because NORMAL asks whether the ARP is gratuitous before learning from it.

  @fail-mode
  Scenario: A unicast to an unknown MAC address goes out every other port
    Given a bridge "br0" with ports p1, p2, p3, p4
    And the bridge "br0" has fail mode "standalone"
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:09')/IP(src='10.0.0.1', dst='10.0.0.9')/UDP(sport=1000, dport=2000)/Raw(load='to nobody yet')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:09")/IP(src="10.0.0.1", dst="10.0.0.9")/UDP(sport=1000, dport=2000)/Raw(load="to nobody yet") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:09")/IP(src="10.0.0.1", dst="10.0.0.9")/UDP(sport=1000, dport=2000)/Raw(load="to nobody yet") |
    And port "p4" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:09")/IP(src="10.0.0.1", dst="10.0.0.9")/UDP(sport=1000, dport=2000)/Raw(load="to nobody yet") |
    And port "p1" emits nothing

  @fail-mode @dp-dump @of-stats
  Scenario: A broadcast goes out every other port, through one flood megaflow
    Given a bridge "br0" with ports p1, p2, p3
    And the bridge "br0" has fail mode "standalone"
    When the packet "Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.0.0.1', dst='10.255.255.255')/UDP(sport=1000, dport=2000)/Raw(load='hello all')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/IP(src="10.0.0.1", dst="10.255.255.255")/UDP(sport=1000, dport=2000)/Raw(load="hello all") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/IP(src="10.0.0.1", dst="10.255.255.255")/UDP(sport=1000, dport=2000)/Raw(load="hello all") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(frag=no), actions:p2,p3,br0
      """
    And the OpenFlow flow stats on "br0" are:
      | rule       | n_packets | n_bytes |
      | priority=0 | 1         | 51      |

  @dp-dump
  Scenario: An explicit NORMAL rule floods in fail mode secure too
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      actions=NORMAL
      """
    When the packet "Ether(src='02:00:00:00:00:02', dst='ff:ff:ff:ff:ff:ff')/ARP(op='who-has', hwsrc='02:00:00:00:00:02', psrc='10.0.0.2', hwdst='00:00:00:00:00:00', pdst='10.0.0.3')" is sent into port "p2"
    Then port "p1" emits:
      | packet |
      | Ether(src="02:00:00:00:00:02", dst="ff:ff:ff:ff:ff:ff")/ARP(op="who-has", hwsrc="02:00:00:00:00:02", psrc="10.0.0.2", hwdst="00:00:00:00:00:00", pdst="10.0.0.3") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:02", dst="ff:ff:ff:ff:ff:ff")/ARP(op="who-has", hwsrc="02:00:00:00:00:02", psrc="10.0.0.2", hwdst="00:00:00:00:00:00", pdst="10.0.0.3") |
    And port "p2" emits nothing
    And the datapath flows are:
      """
      recirc_id(0),in_port(p2),eth(src=02:00:00:00:00:02,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.0.0.2,tip=10.0.0.3,op=1), actions:p1,p3,br0
      """
