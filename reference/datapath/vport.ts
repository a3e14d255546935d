/**
 * Vports: the datapath's ports (net/openvswitch/vport*.c). Three kinds:
 *  - `system`: a Linux network interface (a veth end), frames in and out
 *    through an AF_PACKET socket (reference/netdev). The socket wakes the
 *    datapath when frames are queued; frames sent during one batch are
 *    handed to the kernel together at `flush()`.
 *  - `internal`: the datapath's local port (port 0) and bridge ports. Held
 *    in memory: what is sent to it is counted (there is no host stack
 *    behind it yet), frames reach it only through injection.
 *  - `dummy`: an in-memory port, as Open vSwitch's netdev-dummy: frames are
 *    injected with `netdev-dummy/receive`, sent frames are kept (the last
 *    `DUMMY_TX_KEEP`) and, with `tx_pcap`/`rxq_pcap` options, written to pcap
 *    files as they pass, flushed per frame so readers see them at once.
 *
 * Invariants: `send` never throws and takes ownership of the frame; a frame
 * the port cannot send is counted in `txDropped` and reported as false. A
 * frame handed to `send` must stay unchanged until the next `flush()` (the
 * datapath flushes every port at the end of each batch it processes).
 *
 * Left out on purpose: tunnel vports (vxlan, geneve, gre), `tap`, MTU checks
 * and segmentation, per-queue statistics, the `-s` error counters beyond
 * rx/tx dropped.
 */
import { PacketSocket, RxRing } from '../netdev/index.ts';
import { PcapWriter } from '../packet/index.ts';
import type { DpResult, VportInfo, VportStats, VportType } from './dpif-types.ts';

/** Sent frames a dummy port keeps in memory for inspection. */
export const DUMMY_TX_KEEP = 1024;
/** Frames read from a system port per wake-up before other work gets a turn. */
export const SYSTEM_RX_BATCH = 256;
/** Receive slot size: a 9000-byte jumbo frame plus a restored VLAN tag; longer frames are dropped and counted. */
export const SYSTEM_RX_SLOT_BYTES = 9022;

/** Counters kept by every port. */
class PortCounters {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  rxDropped = 0;
  txDropped = 0;
  rxErrors = 0;
  txErrors = 0;

  snapshot(): VportStats {
    return { ...this };
  }
}

/** Called by a port for each frame it received; the frame is valid until the call returns or the next flush. */
export type VportReceive = (port: Vport, frame: Uint8Array) => void;
/** Called by a port after it delivered a batch of frames (the datapath flushes outputs then). */
export type VportBatchEnd = () => void;

export abstract class Vport {
  readonly counters = new PortCounters();
  protected opts: Map<string, string>;

  constructor(
    readonly portNo: number,
    readonly name: string,
    readonly type: VportType,
    options: ReadonlyMap<string, string> = new Map(),
  ) {
    this.opts = new Map(options);
  }

  info(): VportInfo {
    return { portNo: this.portNo, name: this.name, type: this.type, options: new Map(this.opts), stats: this.counters.snapshot() };
  }

  /** Hands `frame` to the port for sending; false when it was dropped. */
  abstract send(frame: Uint8Array): boolean;
  /** Sends what `send` queued; returns how many of those frames were dropped. */
  flush(): number {
    return 0;
  }
  /** Starts delivering received frames. */
  start(_receive: VportReceive, _batchEnd: VportBatchEnd): void {}
  /** Changes options (VPORT SET); EINVAL for options the type does not have. */
  setOptions(options: ReadonlyMap<string, string>): DpResult<void> {
    for (const k of options.keys()) return { ok: false, error: { errno: 'EINVAL', message: `port ${this.name}: type ${this.type} has no option ${JSON.stringify(k)}` } };
    return { ok: true, value: undefined };
  }
  close(): void {}
}

/** The datapath's local port and bridge ports: frames sent here are counted and dropped. */
export class InternalVport extends Vport {
  constructor(portNo: number, name: string) {
    super(portNo, name, 'internal');
  }
  send(frame: Uint8Array): boolean {
    this.counters.txPackets++;
    this.counters.txBytes += frame.length;
    return true;
  }
}

/** An in-memory port (netdev-dummy): keeps what it sends, optionally records to pcap. */
export class DummyVport extends Vport {
  /** The most recent frames sent, oldest first (at most DUMMY_TX_KEEP). */
  readonly sent: Uint8Array[] = [];
  private txPcap: PcapWriter | undefined;
  private rxPcap: PcapWriter | undefined;

  constructor(portNo: number, name: string, options: ReadonlyMap<string, string> = new Map()) {
    super(portNo, name, 'dummy');
    const r = this.setOptions(options);
    if (!r.ok) throw new RangeError(r.error.message);
  }

  override setOptions(options: ReadonlyMap<string, string>): DpResult<void> {
    for (const k of options.keys()) {
      if (k !== 'tx_pcap' && k !== 'rxq_pcap') {
        return { ok: false, error: { errno: 'EINVAL', message: `port ${this.name}: dummy ports take tx_pcap and rxq_pcap, not ${JSON.stringify(k)}` } };
      }
    }
    let tx: PcapWriter | undefined;
    let rx: PcapWriter | undefined;
    try {
      const txPath = options.get('tx_pcap');
      const rxPath = options.get('rxq_pcap');
      if (txPath !== undefined && txPath !== this.opts.get('tx_pcap')) tx = PcapWriter.create(txPath);
      if (rxPath !== undefined && rxPath !== this.opts.get('rxq_pcap')) rx = PcapWriter.create(rxPath);
    } catch (err) {
      tx?.close();
      return { ok: false, error: { errno: 'EINVAL', message: `port ${this.name}: ${(err as Error).message}` } };
    }
    if (tx) {
      this.txPcap?.close();
      this.txPcap = tx;
    }
    if (rx) {
      this.rxPcap?.close();
      this.rxPcap = rx;
    }
    for (const [k, v] of options) this.opts.set(k, v);
    return { ok: true, value: undefined };
  }

  send(frame: Uint8Array): boolean {
    this.counters.txPackets++;
    this.counters.txBytes += frame.length;
    const copy = new Uint8Array(frame);
    this.sent.push(copy);
    if (this.sent.length > DUMMY_TX_KEEP) this.sent.shift();
    if (this.txPcap) {
      this.txPcap.write({ data: copy, ...stamp() });
      this.txPcap.flush();
    }
    return true;
  }

  /** Records a frame injected into this port (rxq_pcap). */
  recordReceived(frame: Uint8Array): void {
    if (this.rxPcap) {
      this.rxPcap.write({ data: frame, ...stamp() });
      this.rxPcap.flush();
    }
  }

  override close(): void {
    this.txPcap?.close();
    this.rxPcap?.close();
    this.txPcap = undefined;
    this.rxPcap = undefined;
  }
}

function stamp(): { tsSec: number; tsNsec: number } {
  const ms = Date.now();
  return { tsSec: Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1e6 };
}

/** A Linux interface through AF_PACKET. */
export class SystemVport extends Vport {
  private pending: Uint8Array[] = [];
  private readonly ring = new RxRing({ slots: SYSTEM_RX_BATCH, slotBytes: SYSTEM_RX_SLOT_BYTES });
  private receiveFn: VportReceive | undefined;
  private batchEndFn: VportBatchEnd | undefined;

  private constructor(
    portNo: number,
    name: string,
    private readonly socket: PacketSocket,
    namespace: string | undefined,
  ) {
    super(portNo, name, 'system', namespace === undefined ? new Map() : new Map([['netns', namespace]]));
  }

  /** Opens the interface; the error names the interface and the reason (no such device, not permitted). */
  static open(portNo: number, name: string, namespace: string | undefined): DpResult<SystemVport> {
    try {
      const socket = PacketSocket.open(namespace === undefined ? { ifname: name } : { ifname: name, namespace });
      return { ok: true, value: new SystemVport(portNo, name, socket, namespace) };
    } catch (err) {
      return { ok: false, error: { errno: 'ENODEV', message: `cannot open ${name}: ${(err as Error).message}` } };
    }
  }

  override start(receive: VportReceive, batchEnd: VportBatchEnd): void {
    this.receiveFn = receive;
    this.batchEndFn = batchEnd;
    this.socket.onReadable((err) => {
      if (err) this.counters.rxErrors++;
      else this.poll();
    });
  }

  /** Reads what is queued (at most a few batches), delivering each frame. */
  private poll(): void {
    const receive = this.receiveFn;
    if (receive === undefined || this.socket.isClosed) return;
    const ring = this.ring;
    for (let round = 0; round < 4; round++) {
      let n: number;
      try {
        n = this.socket.receiveInto(ring);
      } catch {
        this.counters.rxErrors++;
        return;
      }
      const data = ring.data;
      for (let i = 0; i < n; i++) {
        const off = ring.offsets[i]!;
        const len = ring.lengths[i]!;
        this.counters.rxPackets++;
        this.counters.rxBytes += len;
        receive(this, data.subarray(off, off + len));
      }
      this.batchEndFn?.();
      if (n < SYSTEM_RX_BATCH) break;
    }
    this.counters.rxDropped = ring.oversizeDrops;
  }

  send(frame: Uint8Array): boolean {
    this.pending.push(frame);
    return true;
  }

  override flush(): number {
    const frames = this.pending;
    if (frames.length === 0) return 0;
    if (this.socket.isClosed) {
      this.pending = [];
      this.counters.txDropped += frames.length;
      return frames.length;
    }
    this.pending = [];
    let sent = 0;
    try {
      sent = this.socket.send(frames);
    } catch {
      this.counters.txErrors++;
    }
    for (let i = 0; i < frames.length; i++) {
      if (i < sent) {
        this.counters.txPackets++;
        this.counters.txBytes += frames[i]!.length;
      } else this.counters.txDropped++;
    }
    return frames.length - sent;
  }

  override close(): void {
    if (!this.socket.isClosed) {
      this.socket.offReadable();
      this.socket.close();
    }
  }
}
