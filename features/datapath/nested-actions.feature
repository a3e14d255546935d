Feature: Datapath actions with nested action lists: sample, clone, check_pkt_len, and trunc
  `sample(sample=P%,actions(…))` runs its nested list on a copy of the
  packet with probability P: always at 100%, never at 0%. `clone(…)` runs
  its nested list on a copy, so what the clone rewrites never reaches the
  actions after it. `check_pkt_len(size=N,gt(…),le(…))` runs `gt` when the
  whole frame is longer than N bytes and `le` otherwise (N itself is `le`).
  `trunc(L)` cuts the frame to its first L bytes in the next output only;
  the outputs after that one send the whole frame again.

  Scenario: sample at 100% always runs its actions, at 0% never
    Given a bridge "br0" with ports p1, p2, p3, p4
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:sample(sample=100.0%,actions(p2)),sample(sample=0.0%,actions(p3)),p4
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='sampled')" is sent 5 times into port "p1"
    Then port "p2" emits between 5 and 5 copies of the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='sampled')"
    And port "p4" emits between 5 and 5 copies of the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='sampled')"
    And no other port emits anything
    And the datapath flows and their counters match golden "sample-flows"

  Scenario: what a clone rewrites stays in the clone
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:clone(set(ipv4(ttl=1)),set(eth(dst=02:00:00:00:00:22)),p2),p3
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2', ttl=64)/UDP(sport=1000, dport=2000)/Raw(load='cloned')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:22")/IP(src="10.0.0.1", dst="10.0.0.2", ttl=1)/UDP(sport=1000, dport=2000)/Raw(load="cloned") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2", ttl=64)/UDP(sport=1000, dport=2000)/Raw(load="cloned") |
    And no other port emits anything

  Scenario: check_pkt_len sends frames longer than the size to gt, the others (the size itself included) to le
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:check_pkt_len(size=100,gt(set(ipv4(ttl=1)),p2),le(p3))
      """
    When these packets are sent:
      | port | packet |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="short") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="a 100-byte frame: 42 bytes of headers, this 58-byte load..") |
      | p1   | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="a 101-byte frame: 42 bytes of headers, this 59-byte load...") |
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2", ttl=1)/UDP(sport=1000, dport=2000)/Raw(load="a 101-byte frame: 42 bytes of headers, this 59-byte load...") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="short") |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="a 100-byte frame: 42 bytes of headers, this 58-byte load..") |
    And no other port emits anything

  Scenario: trunc cuts the frame in the next output only
    Given a bridge "br0" with ports p1, p2, p3
    And the datapath flows:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(frag=no), actions:trunc(20),p2,p3
      """
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=1000, dport=2000)/Raw(load='truncated after twenty bytes')" is sent into port "p1"
    Then port "p2" emits the packets in golden "trunc-p2"
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=1000, dport=2000)/Raw(load="truncated after twenty bytes") |
    And no other port emits anything
