Feature: NORMAL learns where a MAC address lives and stops flooding to it
  NORMAL learns the source MAC address of every frame it handles together
  with the port the frame came in on. Once a station has sent something, a
  frame addressed to it leaves by that one port, and a frame addressed to a
  station learned on the input port itself is dropped (a switch never sends a
  frame back where it came from). Each scenario says which port sent what,
  one step at a time, so what is learned is never in doubt; every frame after
  the first has a MAC pair not seen before, so no flood megaflow cached
  earlier can answer for it. The megaflows show that learning is per (input
  port, source, destination): NORMAL matches both Ethernet addresses.

  @fail-mode @dp-dump
  Scenario: After a station has sent, frames to it go out only its port
    Given a bridge "br0" with ports p1, p2, p3
    And the bridge "br0" has fail mode "standalone"
    When the packet "Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')/ARP(op='who-has', hwsrc='02:00:00:00:00:01', psrc='10.0.0.1', hwdst='00:00:00:00:00:00', pdst='10.0.0.2')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op="who-has", hwsrc="02:00:00:00:00:01", psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/ARP(op="who-has", hwsrc="02:00:00:00:00:01", psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2") |
    And no other port emits anything
    When the packet "Ether(src='02:00:00:00:00:02', dst='02:00:00:00:00:01')/ARP(op='is-at', hwsrc='02:00:00:00:00:02', psrc='10.0.0.2', hwdst='02:00:00:00:00:01', pdst='10.0.0.1')" is sent into port "p2"
    Then port "p1" emits:
      | packet |
      | Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")/ARP(op="is-at", hwsrc="02:00:00:00:00:02", psrc="10.0.0.2", hwdst="02:00:00:00:00:01", pdst="10.0.0.1") |
    And no other port emits anything
    When the packet "Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=4000, dport=5000)/Raw(load='learned')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=4000, dport=5000)/Raw(load="learned") |
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1), actions:p2,p3,br0
      recirc_id(0),in_port(p2),eth(src=02:00:00:00:00:02,dst=02:00:00:00:00:01),eth_type(0x0806), actions:p1
      recirc_id(0),in_port(p1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(frag=no), actions:p2
      """

  @fail-mode @trace
  Scenario: The slow path sends a learned destination out its port only
    Given a bridge "br0" with ports p1, p2, p3
    And the bridge "br0" has fail mode "standalone"
    When the packet "Ether(src='02:00:00:00:00:03', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.0.0.3', dst='10.255.255.255')/UDP(sport=68, dport=67)/Raw(load='here I am')" is sent into port "p3"
    Then port "p1" emits:
      | packet |
      | Ether(src="02:00:00:00:00:03", dst="ff:ff:ff:ff:ff:ff")/IP(src="10.0.0.3", dst="10.255.255.255")/UDP(sport=68, dport=67)/Raw(load="here I am") |
    And port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:03", dst="ff:ff:ff:ff:ff:ff")/IP(src="10.0.0.3", dst="10.255.255.255")/UDP(sport=68, dport=67)/Raw(load="here I am") |
    And no other port emits anything
    And tracing "in_port=1,udp,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:03,nw_src=10.0.0.1,nw_dst=10.0.0.3,udp_src=1,udp_dst=2" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:03,nw_frag=no" and datapath actions "p3"
    And tracing "in_port=3,udp,dl_src=02:00:00:00:00:05,dl_dst=02:00:00:00:00:03,nw_src=10.0.0.5,nw_dst=10.0.0.3,udp_src=1,udp_dst=2" on "br0" gives megaflow "recirc_id=0,eth,ip,in_port=3,dl_src=02:00:00:00:00:05,dl_dst=02:00:00:00:00:03,nw_frag=no" and datapath actions "drop"

  @fail-mode @dp-dump
  Scenario: A frame for a station learned on its own input port is dropped
    Given a bridge "br0" with ports p1, p2, p3
    And the bridge "br0" has fail mode "standalone"
    When the packet "Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')/IP(src='10.0.0.1', dst='10.255.255.255')/UDP(sport=1000, dport=2000)/Raw(load='p1 is here')" is sent into port "p1"
    Then port "p2" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/IP(src="10.0.0.1", dst="10.255.255.255")/UDP(sport=1000, dport=2000)/Raw(load="p1 is here") |
    And port "p3" emits:
      | packet |
      | Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff")/IP(src="10.0.0.1", dst="10.255.255.255")/UDP(sport=1000, dport=2000)/Raw(load="p1 is here") |
    And no other port emits anything
    When the packet "Ether(src='02:00:00:00:00:04', dst='02:00:00:00:00:01')/IP(src='10.0.0.4', dst='10.0.0.1')/UDP(sport=1000, dport=2000)/Raw(load='same segment')" is sent into port "p1"
    Then port "p1" emits nothing
    And no other port emits anything
    And the datapath flows are:
      """
      recirc_id(0),in_port(p1),eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(frag=no), actions:p2,p3,br0
      recirc_id(0),in_port(p1),eth(src=02:00:00:00:00:04,dst=02:00:00:00:00:01),eth_type(0x0800),ipv4(frag=no), actions:drop
      """
