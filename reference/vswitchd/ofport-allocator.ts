/**
 * OpenFlow port numbers of one bridge, allocated as Open vSwitch's ofproto
 * does: a requested number (Interface.ofport_request) when it is free;
 * otherwise the search continues after the last number handed out, takes
 * the first number never used, and when the space (1..32767) is exhausted
 * the one released longest ago. So a port added after a deletion gets a
 * new number rather than the one just freed (old flows may still name it).
 *
 * Invariant: a number is in use by at most one port; 65534 (OFPP_LOCAL) is
 * the bridge's own port and never allocated here.
 *
 * Left out on purpose: OVS also reuses a number released more than an hour
 * ago; here only exhaustion does (no wall-clock dependence).
 */

/** OFPP_LOCAL: the bridge's own (internal) port. */
export const OFPP_LOCAL = 65534;
/** Automatic numbers stay in the lower half, as OVS keeps the upper for controllers. */
const AUTO_LIMIT = 32768;
/** ofproto's max_ports for the dpif provider (OFPP_MAX + 1). */
const MAX_PORTS = 0xff00;

export class OfportAllocator {
  /** ofport → Infinity while in use, else the release sequence number. */
  private readonly usage = new Map<number, number>();
  private last = 0;
  private releases = 0;
  private undoState: { readonly last: number; readonly usage: ReadonlyMap<number, number> } | undefined;

  isInUse(ofport: number): boolean {
    return this.usage.get(ofport) === Infinity;
  }

  /** A number for a new port: `request` when valid and free, else the next as described above; undefined when none. */
  allocate(request?: number): number | undefined {
    this.undoState = { last: this.last, usage: new Map(this.usage) };
    if (request !== undefined && request >= 1 && request < MAX_PORTS && !this.isInUse(request)) {
      this.usage.set(request, Infinity);
      return request;
    }
    const end = this.last;
    let lru: number | undefined;
    let lruAt = Infinity;
    for (;;) {
      this.last = this.last + 1 >= AUTO_LIMIT ? 1 : this.last + 1;
      const used = this.usage.get(this.last);
      if (used === undefined) {
        this.usage.set(this.last, Infinity);
        return this.last;
      }
      if (used < lruAt) {
        lruAt = used;
        lru = this.last;
      }
      if (this.last === end || (end === 0 && this.last === AUTO_LIMIT - 1)) break;
    }
    if (lru !== undefined) this.usage.set(lru, Infinity);
    return lru;
  }

  /** Takes back the last `allocate` (its port could not be opened), as if it had not happened. */
  undo(): void {
    if (!this.undoState) return;
    this.last = this.undoState.last;
    this.usage.clear();
    for (const [k, v] of this.undoState.usage) this.usage.set(k, v);
    this.undoState = undefined;
  }

  /** Marks `ofport` free (remembering when, for the least-recently-released choice). */
  release(ofport: number): void {
    if (ofport >= 1 && ofport < MAX_PORTS) this.usage.set(ofport, ++this.releases);
  }
}
