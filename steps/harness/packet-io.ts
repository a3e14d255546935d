/**
 * SandboxTraffic: the harness's traffic taps on a sandbox — send frames into
 * a switch port and capture what every port emits, through one AF_PACKET
 * socket on each port's harness end (`<port>-h`).
 *
 * Design:
 *  - Capture is polled, never event-driven: every call (and an unref'd
 *    background timer every 5 ms) drains all sockets into per-port lists in
 *    arrival order. A 32 MiB receive buffer per socket holds frames in the
 *    kernel between polls; its drops are reported by checkDrops().
 *  - Pacing (send): a token bucket per port (send-pacer.ts) releases at
 *    most 8 KiB of receive-buffer charge per ms ÷ slowFactor (≈10 frames/ms
 *    of 64 B, ≈3.5 of 1500 B), bursts of at most 16 KiB and 32 frames. The
 *    limit is the switch's own receive socket: Open vSwitch's netdev
 *    datapath keeps the default buffer (208 KiB) and its main thread
 *    stalls at times; its drops show only as socket drops. Measured with
 *    1000-frame replays into OVS 3.1: a fixed 32 frames per ms lost 1500 B
 *    frames in 2 runs of 3 on an idle machine; this pace lost none there,
 *    but on a busy machine OVS stalls for 50-150 ms and 1500 B replays lose
 *    frames at any useful pace. So pacing makes loss rare, and checkDrops()
 *    makes it visible (HARNESS-ERROR, never a silent FAIL).
 *  - Quiet: waitQuiet() returns once no frame arrived on any port for
 *    settleMs × slowFactor (default 100 ms). A switch that stalls longer
 *    than that can still emit afterwards; raise REFSWITCH_SLOW_FACTOR on
 *    busy machines.
 * Invariants: frames of one port are kept in arrival order; memory is
 * bounded (more than 100,000 untaken frames on one port is a storm: a
 * HarnessError, and that port's further frames are discarded); close() is
 * idempotent and registered with the sandbox's cleanup stack.
 * Left out on purpose: send timestamps, replay at recorded pcap timing,
 * frames the harness did not capture because no socket listened yet.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PacketSocket } from '../../reference/netdev/index.ts';
import { HarnessError } from './errors.ts';
import { describePacketSocket, readPacketSocketDrops } from './packet-drops.ts';
import type { Sandbox } from './sandbox.ts';
import { DEFAULT_PACER, SendPacer, type PacerOptions } from './send-pacer.ts';

export interface CapturedFrame {
  readonly port: string;
  readonly data: Uint8Array;
  readonly tsSec: number;
  readonly tsNsec: number;
}

export interface QuietOptions {
  readonly settleMs: number;
  readonly maxMs: number;
}

export interface TrafficOptions {
  /** Multiplies every wait (pacing gap, settle, timeouts); default $REFSWITCH_SLOW_FACTOR, else 1. */
  readonly slowFactor?: number;
  /** Pacing before slowFactor; default DEFAULT_PACER (8 KiB/ms, bucket 16 KiB, 32 frames). */
  readonly pacer?: Partial<PacerOptions>;
  /** Untaken frames per port beyond which capture fails (a storm); default 100,000. */
  readonly maxCapturedPerPort?: number;
}

export const DEFAULT_QUIET: QuietOptions = { settleMs: 100, maxMs: 10_000 };
const DEFAULT_MAX_CAPTURED = 100_000;
const BACKGROUND_POLL_MS = 5;
const RECV_BATCH = 1024;

/** slowFactor from the option, else $REFSWITCH_SLOW_FACTOR, else 1; HarnessError if not a positive number. */
export function resolveSlowFactor(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = option ?? (env['REFSWITCH_SLOW_FACTOR'] === undefined ? 1 : Number(env['REFSWITCH_SLOW_FACTOR']));
  if (!Number.isFinite(raw) || raw <= 0) {
    throw new HarnessError(`slow factor ${JSON.stringify(option ?? env['REFSWITCH_SLOW_FACTOR'])} is not a positive number`);
  }
  return raw;
}

type Baseline = Map<number, number> | HarnessError;

export class SandboxTraffic {
  readonly slowFactor: number;
  private readonly sandbox: Sandbox;
  private readonly sockets = new Map<string, PacketSocket>();
  private readonly captured = new Map<string, CapturedFrame[]>();
  private readonly pacers = new Map<string, SendPacer>();
  private readonly maxCaptured: number;
  private readonly baseline: Promise<Baseline>;
  private readonly timer: NodeJS.Timeout;
  private failure: HarnessError | undefined;
  private closed = false;

  private constructor(sandbox: Sandbox, options: TrafficOptions) {
    this.sandbox = sandbox;
    this.slowFactor = resolveSlowFactor(options.slowFactor);
    const given = { ...DEFAULT_PACER, ...options.pacer };
    const pacing: PacerOptions = { ...given, rateBytesPerMs: given.rateBytesPerMs / this.slowFactor };
    this.maxCaptured = positiveInt(options.maxCapturedPerPort ?? DEFAULT_MAX_CAPTURED, 'maxCapturedPerPort');
    for (const port of sandbox.ports) {
      const ifname = sandbox.harnessEnd(port);
      try {
        this.sockets.set(port, PacketSocket.open({ namespace: sandbox.namespace, ifname }));
      } catch (e) {
        this.closeSockets();
        throw new HarnessError(`open capture socket on ${ifname} in ${sandbox.namespace}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
      }
      this.captured.set(port, []);
      this.pacers.set(port, new SendPacer(pacing));
    }
    this.baseline = readPacketSocketDrops(sandbox).then(
      (all) => new Map(all.map((s) => [s.inode, s.drops])),
      (e: unknown) => (e instanceof HarnessError ? e : new HarnessError(`read packet socket drops: ${String(e)}`)),
    );
    this.timer = setInterval(() => this.pollQuietly(), BACKGROUND_POLL_MS);
    this.timer.unref();
  }

  /**
   * Opens one socket on each port's harness end in the sandbox's namespace
   * and registers close() with sandbox.defer. HarnessError when a socket
   * cannot be opened (no root, addon not built, interface missing).
   */
  static open(sandbox: Sandbox, options: TrafficOptions = {}): SandboxTraffic {
    if (sandbox.isDestroyed) throw new HarnessError(`traffic taps on destroyed sandbox ${sandbox.namespace}`);
    const traffic = new SandboxTraffic(sandbox, options);
    sandbox.defer('close traffic taps', async () => {
      await traffic.baseline; // its `ss` must not outlive the namespace
      traffic.close();
    });
    return traffic;
  }

  /**
   * Sends frames into `port` from its harness end, in order, paced (see the
   * file comment). Resolves when all were handed to the kernel; HarnessError
   * if the kernel takes none for maxMs × slowFactor, or rejects a frame.
   */
  async send(port: string, frames: readonly Uint8Array[]): Promise<void> {
    const socket = this.socketFor(port);
    const pacer = this.pacers.get(port) ?? new SendPacer();
    await this.baseline; // drops caused by our traffic must not end up in it
    const stallLimitMs = DEFAULT_QUIET.maxMs * this.slowFactor;
    let stalledSince: number | undefined;
    for (let i = 0; i < frames.length; ) {
      const { count, waitMs } = pacer.next(frames, i);
      let n = 0;
      if (count > 0) {
        try {
          n = socket.send(frames.slice(i, i + count));
        } catch (e) {
          throw new HarnessError(`send frame ${i} of ${frames.length} into ${port}: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
        }
        pacer.spend(frames, i, n);
        i += n;
        this.poll();
      }
      if (count > 0 && n === 0) {
        if ((stalledSince ??= Date.now()) + stallLimitMs < Date.now()) {
          throw new HarnessError(`send into ${port}: the kernel took no frame for ${stallLimitMs} ms (${frames.length - i} of ${frames.length} left)`);
        }
      } else stalledSince = undefined;
      if (i < frames.length) await sleep(Math.max(1, waitMs));
    }
  }

  /**
   * Polls every port until no frame has arrived on any of them for
   * settleMs × slowFactor. HarnessError after maxMs × slowFactor.
   */
  async waitQuiet(options: Partial<QuietOptions> = {}): Promise<void> {
    const settleMs = (options.settleMs ?? DEFAULT_QUIET.settleMs) * this.slowFactor;
    const maxMs = (options.maxMs ?? DEFAULT_QUIET.maxMs) * this.slowFactor;
    const start = Date.now();
    let lastArrival = start;
    const arrivals: { at: number; count: number }[] = [];
    for (;;) {
      const now = Date.now();
      const count = this.poll();
      if (count > 0) {
        lastArrival = now;
        arrivals.push({ at: now, count });
      }
      if (now - lastArrival >= settleMs) return;
      if (now - start >= maxMs) {
        const recent = arrivals.filter((a) => a.at >= now - settleMs).reduce((sum, a) => sum + a.count, 0);
        throw new HarnessError(`switch never went quiet: ${recent} frames in the last ${settleMs} ms after waiting ${maxMs} ms`);
      }
      while (arrivals.length > 0 && (arrivals[0]?.at ?? now) < now - settleMs) arrivals.shift();
      await sleep(1);
    }
  }

  /** Frames captured on `port` since the last take(port) (or open), in arrival order; removes them. */
  take(port: string): CapturedFrame[] {
    const list = this.capturedFor(port);
    this.captured.set(port, []);
    return list;
  }

  /** Like take, but leaves them. */
  peek(port: string): readonly CapturedFrame[] {
    return [...this.capturedFor(port)];
  }

  /**
   * HarnessError naming each socket whose drops grew since open(): the
   * harness's own (PACKET_STATISTICS) and every other packet socket in the
   * namespace, the switch's included (`ss` skmem d<N>).
   */
  async checkDrops(): Promise<void> {
    this.poll();
    const problems: string[] = [];
    for (const socket of this.sockets.values()) {
      const { drops } = socket.stats();
      if (drops > 0) problems.push(`harness socket on ${socket.describe()}: ${drops} frames dropped`);
    }
    const baseline = await this.baseline;
    if (baseline instanceof HarnessError) throw baseline;
    const ours = new Set([...this.sockets.values()].map((s) => s.inode));
    for (const s of await readPacketSocketDrops(this.sandbox)) {
      const grew = s.drops - (baseline.get(s.inode) ?? 0);
      if (!ours.has(s.inode) && grew > 0) problems.push(`${describePacketSocket(s)}: ${grew} frames dropped`);
    }
    if (problems.length > 0) {
      throw new HarnessError(`receive buffers overflowed in ${this.sandbox.namespace} (frames lost): ${problems.join('; ')}`);
    }
  }

  /** Stops polling and closes the sockets; idempotent. Captured frames stay readable. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.closeSockets();
  }

  /** Drains every socket; returns how many frames arrived. Throws a storm failure once recorded. */
  private poll(): number {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) return 0;
    let total = 0;
    for (const [port, socket] of this.sockets) {
      const list = this.captured.get(port) ?? [];
      for (;;) {
        const frames = socket.receive(RECV_BATCH);
        total += frames.length;
        if (list.length < this.maxCaptured) {
          for (const f of frames) list.push({ port, data: f.data, tsSec: f.tsSec, tsNsec: f.tsNsec });
        }
        if (list.length >= this.maxCaptured && this.failure === undefined) {
          this.failure = new HarnessError(
            `more than ${this.maxCaptured} frames captured on ${port} without being taken (a switch storm?); capture stopped`,
          );
        }
        if (frames.length < RECV_BATCH) break;
      }
    }
    if (this.failure !== undefined) throw this.failure;
    return total;
  }

  private pollQuietly(): void {
    try {
      this.poll();
    } catch {
      // Recorded in this.failure (or the socket is gone); the next call reports it.
    }
  }

  private capturedFor(port: string): CapturedFrame[] {
    if (!this.captured.has(port)) throw new HarnessError(`sandbox ${this.sandbox.namespace} has no port ${JSON.stringify(port)}`);
    this.poll();
    return this.captured.get(port) ?? [];
  }

  private socketFor(port: string): PacketSocket {
    const socket = this.sockets.get(port);
    if (socket === undefined) throw new HarnessError(`sandbox ${this.sandbox.namespace} has no port ${JSON.stringify(port)}`);
    if (this.closed) throw new HarnessError(`traffic taps of ${this.sandbox.namespace} are closed (port ${port})`);
    return socket;
  }

  private closeSockets(): void {
    for (const socket of this.sockets.values()) socket.close();
  }
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new HarnessError(`${name} ${v} is not a positive integer`);
  return v;
}
