/**
 * PacketSocket: raw Ethernet frames in and out of one Linux interface
 * (optionally inside a named network namespace) through our AF_PACKET
 * N-API addon (native/af-packet/af-packet.c).
 *
 * Two ways each way: receive()/send() with one object per frame (simple,
 * with timestamps; the harness uses them), and receiveInto(RxRing)/
 * sendFrom(FrameSpans) over preallocated buffers, which allocate nothing
 * per frame (the switch's vports use them).
 *
 * Invariants:
 *  - A socket sees only its own interface's frames, never the ones it sent,
 *    and frames come out byte-identical to the wire (a VLAN tag the kernel
 *    moved into metadata is put back by the addon).
 *  - Nothing blocks: sends hand over what the kernel takes now and say how
 *    many; receives return what is queued now. Callers either poll or ask
 *    onReadable() for a callback from the event loop when frames are queued
 *    (libuv poll handle, level-triggered: called again while any are left).
 *  - A socket with a readable callback keeps the process alive, like a
 *    listening server; offReadable() and close() release it at once, also
 *    from inside the callback.
 *  - stats() is cumulative since open: the kernel resets PACKET_STATISTICS
 *    on every read, so the counts are accumulated here.
 *  - close() is idempotent; any other call after close() throws.
 * Left out on purpose: mmap rings, BPF filters, blocking reads, writable
 * readiness (a full send queue shows as a short send count), frames over
 * 64 KiB.
 */
import { existsSync, fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FrameSpans, RxRing } from './rx-ring.ts';

/** Where scripts/build-native.js puts the compiled addon. */
export const AF_PACKET_ADDON_PATH = fileURLToPath(new URL('../../native/af-packet/build/af-packet.node', import.meta.url));

/** One received frame with its kernel receive timestamp (CLOCK_REALTIME). */
export interface RawFrame {
  readonly data: Buffer;
  readonly tsSec: number;
  readonly tsNsec: number;
}

export interface SocketStats {
  /** Frames the socket accepted or dropped. */
  readonly packets: number;
  /** Frames dropped because the receive buffer was full. */
  readonly drops: number;
}

/** The addon's functions, as af-packet.c defines them. */
export interface AfPacketBinding {
  openSocket(netnsPath: string | null, ifname: string, rcvbufBytes: number): number;
  sendBatch(fd: number, frames: readonly Uint8Array[]): number;
  /** Sends frames first..first+count-1 of the spans (count ≤ 1024); RangeError for a span outside data. */
  sendFrom(fd: number, data: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, first: number, count: number): number;
  recvBatch(fd: number, maxFrames: number): RawFrame[];
  /** Fills up to lengths.length slots (see RxRing); adds frames too long for a slot to oversize[0]. */
  recvInto(fd: number, data: Uint8Array, slotBytes: number, lengths: Uint32Array, offsets: Uint32Array, oversize: Float64Array): number;
  /** Calls `callback` from the event loop while fd is readable; (error, stopped) on a socket or poll error. */
  pollStart(fd: number, callback: PollCallback): void;
  /** Stops fd's callback; false if there was none. */
  pollStop(fd: number): boolean;
  stats(fd: number): SocketStats;
  closeSocket(fd: number): void;
}

/** `stopped` is true when polling ended with the error (call pollStop), false when it goes on. */
export type PollCallback = (error?: Error, stopped?: boolean) => void;

/** Called when frames are queued, or with the error when the socket reports one. */
export type ReadableCallback = (error?: AfPacketError) => void;

const FUNCTIONS = ['openSocket', 'sendBatch', 'sendFrom', 'recvBatch', 'recvInto', 'pollStart', 'pollStop', 'stats', 'closeSocket'] as const;
const loaded = new Map<string, AfPacketBinding>();

/**
 * Loads the addon (once per path). Throws an Error telling how to build it
 * when the .node file is missing, or naming the path when it is not ours.
 */
export function loadAfPacket(path: string = AF_PACKET_ADDON_PATH): AfPacketBinding {
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;
  if (!existsSync(path)) {
    throw new Error(`AF_PACKET addon not built: ${path} is missing; run node scripts/build-native.js`);
  }
  const mod: unknown = createRequire(import.meta.url)(path);
  const missing = FUNCTIONS.filter((f) => typeof (mod as Record<string, unknown> | null)?.[f] !== 'function');
  if (missing.length > 0) throw new Error(`${path} is not the AF_PACKET addon: it lacks ${missing.join(', ')}`);
  const binding = mod as AfPacketBinding;
  loaded.set(path, binding);
  return binding;
}

/** An addon failure with the socket it happened on; `code` is the errno name. */
export class AfPacketError extends Error {
  override readonly name = 'AfPacketError';
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface PacketSocketOptions {
  readonly ifname: string;
  /** A namespace name under /run/netns, or an absolute path to a netns file; default: ours. */
  readonly namespace?: string;
  /** Receive buffer (SO_RCVBUFFORCE); default 32 MiB, so frames wait between polls. */
  readonly rcvbufBytes?: number;
  /** Defaults to loadAfPacket(). */
  readonly binding?: AfPacketBinding;
}

export const DEFAULT_RCVBUF_BYTES = 32 * 1024 * 1024;
export const ETH_HEADER_BYTES = 14;
export const MAX_FRAME_BYTES = 65535;
const namespaceNameRe = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class PacketSocket {
  readonly ifname: string;
  readonly namespace: string | undefined;
  /** The socket's inode, as `ss -e` prints it (`ino:N`). */
  readonly inode: number;
  private readonly binding: AfPacketBinding;
  private fd: number | undefined;
  private packets = 0;
  private drops = 0;
  private readable: ReadableCallback | undefined;

  private constructor(binding: AfPacketBinding, fd: number, ifname: string, namespace: string | undefined) {
    this.binding = binding;
    this.fd = fd;
    this.ifname = ifname;
    this.namespace = namespace;
    this.inode = fstatSync(fd).ino;
  }

  /**
   * Opens and binds a socket on `ifname` inside `namespace`. Throws
   * AfPacketError ("setns into /run/netns/x: Operation not permitted",
   * "SIOCGIFINDEX p9: No such device") or RangeError for bad options.
   */
  static open(options: PacketSocketOptions): PacketSocket {
    const ns = options.namespace;
    if (ns !== undefined && !ns.startsWith('/') && !namespaceNameRe.test(ns)) {
      throw new RangeError(`namespace ${JSON.stringify(ns)} is neither a name under /run/netns nor an absolute path`);
    }
    const rcvbuf = options.rcvbufBytes ?? DEFAULT_RCVBUF_BYTES;
    if (!Number.isInteger(rcvbuf) || rcvbuf < 0 || rcvbuf > 0x7fffffff) {
      throw new RangeError(`rcvbufBytes ${rcvbuf} is not an integer in 0..2^31-1`);
    }
    const binding = options.binding ?? loadAfPacket();
    const path = ns === undefined ? null : ns.startsWith('/') ? ns : `/run/netns/${ns}`;
    const where = `${options.ifname}${ns === undefined ? '' : ` in ${ns}`}`;
    const fd = call(`open AF_PACKET socket on ${where}`, () => binding.openSocket(path, options.ifname, rcvbuf));
    return new PacketSocket(binding, fd, options.ifname, ns);
  }

  get isClosed(): boolean {
    return this.fd === undefined;
  }

  /** "p1-h in rsw-0-a1b2c3", for messages. */
  describe(): string {
    return `${this.ifname}${this.namespace === undefined ? '' : ` in ${this.namespace}`}`;
  }

  /**
   * Hands frames to the kernel in order, in one sendmmsg (at most 1024).
   * Returns how many it took; fewer (even 0) when the device queue is full:
   * send the rest later. Throws RangeError for a frame shorter than an
   * Ethernet header or over 64 KiB, AfPacketError for other kernel errors
   * (EMSGSIZE for a frame over the MTU).
   */
  send(frames: readonly Uint8Array[]): number {
    frames.forEach((f, i) => {
      if (f.length < ETH_HEADER_BYTES || f.length > MAX_FRAME_BYTES) {
        throw new RangeError(`frame ${i} is ${f.length} bytes; frames are ${ETH_HEADER_BYTES}..${MAX_FRAME_BYTES} bytes`);
      }
    });
    const fd = this.openFd('send');
    if (frames.length === 0) return 0;
    return call(`send on ${this.describe()}`, () => this.binding.sendBatch(fd, frames));
  }

  /** Up to `maxFrames` frames queued now, oldest first (possibly none). */
  receive(maxFrames = 1024): RawFrame[] {
    if (!Number.isInteger(maxFrames) || maxFrames < 1) throw new RangeError(`maxFrames ${maxFrames} is not a positive integer`);
    const fd = this.openFd('receive');
    return call(`receive on ${this.describe()}`, () => this.binding.recvBatch(fd, maxFrames));
  }

  /**
   * Receives what is queued now into `ring` (at most ring.slots frames, one
   * recvmmsg), allocating nothing. Returns the number of frames, also left
   * in ring.count; frame i is ring.frame(i) until the next receive into the
   * ring. Frames longer than ring.maxFrameBytes are dropped and counted in
   * ring.oversizeDrops. Throws AfPacketError for kernel errors (ENETDOWN
   * once after the interface went down, if no readable callback took it).
   */
  receiveInto(ring: RxRing): number {
    const fd = this.openFd('receiveInto');
    ring.count = 0;
    try {
      ring.count = this.binding.recvInto(fd, ring.data, ring.slotBytes, ring.lengths, ring.offsets, ring.oversizeCounter);
    } catch (e) {
      throw wrapError(`receive on ${this.describe()}`, e);
    }
    return ring.count;
  }

  /**
   * Sends frames first..first+count-1 of `spans` (count ≤ 1024) in one
   * sendmmsg, allocating nothing; returns how many the kernel took (fewer
   * when the device queue is full). Throws RangeError when a frame is not
   * 14..65535 bytes inside spans.data or count is out of range,
   * AfPacketError for other kernel errors.
   */
  sendFrom(spans: FrameSpans, count: number, first = 0): number {
    const fd = this.openFd('sendFrom');
    if (count === 0) return 0;
    try {
      return this.binding.sendFrom(fd, spans.data, spans.offsets, spans.lengths, first, count);
    } catch (e) {
      throw wrapError(`send on ${this.describe()}`, e);
    }
  }

  /**
   * Has `cb` called from the event loop whenever frames are queued (again on
   * every loop turn while some are left: drain with receiveInto), instead of
   * polling. Replaces an earlier callback. When the kernel reports a socket
   * error (ENETDOWN: the interface went down) cb gets it as an AfPacketError
   * and the callback stays registered; if polling itself failed, it is
   * unregistered first. While registered, the socket keeps the process alive.
   */
  onReadable(cb: ReadableCallback): void {
    const fd = this.openFd('onReadable');
    if (this.readable === undefined) {
      call(`watch ${this.describe()} for frames`, () => this.binding.pollStart(fd, this.dispatchReadable));
    }
    this.readable = cb;
  }

  /** Unregisters the readable callback, if any (safe inside it); the process may exit. */
  offReadable(): void {
    const fd = this.fd;
    if (this.readable === undefined || fd === undefined) return;
    this.readable = undefined;
    call(`stop watching ${this.describe()}`, () => this.binding.pollStop(fd));
  }

  get isWatched(): boolean {
    return this.readable !== undefined;
  }

  private readonly dispatchReadable: PollCallback = (error, stopped) => {
    const cb = this.readable;
    if (error === undefined) return cb?.();
    if (stopped === true) this.offReadable();
    cb?.(toAfPacketError(`watch ${this.describe()} for frames`, error));
  };

  /** Frames received and dropped since open (cumulative). */
  stats(): SocketStats {
    const fd = this.openFd('stats');
    const now = call(`read statistics of ${this.describe()}`, () => this.binding.stats(fd));
    this.packets += now.packets;
    this.drops += now.drops;
    return { packets: this.packets, drops: this.drops };
  }

  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.offReadable();
    this.fd = undefined;
    call(`close socket on ${this.describe()}`, () => this.binding.closeSocket(fd));
  }

  private openFd(op: string): number {
    if (this.fd === undefined) throw new Error(`${op} on closed packet socket (${this.describe()})`);
    return this.fd;
  }
}

/** Runs an addon call, turning its errno Error into an AfPacketError with context. */
function call<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw wrapError(what, e);
  }
}

/** An addon's errno Error as an AfPacketError saying `what` failed; TypeError, RangeError and non-Errors as they are. */
function wrapError(what: string, e: unknown): unknown {
  return e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError) ? toAfPacketError(what, e) : e;
}

function toAfPacketError(what: string, e: Error): AfPacketError {
  const code = (e as { code?: unknown }).code;
  return new AfPacketError(`${what}: ${e.message}`, typeof code === 'string' ? code : 'EUNKNOWN', { cause: e });
}
