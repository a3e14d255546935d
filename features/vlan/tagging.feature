Feature: Pushing, popping and rewriting 802.1Q tags
  The VLAN actions change a frame's length and its Ethernet type, so they
  are checked byte for byte: `mod_vlan_vid` on an untagged frame pushes a
  tag with priority 0; `push_vlan` followed by `set_field` builds a tag
  field by field; `strip_vlan` removes the tag and the frame shrinks by
  4 bytes; `mod_vlan_vid` and `mod_vlan_pcp` on a tagged frame rewrite the
  tag in place. A frame tagged with a VLAN no rule names is dropped. The
  megaflows show how the datapath expresses each change (push_vlan,
  pop_vlan, or a pop and a push) and that a megaflow that pops a tag matches
  the whole tag, priority included, while one that only decides on the VLAN
  (the drop) matches the VLAN ID alone.

  @dp-dump
  Scenario: mod_vlan_vid on an untagged frame pushes a tag
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      in_port=1,vlan_tci=0x0000/0x1000 actions=mod_vlan_vid:10,output:2
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=5000, dport=5001)/Raw(load='untagged')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=10, prio=0)/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=5000, dport=5001)/Raw(load="untagged") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:push_vlan(vid=10,pcp=0),p2
      """

  # push_vlan and set_field exist only in OpenFlow 1.1 and later: these flows
  # must be added over OpenFlow 1.1+ (ovs-ofctl -O OpenFlow13 add-flows).
  Scenario: push_vlan and set_field build a tag with a priority
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      in_port=1 actions=push_vlan:0x8100,set_field:4116->vlan_vid,set_field:5->vlan_pcp,output:2
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/TCP(sport=5000, dport=5001, flags='S')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=20, prio=5)/IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=5000, dport=5001, flags="S") |
    And no other port emits anything

  @dp-dump
  Scenario: strip_vlan removes the tag of the VLAN it matches; other VLANs are dropped
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,in_port=1,dl_vlan=10 actions=strip_vlan,output:2
      priority=0 actions=drop
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=10, prio=3)/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=5000, dport=5001)/Raw(load="vlan 10") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=11)/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=5000, dport=5001)/Raw(load="vlan 11") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=5000, dport=5001)/Raw(load="vlan 10") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(frag=no)), actions:pop_vlan,p2
      recirc_id(0),in_port(p1),eth(),eth_type(0x8100),vlan(vid=11),encap(eth_type(0x0800),ipv4(frag=no)), actions:drop
      """

  @dp-dump
  Scenario: mod_vlan_vid and mod_vlan_pcp rewrite an existing tag
    Given a bridge "br0" with ports p1, p2
    And the OpenFlow flows on "br0":
      """
      priority=100,in_port=1,dl_vlan=10 actions=mod_vlan_vid:30,mod_vlan_pcp:6,output:2
      priority=0 actions=drop
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/Dot1Q(vlan=10, prio=1)/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=5000, dport=5001)/Raw(load='retag me')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/Dot1Q(vlan=30, prio=6)/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=5000, dport=5001)/Raw(load="retag me") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x8100),vlan(vid=10,pcp=1),encap(eth_type(0x0800),ipv4(frag=no)), actions:pop_vlan,push_vlan(vid=30,pcp=6),p2
      """
