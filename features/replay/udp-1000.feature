Feature: Replaying 1,000 UDP datagrams through one megaflow
  captures/replay/udp-1000.pcap (made by make-udp-1000.py) holds 1,000
  60-byte UDP datagrams from 10.0.0.1 to 10.0.0.2:5001, each from a different
  source port. The rule looks only at the protocol and the destination
  address, so the first datagram is handled by the slow path and installs a
  megaflow that ignores the ports, and the other 999 must hit that megaflow:
  the datapath must end with exactly one flow. All 1,000 must come out of p2
  in order and unchanged (golden), the rule must count all of them, the
  upcalled first one included, and nothing may leak to the third port.

  @dp-dump @of-stats
  Scenario: 1,000 datagrams with 1,000 source ports share one megaflow
    Given a bridge "br0" with ports p1, p2, p3
    And the OpenFlow flows on "br0":
      """
      priority=100,udp,nw_dst=10.0.0.2 actions=output:2
      priority=0 actions=drop
      """
    When the pcap "captures/replay/udp-1000.pcap" is replayed into port "p1"
    Then port "p2" emits the packets in golden "udp-1000-p2"
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,proto=17,frag=no), actions:p2
      """
    And the OpenFlow flow stats on "br0" are:
      | rule                             | n_packets | n_bytes |
      | priority=100,udp,nw_dst=10.0.0.2 | 1000      | 60000   |
      | priority=0                       | 0         | 0       |
