/**
 * Parsing `ss -0 -a -m -n -e -p` (no root needed): real output captured in a
 * sandbox running Open vSwitch 3.1 (netdev datapath) and our own sockets.
 */
import t from 'tap';
import { describePacketSocket, parsePacketSocketDrops } from './packet-drops.ts';

const SS_OUTPUT = `Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
p_raw UNCONN 0      0                  *:p2               *     users:(("ovs-vswitchd",pid=10320,fd=36)) ino:437248 sk:3
\tver:0 cpy_thresh:0 flags( running auxdata ) skmem:(r0,rb212992,t0,tb212992,f0,w0,o176,bl0,d0)
p_raw UNCONN 0      0                  *:p1               *     users:(("ovs-vswitchd",pid=10320,fd=37)) ino:437250 sk:4
\tver:0 cpy_thresh:0 flags( running auxdata ) skmem:(r0,rb212992,t0,tb212992,f0,w0,o176,bl0,d906)
p_raw UNCONN 0      0                  *:p1-h             *     ino:437346 sk:5
\tver:0 cpy_thresh:0 flags( running auxdata ) skmem:(r0,rb67108864,t0,tb212992,f0,w0,o0,bl0,d0)
p_raw UNCONN 0      0                [0]:*                *     users:(("ovs-vswitchd",pid=10320,fd=43)) ino:436017 sk:1001
\tver:0 cpy_thresh:0 flags( 0 ) skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0)
`;

t.test('every packet socket with interface, owner, inode and drops', async (t) => {
  t.same(parsePacketSocketDrops(SS_OUTPUT), [
    { inode: 437248, ifname: 'p2', owner: 'ovs-vswitchd pid 10320', drops: 0 },
    { inode: 437250, ifname: 'p1', owner: 'ovs-vswitchd pid 10320', drops: 906 },
    { inode: 437346, ifname: 'p1-h', owner: '', drops: 0 },
    { inode: 436017, ifname: '*', owner: 'ovs-vswitchd pid 10320', drops: 0 },
  ]);
});

t.test('no sockets, a header only, or records without skmem give nothing', async (t) => {
  t.same(parsePacketSocketDrops(''), []);
  t.same(parsePacketSocketDrops('Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n'), []);
  t.same(parsePacketSocketDrops('p_raw UNCONN 0 0 *:p1 * ino:5 sk:1\n'), []);
});

t.test('describePacketSocket names interface, owner and inode', async (t) => {
  t.equal(describePacketSocket({ inode: 7, ifname: 'p1', owner: 'ovs-vswitchd pid 3', drops: 1 }), 'packet socket on p1 (ovs-vswitchd pid 3, ino 7)');
  t.equal(describePacketSocket({ inode: 7, ifname: 'p1', owner: '', drops: 1 }), 'packet socket on p1 (ino 7)');
});
