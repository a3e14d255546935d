Feature: Datapath meters
  `meter(N)` passes the packet through datapath meter N, a token bucket per
  band: a drop band drops every packet that finds its bucket short of the
  packet's cost (one packet in `pktps`, the frame's bits in `kbps`). The
  Linux datapath's bucket holds `burst` (since a 2021 kernel fix, as Open vSwitch's
  userspace datapath's) and starts full, refilling at `rate`. The flow
  counts every packet, passed or not.

  Scenario: a pktps drop band lets a burst of 30 packets through up to its bucket size
    Given a bridge "br0" with ports p1, p2
    And the datapath meter 0: pktps band=drop rate=1 burst=10
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:meter(0),p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='metered')" is sent 30 times into port "p1"
    Then port "p2" emits between 10 and 11 copies of the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='metered')"
    And no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:30, bytes:1470, used:never, actions:meter(0),p2
      """

  Scenario: a kbps drop band charges each frame its bits; a second meter works on its own
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath meter 0: pktps band=drop rate=1 burst=2
    And the datapath meter 1: kbps band=drop rate=1 burst=8
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:meter(0),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.3,frag=no), actions:meter(1),p3
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:03')/IP(src='10.0.0.1', dst='10.0.0.3')/UDP(sport=1000, dport=2000)/Raw(load='a 100-byte frame: 42 bytes of headers, this 58-byte load..')" is sent 30 times into port "p1"
    And the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='meter 0')" is sent 5 times into port "p1"
    Then port "p3" emits between 10 and 11 copies of the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:03')/IP(src='10.0.0.1', dst='10.0.0.3')/UDP(sport=1000, dport=2000)/Raw(load='a 100-byte frame: 42 bytes of headers, this 58-byte load..')"
    And port "p2" emits between 2 and 3 copies of the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='meter 0')"
    And no other port emits anything

  Scenario: the bucket holds the burst only, not a second of rate on top
    Linux removed the rate from the bucket size in 2021 ("openvswitch:
    meter: remove rate from the bucket size calculation"); Open vSwitch's
    userspace datapath sizes it the same way. With rate 5 and burst 10, a
    fast burst of 30 gets 10 packets through (11 if a token arrives
    meanwhile), not 15.

    Given a bridge "br0" with ports p1, p2
    And the datapath meter 0: pktps band=drop rate=5 burst=10
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:meter(0),p2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='metered')" is sent 30 times into port "p1"
    Then port "p2" emits between 10 and 11 copies of the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='metered')"
    And no other port emits anything
