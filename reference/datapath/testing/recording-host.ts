/**
 * Test support: an in-memory ActionHost that records what action execution
 * asks of the datapath (outputs, upcalls, recirculations, meter runs, drops)
 * and a helper that turns frame bytes into a `DpPacket` with its extracted
 * key. Used by the action tests and the datapath fuzz; not part of the
 * datapath.
 *
 * Invariant: the host never throws; `recordFrames: false` keeps only
 * counters (for the fuzz, which runs millions of packets).
 */
import { FlowKey, extractDatapathKey, parseOdpFlow, type OdpAction } from '../../flow/index.ts';
import type { ActionHost, ActionUpcallInfo, DpPacket, DropReason, PacketMetadata } from '../action-host.ts';
import { copyBytes } from '../execute-actions.ts';
import { MeterTable } from '../meter-table.ts';

export interface RecordedOutput {
  readonly port: number;
  readonly frame: Uint8Array;
}
export interface RecordedUpcall {
  /** Bytes as they were at the upcall, cut by `cutlen` as the host should. */
  readonly frame: Uint8Array;
  readonly cutlen: number;
  readonly key: FlowKey;
  readonly info: ActionUpcallInfo;
}
export interface RecordedRecirc {
  readonly pkt: DpPacket;
  readonly depth: number;
}

/** Metadata of `pkt` as extraction takes it. */
export function extractMetadataOf(md: PacketMetadata): { inPort: number; skbPriority: number; pktMark: number; recircId: number; dpHash: number } {
  return { inPort: md.inPort, skbPriority: md.skbPriority, pktMark: md.skbMark, recircId: md.recircId, dpHash: md.dpHash };
}

/** A packet as a port hands it to the datapath: metadata zero but `inPort`, key extracted. */
export function packetFrom(data: Uint8Array, md: Partial<PacketMetadata> = {}): DpPacket {
  const full: PacketMetadata = { inPort: 1, skbPriority: 0, skbMark: 0, recircId: 0, dpHash: 0, ...md };
  const key = new FlowKey();
  extractDatapathKey(data, key, extractMetadataOf(full));
  return { data, md: full, key, keyValid: true, cutlen: 0 };
}

/** True when `pkt.key` is what a fresh extraction of its bytes and metadata gives. */
export function isKeyFresh(pkt: DpPacket, scratch = new FlowKey()): boolean {
  extractDatapathKey(pkt.data, scratch, extractMetadataOf(pkt.md));
  return scratch.equals(pkt.key);
}

export class RecordingHost implements ActionHost {
  now = 0;
  /** Ports that exist; output to any other fails. */
  readonly ports = new Set<number>([1, 2, 3, 4, 5]);
  /** What `upcall` answers (false: the queue is full). */
  upcallOk = true;
  readonly meters = new MeterTable();
  readonly outputs: RecordedOutput[] = [];
  readonly upcalls: RecordedUpcall[] = [];
  readonly recircs: RecordedRecirc[] = [];
  readonly drops: DropReason[] = [];
  /** Ordered log of every call, e.g. `output:2`, `recirc:1@1`, `drop:meter`, for order checks. */
  readonly log: string[] = [];
  reextracts = 0;
  outputCount = 0;
  /** Called for each recirculation after it is recorded (a test can re-enter executeActions here). */
  onRecirculate: ((pkt: DpPacket, depth: number) => void) | undefined;

  constructor(readonly recordFrames = true) {}

  nowMs(): number {
    return this.now;
  }

  output(portNo: number, frame: Uint8Array): boolean {
    if (!this.ports.has(portNo)) return false;
    this.outputCount++;
    if (this.recordFrames) {
      this.outputs.push({ port: portNo, frame });
      this.log.push(`output:${portNo}`);
    }
    return true;
  }

  upcall(pkt: DpPacket, info: ActionUpcallInfo): boolean {
    if (this.recordFrames) this.log.push(`upcall:${info.pid ?? 0}`);
    if (!this.upcallOk) return false;
    if (this.recordFrames) {
      if (!pkt.keyValid) this.reextract(pkt);
      const keep = pkt.cutlen > 0 && pkt.cutlen < pkt.data.length ? pkt.cutlen : pkt.data.length;
      this.upcalls.push({ frame: copyBytes(pkt.data, keep), cutlen: pkt.cutlen, key: pkt.key.clone(), info });
    }
    return true;
  }

  recirculate(pkt: DpPacket, depth: number): void {
    if (this.recordFrames) {
      this.recircs.push({ pkt, depth });
      this.log.push(`recirc:${pkt.md.recircId}@${depth}`);
    }
    this.onRecirculate?.(pkt, depth);
  }

  meter(id: number, bytes: number): boolean {
    return this.meters.apply(id, bytes, this.now);
  }

  drop(reason: DropReason): void {
    this.drops.push(reason);
    if (this.recordFrames) this.log.push(`drop:${reason}`);
  }

  reextract(pkt: DpPacket): void {
    this.reextracts++;
    extractDatapathKey(pkt.data, pkt.key, extractMetadataOf(pkt.md));
    pkt.keyValid = true;
  }

  /** Frames sent to `port`, in order. */
  framesTo(port: number): Uint8Array[] {
    return this.outputs.filter((o) => o.port === port).map((o) => o.frame);
  }
}

/** Parses ODP action text as dpctl prints it (`2,set(ipv4(ttl=9)),recirc(0x1)`); throws on a typo (test misuse). */
export function parseActions(text: string): OdpAction[] {
  const r = parseOdpFlow(`in_port(1),actions:${text}`);
  if (!r.ok) throw new Error(`bad action text ${JSON.stringify(text)}: ${r.error.message} at column ${r.error.column}`);
  return r.flow.actions;
}
