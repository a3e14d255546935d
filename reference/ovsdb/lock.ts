/**
 * OVSDB locks (RFC 7047 §4.1.8–4.1.10) as ovsdb-server keeps them
 * (ovsdb/server.c): per lock name a queue of waiting sessions whose head
 * owns the lock.
 *
 * Invariants: a session appears at most once in a lock's queue; a lock
 * with an empty queue does not exist. `lock` joins at the tail (owner only
 * when alone), `steal` jumps to the head and the previous owner stays
 * queued right behind it (so it must still `unlock`); `unlock` (or the
 * session going away) hands the lock to the next in line. Who must be told
 * (`locked` / `stolen`) is returned, never sent from here.
 *
 * Left out on purpose: read-only sessions (ovsdb-server's "lock and unlock
 * methods not allowed" for backup servers).
 */

export class LockTable<S> {
  private readonly queues = new Map<string, S[]>();

  /** True when `session` is queued for `name` (owner or waiting). */
  isWaiting(session: S, name: string): boolean {
    return this.queues.get(name)?.includes(session) ?? false;
  }

  isOwner(session: S, name: string): boolean {
    return this.queues.get(name)?.[0] === session;
  }

  /**
   * Queues `session` (at the head when `steal`); the caller checked it was
   * not queued already. Returns whether it now owns the lock, and the
   * session the lock was stolen from, if any.
   */
  lock(session: S, name: string, steal: boolean): { owner: boolean; victim: S | undefined } {
    const q = this.queues.get(name) ?? [];
    this.queues.set(name, q);
    if (!steal) {
      q.push(session);
      return { owner: q.length === 1, victim: undefined };
    }
    const victim = q[0];
    q.unshift(session);
    return { owner: true, victim };
  }

  /** Leaves the queue; returns the session that now owns the lock because of it, if any. */
  unlock(session: S, name: string): S | undefined {
    const q = this.queues.get(name);
    const i = q?.indexOf(session) ?? -1;
    if (!q || i < 0) return undefined;
    q.splice(i, 1);
    if (q.length === 0) this.queues.delete(name);
    return i === 0 ? q[0] : undefined;
  }

  /** Leaves every queue (a closed session); returns [lock name, new owner] pairs to notify. */
  unlockAll(session: S): [string, S][] {
    const out: [string, S][] = [];
    for (const name of [...this.queues.keys()]) {
      const next = this.unlock(session, name);
      if (next !== undefined) out.push([name, next]);
    }
    return out;
  }
}
