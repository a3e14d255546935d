Feature: Datapath push_vlan and pop_vlan
  `push_vlan(vid=V,pcp=P)` inserts an 802.1Q tag after the MAC addresses
  (`tpid=0x88a8` makes it an 802.1ad service tag); pushed onto a tagged
  packet, the new tag goes outside the existing one. `pop_vlan` removes the
  outermost tag. A flow that matches a tagged packet matches the tag with
  `eth_type(0x8100),vlan(…)` and the inner headers inside `encap(…)`; a
  flow without `vlan` matches untagged packets only.

  Scenario: push_vlan tags an untagged packet, and a second push goes outside the first
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no), actions:push_vlan(vid=10,pcp=3),p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.3,frag=no), actions:push_vlan(vid=10,pcp=0),push_vlan(tpid=0x88a8,vid=20,pcp=5),p3
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="one tag") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:03")/IP(src="10.0.0.1", dst="10.0.0.3")/UDP(sport=1000, dport=2000)/Raw(load="two tags") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=10, prio=3)/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="one tag") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:03")/Dot1AD(vlan=20, prio=5)/Dot1Q(vlan=10)/IP(src="10.0.0.1", dst="10.0.0.3")/UDP(sport=1000, dport=2000)/Raw(load="two tags") |
    And no other port emits anything

  Scenario: pop_vlan removes the tag of a packet the flow matched by its VLAN
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0800),ipv4(frag=no)), actions:pop_vlan,p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p3
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=10, prio=2)/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="tagged") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="untagged") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="tagged") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="untagged") |
    And no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0800),ipv4(frag=no)), packets:1, bytes:52, used:never, actions:pop_vlan,p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:50, used:never, actions:p3
      """
