/**
 * Datapath action execution: runs a megaflow's action list on a packet, as
 * Linux net/openvswitch/actions.c `ovs_execute_actions` /
 * `do_execute_actions` / `clone_execute` do.
 *
 * What: actions run in order on one `DpPacket`. `output` sends a copy (cut
 * to the `trunc` length, which then resets) unless it is the last action,
 * which hands the packet itself over. `userspace` queues an ACTION upcall
 * (with the list being run when its `actions` flag is set; the host sees
 * `pkt.cutlen` and should truncate the upcall's packet by it; cutlen resets
 * after). Rewrites are in set-actions.ts and vlan-actions.ts; `hash` in
 * packet-hash.ts; `meter` asks the host (a drop band ends the list).
 *
 * Nesting and deferral (the kernel's levels, with level = depth + 1):
 *  - `recirc`, `clone`, `sample` and `check_pkt_len` work on a copy (packet,
 *    metadata and key) unless they are the last action. `recirc`
 *    re-extracts a stale key first, sets recirc_id, and hands the packet to
 *    `host.recirculate` at depth + 1.
 *  - A nested list runs on the same key and at the same depth when it is
 *    the last action or cannot change the flow (only output, recirc, trunc,
 *    userspace, drop: the kernel's `exec` flag, derived here from the list as
 *    the kernel's validator does); otherwise at depth + 1 on a copied key.
 *  - Work that needs depth + 1 (recirc, nested lists with a copied key) runs
 *    at once while depth < DEFERRED_ACTION_THRESHOLD; deeper, it is queued
 *    on the deferred FIFO, drained in order when the outermost
 *    `executeActions` call has finished its list (deferred lists run at
 *    depth 0, deferred recirculations at depth 1, as the kernel's drain at
 *    level 1). The FIFO takes DEFERRED_FIFO_SIZE - 1 entries per outermost
 *    call (the kernel's `head >= SIZE - 1` test; it is reset only once
 *    drained); a full FIFO drops the work ('deferred-limit').
 *  - `executeActions` at depth ≥ RECURSION_LIMIT drops the packet
 *    ('recursion-limit'), the kernel's `level > OVS_RECURSION_LIMIT`.
 *
 * Drop accounting (the contract in action-host.ts, defined precisely): every
 * run of a list owns one packet — the one given to `executeActions`, a
 * copy made for a nested list or recirculation, or the packet handed to a
 * last nested action. The run ends its packet in exactly one way:
 *  1. handing it to a last `output` (a failed send is 'invalid-port'), a
 *     last `recirc` (or the FIFO), or a last nested list, which then owns it;
 *  2. an explicit `drop` ('explicit'), a failed action ('action-error'), a
 *     meter's drop band ('meter');
 *  3. running out of actions: a drop ('last-action') unless the packet has
 *     "left" — an output the host accepted, an upcall it queued, a
 *     recirculation or deferral handed over, or a nested list on a copy that
 *     itself left — earlier in this run (for a last nested list, earlier in
 *     its parent's run too). A not-taken last `sample` ends the same way.
 *     Lists run inside a `sample` end silently instead (the kernel consumes
 *     them without a drop reason, as sampling is observation).
 *  Copies that fail count their own drop ('invalid-port' for an output to a
 *  missing port, 'upcall-lost', 'deferred-limit') without ending the run.
 *  Differences from the kernel: it counts 'last-action' even after earlier
 *  outputs or upcalls; this follows the host contract instead.
 *
 * Invariant: never throws on packet contents or action arguments; a host
 * callback that throws (a bug) propagates, and the FIFO is still cleared.
 *
 * Truncation: `pkt.cutlen` holds the bytes kept (the host contract), where
 * the kernel stores the bytes to cut (length − max_len at the time of
 * `trunc`); the two differ only when the length changes between `trunc` and
 * the output (after a push_vlan the kernel sends max_len + 4 bytes, this
 * max_len). Outputs keep at least the 14-byte Ethernet header. Copies and
 * recirculated packets inherit cutlen, as skb clones inherit the skb cb.
 *
 * Left out on purpose (the flow-install validator rejects them; here they
 * end in 'action-error'): ct, ct_clear, push_mpls, add_mpls, pop_mpls,
 * push_eth, pop_eth, pop_nsh (push_nsh has no model), tnl_pop, lb_output;
 * MRU/fragmentation on output; the tunnel egress info of `userspace`.
 */
import { FlowOffset, type OdpAction } from '../flow/index.ts';
import type { ActionHost, ActionUpcallInfo, DpPacket, DropReason } from './action-host.ts';
import { applyHash } from './packet-hash.ts';
import { applySet } from './set-actions.ts';
import { popVlan, pushVlan } from './vlan-actions.ts';

/** Kernel OVS_RECURSION_LIMIT: deepest nesting level (depth + 1) that still runs. */
export const RECURSION_LIMIT = 5;
/** Kernel OVS_DEFERRED_ACTION_THRESHOLD: below this depth, depth + 1 work runs at once. */
export const DEFERRED_ACTION_THRESHOLD = 3;
/** Kernel DEFERRED_ACTION_FIFO_SIZE (one slot is never used, as in the kernel). */
export const DEFERRED_FIFO_SIZE = 10;
/** The kernel keeps at least the MAC header when truncating for output. */
const MIN_TRUNC_BYTES = 14;

interface DeferredWork {
  readonly host: ActionHost;
  readonly pkt: DpPacket;
  /** undefined: a recirculation. */
  readonly actions: readonly OdpAction[] | undefined;
  readonly inSample: boolean;
}

const fifo: DeferredWork[] = [];
let activeCalls = 0;

/** mulberry32, the default source of `sample` decisions (seeded: runs repeat). */
function seededU32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const DEFAULT_SAMPLE_SEED = 0x0d5a_3b1e;
let sampleRandom: () => number = seededU32(DEFAULT_SAMPLE_SEED);

/**
 * Replaces the source of `sample` decisions: `fn` returns a uniform
 * unsigned 32-bit integer. Without `fn`, restores the default seeded source
 * from its start. A sample runs when probability is 0xffffffff, or non-zero
 * and the drawn value is ≤ probability (kernel `sample()`).
 */
export function setSampleRandom(fn?: () => number): void {
  sampleRandom = fn ?? seededU32(DEFAULT_SAMPLE_SEED);
}

/**
 * Runs `actions` on `pkt` at nesting `depth` (0 for a packet straight from
 * a port or a PACKET EXECUTE, depth + 1 from `host.recirculate`). Every
 * outcome goes through the host (outputs, upcalls, recirculations, drops);
 * `pkt` may be modified or handed over and must not be used afterwards.
 * The outermost call also runs the deferred work queued meanwhile.
 * Never throws on packet content.
 */
export function executeActions(host: ActionHost, pkt: DpPacket, actions: readonly OdpAction[], depth: number): void {
  if (depth >= RECURSION_LIMIT) {
    host.drop('recursion-limit');
    return;
  }
  const outermost = activeCalls === 0;
  activeCalls++;
  try {
    runList(host, pkt, actions, depth, false, false);
    if (outermost) drainDeferred();
  } finally {
    activeCalls--;
    if (outermost) fifo.length = 0;
  }
}

function drainDeferred(): void {
  for (let i = 0; i < fifo.length; i++) {
    const w = fifo[i]!;
    if (w.actions === undefined) w.host.recirculate(w.pkt, 1);
    else runList(w.host, w.pkt, w.actions, 0, w.inSample, false);
  }
}

/** Queues work for the drain; false (and a 'deferred-limit' drop) when the FIFO is full. */
function defer(host: ActionHost, pkt: DpPacket, actions: readonly OdpAction[] | undefined, inSample: boolean): boolean {
  if (fifo.length >= DEFERRED_FIFO_SIZE - 1) {
    host.drop('deferred-limit');
    return false;
  }
  fifo.push({ host, pkt, actions, inSample });
  return true;
}

/**
 * The first `length` bytes of `b` in a new buffer. (Not `b.slice()`: on a
 * Node Buffer, which is what sockets deliver, `slice` returns a view.)
 */
export function copyBytes(b: Uint8Array, length = b.length): Uint8Array {
  const out = new Uint8Array(length);
  out.set(b.subarray(0, length));
  return out;
}

/** A copy that later actions on the original do not affect (skb_clone plus a cloned key). */
export function copyPacket(pkt: DpPacket): DpPacket {
  return { data: copyBytes(pkt.data), md: { ...pkt.md }, key: pkt.key.clone(), keyValid: pkt.keyValid, cutlen: pkt.cutlen };
}

/** Kernel actions_may_change_flow: false only for lists of output, recirc, trunc, userspace and drop. */
function mayChangeFlow(actions: readonly OdpAction[]): boolean {
  for (const a of actions) {
    if (a.type !== 'output' && a.type !== 'recirc' && a.type !== 'trunc' && a.type !== 'userspace' && a.type !== 'drop') return true;
  }
  return false;
}

function endRun(host: ActionHost, reason: DropReason, left: boolean): boolean {
  host.drop(reason);
  return left;
}

/**
 * Runs one list on the packet it owns. `left` says whether the packet has
 * already left earlier (a last nested list inherits its parent's). Returns
 * whether the packet, or a copy made in this run, left.
 */
function runList(host: ActionHost, pkt: DpPacket, actions: readonly OdpAction[], depth: number, inSample: boolean, leftBefore: boolean): boolean {
  let left = leftBefore;
  const n = actions.length;
  for (let i = 0; i < n; i++) {
    const a = actions[i]!;
    const last = i === n - 1;
    switch (a.type) {
      case 'output': {
        const sent = output(host, pkt, a.port, last);
        if (last) return left || sent;
        left ||= sent;
        break;
      }
      case 'userspace':
        left = upcall(host, pkt, a, actions) || left;
        break;
      case 'trunc':
        if (pkt.data.length > a.maxLen) pkt.cutlen = a.maxLen;
        break;
      case 'set':
      case 'set_masked':
        if (!applySet(pkt, a.attr, a.type === 'set_masked')) return endRun(host, 'action-error', left);
        break;
      case 'push_vlan':
        if (!pushVlan(pkt, a.tpid, a.tci)) return endRun(host, 'action-error', left);
        break;
      case 'pop_vlan':
        if (!popVlan(pkt)) return endRun(host, 'action-error', left);
        break;
      case 'hash':
        applyHash(pkt, a.alg, a.basis);
        break;
      case 'meter':
        if (!host.meter(a.id, pkt.data.length)) return endRun(host, 'meter', left);
        break;
      case 'drop':
        return endRun(host, 'explicit', left);
      case 'recirc': {
        const handed = recirculate(host, pkt, a.id, depth, last);
        if (last) return left || handed;
        left ||= handed;
        break;
      }
      case 'clone':
      case 'sample':
      case 'check_pkt_len': {
        const r = runNestedAction(host, pkt, a, depth, last, inSample, left);
        if (r === 'ended') return left;
        if (last) return r;
        left ||= r;
        break;
      }
      case 'ct': case 'ct_clear': case 'push_mpls': case 'add_mpls': case 'pop_mpls':
      case 'push_eth': case 'pop_eth': case 'pop_nsh': case 'tnl_pop': case 'lb_output':
        return endRun(host, 'action-error', left);
      default:
        return unreachable(a);
    }
  }
  if (!left && !inSample) host.drop('last-action');
  return left;
}

function unreachable(a: never): boolean {
  throw new Error(`executeActions: unhandled action ${JSON.stringify(a)}`);
}

type NestedAction = Extract<OdpAction, { type: 'clone' | 'sample' | 'check_pkt_len' }>;

/**
 * clone / sample / check_pkt_len. Returns whether the packet (or its copy)
 * left, or 'ended' when a not-taken last sample ended the run (drop counted).
 */
function runNestedAction(
  host: ActionHost, pkt: DpPacket, a: NestedAction, depth: number, last: boolean, inSample: boolean, left: boolean,
): boolean | 'ended' {
  let list: readonly OdpAction[];
  let sampled = inSample;
  if (a.type === 'clone') {
    list = a.actions;
  } else if (a.type === 'sample') {
    const p = a.probability >>> 0;
    const taken = p === 0xffffffff || (p !== 0 && sampleRandom() >>> 0 <= p);
    if (!taken) {
      if (!last) return false;
      if (!left && !inSample) host.drop('last-action');
      return 'ended';
    }
    list = a.actions;
    sampled = true;
  } else {
    list = pkt.data.length <= a.size ? a.le : a.gt;
  }
  const copyKey = !(last || !mayChangeFlow(list));
  const p = last ? pkt : copyPacket(pkt);
  const start = last ? left : false;
  if (!copyKey) return runList(host, p, list, depth, sampled, start);
  if (depth < DEFERRED_ACTION_THRESHOLD) return runList(host, p, list, depth + 1, sampled, start);
  return defer(host, p, list, sampled) || start;
}

function output(host: ActionHost, pkt: DpPacket, port: number, last: boolean): boolean {
  const len = pkt.data.length;
  const keep = pkt.cutlen > 0 && pkt.cutlen < len ? Math.min(len, Math.max(pkt.cutlen, MIN_TRUNC_BYTES)) : len;
  const frame = last ? (keep === len ? pkt.data : pkt.data.subarray(0, keep)) : copyBytes(pkt.data, keep);
  pkt.cutlen = 0;
  if (host.output(port, frame)) return true;
  host.drop('invalid-port');
  return false;
}

function upcall(host: ActionHost, pkt: DpPacket, a: Extract<OdpAction, { type: 'userspace' }>, list: readonly OdpAction[]): boolean {
  const info: ActionUpcallInfo = {
    pid: a.pid,
    ...(a.cookie !== undefined ? { cookie: a.cookie } : {}),
    ...(a.actions ? { actions: list } : {}),
  };
  const queued = host.upcall(pkt, info);
  pkt.cutlen = 0;
  if (!queued) host.drop('upcall-lost');
  return queued;
}

function recirculate(host: ActionHost, pkt: DpPacket, id: number, depth: number, last: boolean): boolean {
  if (!pkt.keyValid) host.reextract(pkt);
  const p = last ? pkt : copyPacket(pkt);
  p.md.recircId = id >>> 0;
  p.key.view.setUint32(FlowOffset.recirc_id, p.md.recircId);
  if (depth < DEFERRED_ACTION_THRESHOLD) {
    host.recirculate(p, depth + 1);
    return true;
  }
  return defer(host, p, undefined, false);
}
