/** Public surface of reference/packet: codecs, builder, pcap I/O and packet text. */
export * from './cursor.ts';
