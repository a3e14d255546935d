/**
 * The switch process's own control commands, after Open vSwitch 3.1:
 *  - `coverage/show` (lib/coverage.c layout, see coverage-format.ts) and
 *    `coverage/read-counter COUNTER` (`N` or `No such counter`);
 *  - `time/stop` (empty reply) and `time/warp [LARGE_MSECS] MSECS`
 *    (lib/timeval.c: advance the switch clock by MSECS, or by LARGE_MSECS
 *    in steps of MSECS with the event loop running between steps; replies
 *    `warped`; `invalid MSECS`, `A previous warp in progress`);
 *  - `exit [--cleanup]` (empty reply, then the process stops; both forms
 *    close every port and remove the control socket).
 *
 * Invariant: the clock only moves forward, and coverage rates are brought
 * up to date (`tick`) after every warp step, as OVS's main loop does.
 */
import { formatCoverageShow } from './coverage-format.ts';
import type { CoverageHistory } from './coverage-format.ts';
import { fail, ok, type UnixctlServer } from './unixctl-server.ts';
import type { WarpClock } from './warp-clock.ts';

export interface ProcessCommandHost {
  readonly clock: WarpClock;
  readonly history: CoverageHistory;
  /** Every counter, in registration order (process counters, then the datapath's). */
  coverageTotals(): ReadonlyMap<string, number>;
  /** Brings coverage rates up to the clock. */
  tick(): void;
  /** Stops the process (after the `exit` reply is written). */
  requestExit(): void;
}

/** C atoll: optional blanks and sign, then digits; 0 when none. */
function atoll(s: string): number {
  const m = /^\s*([-+]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

export function registerProcessCommands(server: UnixctlServer, host: ProcessCommandHost): void {
  server.register('coverage/show', {
    usage: '',
    minArgs: 0,
    maxArgs: 0,
    handler: () => {
      host.tick();
      return ok(formatCoverageShow(host.coverageTotals(), host.history));
    },
  });
  server.register('coverage/read-counter', {
    usage: 'COUNTER',
    minArgs: 1,
    maxArgs: 1,
    handler: ([name]) => {
      const v = host.coverageTotals().get(name ?? '');
      return v === undefined ? fail('No such counter') : ok(`${v}\n`);
    },
  });
  server.register('time/stop', {
    usage: '',
    minArgs: 0,
    maxArgs: 0,
    handler: () => {
      host.clock.stop();
      return ok('');
    },
  });
  let warping = false;
  server.register('time/warp', {
    usage: '[large_msecs] msecs',
    minArgs: 1,
    maxArgs: 2,
    handler: async (args) => {
      const total = args.length > 1 ? atoll(args[0] ?? '') : 0;
      const step = atoll(args[args.length - 1] ?? '');
      if (step <= 0 || total < 0) return fail('invalid MSECS');
      if (warping) return fail('A previous warp in progress');
      warping = true;
      try {
        await warp(host, total, step);
      } finally {
        warping = false;
      }
      return ok('warped');
    },
  });
  server.register('exit', { usage: '[--cleanup]', minArgs: 0, maxArgs: 1, handler: () => ok('', () => host.requestExit()) });
}

/** timewarp_work: `step` once when `total` is 0, else `total` in steps of at most `step`. */
async function warp(host: ProcessCommandHost, total: number, step: number): Promise<void> {
  if (total === 0) {
    host.clock.warp(step);
    host.tick();
    return;
  }
  for (let left = total; left > 0; left -= step) {
    host.clock.warp(Math.min(step, left));
    host.tick();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
