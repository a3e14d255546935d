/** Public surface of reference/packet: codecs, builder, pcap I/O and packet text. */
export * from './cursor.ts';
export type { DecodedPacket, DecodeIssue, DecodeIssueKind, FieldInfo, FieldValue, Layer, LayerName, LayerSpec } from './layer-model.ts';
export { PacketBuildError } from './layer-model.ts';
export { decodePacket } from './decode.ts';
export { encodePacket } from './encode.ts';
export { describeLayer } from './describe-layer.ts';
export { formatIpv4, formatIpv6, formatMac, parseIpv4, parseIpv6, parseMac } from './field-values.ts';
export { internetChecksum, sctpCrc32c, sumWords, foldChecksum } from './checksum.ts';
export { loadPacketFixtures } from './packet-fixtures.ts';
export type { PacketFixture } from './packet-fixtures.ts';
export * from './builder.ts';
export * from './pcap-format.ts';
export * from './pcap-decoder.ts';
export * from './pcap-reader.ts';
export * from './pcap-writer.ts';
export * from './hexdump.ts';
export * from './summary.ts';
