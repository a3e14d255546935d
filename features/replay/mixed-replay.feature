Feature: Replaying a mixed 60-packet capture through a small rule set
  A capture of a host's link (captures/replay/mixed-60.pcap, made by
  make-mixed-60.py: three TCP connections with their replies, DNS and syslog
  over UDP, pings, ARP, GRE and an unknown ethertype, interleaved) is
  replayed into one port. Rules split it by protocol and destination
  subnet: TCP into 10.0.1.0/24 to p2, UDP into 10.0.2.0/24 to p3, ICMP to
  p4, ARP to p5, the rest (replies to the host, UDP into the TCP subnet,
  10.0.3.0/24, GRE, ethertype 0x88b5) is dropped. The goldens hold what
  each port emitted, in order, and the megaflows the replay left behind; the
  counters are stated inline (packets and bytes per rule, computed from the
  capture). Every packet that one port receives belongs to a single megaflow,
  so the order a port emits is the capture's order however the datapath
  batches the replay.

  @dp-dump @of-stats
  Scenario: Each kind of traffic in the capture leaves by its own port
    Given a bridge "br0" with ports p1, p2, p3, p4, p5
    And the OpenFlow flows on "br0":
      """
      priority=200,tcp,nw_dst=10.0.1.0/24 actions=output:2
      priority=200,udp,nw_dst=10.0.2.0/24 actions=output:3
      priority=100,icmp actions=output:4
      priority=100,arp actions=output:5
      priority=0 actions=drop
      """
    When the pcap "captures/replay/mixed-60.pcap" is replayed into port "p1"
    Then port "p2" emits the packets in golden "mixed-p2"
    And port "p3" emits the packets in golden "mixed-p3"
    And port "p4" emits the packets in golden "mixed-p4"
    And port "p5" emits the packets in golden "mixed-p5"
    And port "p1" emits nothing
    And the datapath flows match golden "mixed-flows"
    And the OpenFlow flow stats on "br0" are:
      | rule                                | n_packets | n_bytes |
      | priority=200,tcp,nw_dst=10.0.1.0/24 | 15        | 852     |
      | priority=200,udp,nw_dst=10.0.2.0/24 | 11        | 560     |
      | priority=100,icmp                   | 7         | 336     |
      | priority=100,arp                    | 6         | 252     |
      | priority=0                          | 21        | 1107    |
