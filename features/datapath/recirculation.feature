Feature: Recirculation, packet metadata and the dp_hash
  `recirc(N)` sends the packet through the datapath's flow table again as
  it is at that point — rewrites included — with `recirc_id(N)` in its key,
  so a second flow, installed for that id, decides what happens next. Each
  pass is a lookup of its own and counts on the flow it hits. Metadata the
  first pass set travels with the packet: `set(skb_priority(…))` and
  `set(skb_mark(…))` change nothing on the wire, and are seen only by a
  later match on `skb_priority`/`skb_mark`. `hash(l4(B))` stores a hash of
  the packet's 5-tuple (with basis B) as its dp_hash, never 0; the hash
  function is the datapath's own (the Linux one is seeded at boot), so a
  scenario can only rely on it being the same for the same 5-tuple.

  Scenario: a recirculated packet is matched again, as rewritten, by a flow for its recirc_id
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:set(ipv4(ttl=9)),recirc(0x1)
      recirc_id(0x1),in_port(p1),eth(),eth_type(0x0800),ipv4(ttl=9,frag=no), actions:p2
      recirc_id(0x2),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p3
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2', ttl=64)/UDP(sport=1000, dport=2000)/Raw(load='two passes')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2", ttl=9)/UDP(sport=1000, dport=2000)/Raw(load="two passes") |
    And no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:52, used:never, actions:set(ipv4(ttl=9)),recirc(0x1)
      recirc_id(0x1),in_port(p1),eth(),eth_type(0x0800),ipv4(ttl=9,frag=no), packets:1, bytes:52, used:never, actions:p2
      recirc_id(0x2),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:p3
      """

  Scenario: skb_priority and skb_mark set in one pass are matched in the next and never reach the wire
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:set(skb_priority(0x5)),set(skb_mark(0x7/0xff)),recirc(0x2)
      recirc_id(0x2),skb_priority(0x5),in_port(p1),skb_mark(0x7/0xff),eth(),eth_type(0x0800),ipv4(frag=no), actions:p2
      recirc_id(0x2),in_port(p1),skb_mark(0/0xff),eth(),eth_type(0x0800),ipv4(frag=no), actions:p3
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='marked')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="marked") |
    And no other port emits anything
    And the datapath flows and their counters are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:48, used:never, actions:set(skb_priority(0x5)),set(skb_mark(0x7/0xff)),recirc(0x2)
      recirc_id(0x2),skb_priority(0x5),in_port(p1),skb_mark(0x7/0xff),eth(),eth_type(0x0800),ipv4(frag=no), packets:1, bytes:48, used:never, actions:p2
      recirc_id(0x2),in_port(p1),skb_mark(0/0xff),eth(),eth_type(0x0800),ipv4(frag=no), packets:0, bytes:0, used:never, actions:p3
      """

  @ovs-differs
  Scenario: hash gives every packet of one 5-tuple the same dp_hash, which the next pass matches
    OVS differs: the ODP text parser of Open vSwitch 3.1 cannot read a
    hash(...) action (it prints it, but odp_actions_from_string has no case
    for it), so dpctl/add-flow refuses these flows; only a select group
    makes ovs-vswitchd itself install one.

    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp(), actions:hash(l4(0)),recirc(0x3)
      recirc_id(0x3),dp_hash(0/0x1),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p2
      recirc_id(0x3),dp_hash(0x1/0x1),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:p3
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='hashed')" is sent 3 times into port "p1"
    Then exactly one of the ports p2, p3 emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="hashed") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="hashed") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="hashed") |
    And no other port emits anything
