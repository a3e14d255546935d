/**
 * The bounded queue between the datapath and its upcall handler (the
 * kernel's per-handler netlink socket buffer).
 *
 * Invariants: at most `capacity` upcalls wait; `offer` on a full queue (or
 * with no handler registered) refuses, and the datapath counts the upcall as
 * lost — it never grows without bound and never throws. Upcalls reach the
 * handler in the order offered, after the datapath's current batch (drained
 * from a `setImmediate`), one at a time; a handler that throws loses only
 * that upcall (counted in `handlerErrors`).
 */
import type { DpUpcall, DpUpcallHandler } from './dpif-types.ts';

export const DEFAULT_UPCALL_QUEUE_LENGTH = 1024;

export class UpcallQueue {
  private items: DpUpcall[] = [];
  private handler: DpUpcallHandler | undefined;
  private isScheduled = false;
  /** Upcalls whose handler threw. */
  handlerErrors = 0;

  constructor(readonly capacity: number = DEFAULT_UPCALL_QUEUE_LENGTH) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`upcall queue length ${capacity} is not a positive integer`);
  }

  get length(): number {
    return this.items.length;
  }

  setHandler(handler: DpUpcallHandler | undefined): void {
    this.handler = handler;
    if (handler === undefined) this.items = [];
    else this.schedule();
  }

  /** Queues an upcall; false when full or when nobody listens. */
  offer(upcall: DpUpcall): boolean {
    if (this.handler === undefined || this.items.length >= this.capacity) return false;
    this.items.push(upcall);
    this.schedule();
    return true;
  }

  /** Delivers everything queued now (also what handlers queue meanwhile, up to one queue's worth). */
  drain(): void {
    this.isScheduled = false;
    let budget = this.capacity;
    while (this.items.length > 0 && budget-- > 0) {
      const batch = this.items;
      this.items = [];
      for (const u of batch) {
        const h = this.handler;
        if (h === undefined) return;
        try {
          h(u);
        } catch {
          this.handlerErrors++;
        }
      }
    }
    if (this.items.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.isScheduled || this.items.length === 0) return;
    this.isScheduled = true;
    setImmediate(() => this.drain());
  }
}
