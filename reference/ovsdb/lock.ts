/**
 * OVSDB locks (RFC 7047 §4.1.8–4.1.10) as ovsdb-server keeps them
 * (ovsdb/server.c): per lock name a queue of waiting sessions whose head
 * owns the lock.
 *
 * Invariants: a session has at most one waiter per lock name; a lock with
 * an empty queue does not exist. `lock` joins at the tail (owner only when
 * alone), `steal` jumps to the head; the previous owner stays queued right
 * behind — unless it had stolen the lock itself, then it leaves the queue
 * (but keeps its waiter, so it must still `unlock`). As in ovsdb/server.c,
 * removing ANY waiter from a queue that stays non-empty names the current
 * owner to be told `locked` again (even when the owner did not change).
 * Who must be told (`locked` / `stolen`) is returned, never sent from here.
 *
 * Left out on purpose: read-only sessions (ovsdb-server's "lock and unlock
 * methods not allowed" for backup servers).
 */

interface Waiter<S> {
  readonly session: S;
  readonly steal: boolean;
  /** False once a later steal pushed this (stealing) waiter out of the queue. */
  queued: boolean;
}

export class LockTable<S> {
  private readonly queues = new Map<string, Waiter<S>[]>();
  private readonly bySession = new Map<S, Map<string, Waiter<S>>>();

  /** True when `session` has a waiter for `name` (owning, queued, or pushed out by a steal). */
  isWaiting(session: S, name: string): boolean {
    return this.bySession.get(session)?.has(name) ?? false;
  }

  isOwner(session: S, name: string): boolean {
    return this.queues.get(name)?.[0]?.session === session;
  }

  /**
   * Adds a waiter for `session` (at the head when `steal`); the caller
   * checked it had none. Returns whether it now owns the lock, and the
   * session the lock was stolen from, if any.
   */
  lock(session: S, name: string, steal: boolean): { owner: boolean; victim: S | undefined } {
    const q = this.queues.get(name) ?? [];
    this.queues.set(name, q);
    const waiter: Waiter<S> = { session, steal, queued: true };
    const mine = this.bySession.get(session) ?? new Map<string, Waiter<S>>();
    this.bySession.set(session, mine);
    mine.set(name, waiter);
    if (!steal) {
      q.push(waiter);
      return { owner: q.length === 1, victim: undefined };
    }
    const victim = q[0];
    q.unshift(waiter);
    if (victim?.steal) this.dequeue(name, victim);
    return { owner: true, victim: victim?.session };
  }

  /** Drops the session's waiter; returns the session to tell `locked`, if the queue goes on. */
  unlock(session: S, name: string): S | undefined {
    const mine = this.bySession.get(session);
    const waiter = mine?.get(name);
    if (!mine || !waiter) return undefined;
    mine.delete(name);
    if (mine.size === 0) this.bySession.delete(session);
    return waiter.queued ? this.dequeue(name, waiter) : undefined;
  }

  /** Drops every waiter of a closed session; returns [lock name, session to tell `locked`] pairs. */
  unlockAll(session: S): [string, S][] {
    const out: [string, S][] = [];
    for (const name of [...(this.bySession.get(session)?.keys() ?? [])]) {
      const next = this.unlock(session, name);
      if (next !== undefined) out.push([name, next]);
    }
    return out;
  }

  /** Takes `waiter` out of the queue; returns the owner when the queue goes on (ovsdb_lock_waiter_remove). */
  private dequeue(name: string, waiter: Waiter<S>): S | undefined {
    const q = this.queues.get(name) ?? [];
    waiter.queued = false;
    const i = q.indexOf(waiter);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) {
      this.queues.delete(name);
      return undefined;
    }
    return q[0]?.session;
  }
}
