/**
 * Public surface of reference/netdev: raw packet I/O on Linux interfaces
 * (AF_PACKET through our N-API addon). A bottom layer: it imports nothing
 * else from reference/, so both the harness and the datapath's vports can
 * use it.
 */
export {
  AF_PACKET_ADDON_PATH,
  AfPacketError,
  DEFAULT_RCVBUF_BYTES,
  ETH_HEADER_BYTES,
  MAX_FRAME_BYTES,
  PacketSocket,
  loadAfPacket,
  type AfPacketBinding,
  type PacketSocketOptions,
  type PollCallback,
  type RawFrame,
  type ReadableCallback,
  type SocketStats,
} from './af-packet.ts';
export {
  DEFAULT_RX_SLOTS,
  DEFAULT_RX_SLOT_BYTES,
  MAX_RX_SLOTS,
  RxRing,
  VLAN_RESERVE_BYTES,
  type FrameSpans,
  type RxRingOptions,
} from './rx-ring.ts';
