/**
 * Driving a switch's datapath through `ovs-appctl`, shared by the adapters
 * whose switch speaks Open vSwitch's control interface (`ovs` and
 * `reference`):
 *  - `installDatapathFlows`: each scenario flow becomes one
 *    `dpctl/add-flow KEY ACTIONS` call with the switch's port numbers;
 *  - `waitForStableLookups`: waiting, from outside, until the datapath has
 *    looked up everything it was handed — two reads of the `dpctl/show`
 *    lookup counters `intervalMs` apart that agree. Used where the switch
 *    offers no "processed everything" command of its own.
 *
 * Invariants: a flow the scenario wrote badly is a HarnessError (before
 * the switch sees it); a flow the switch answers with an error (ovs-appctl
 * exit code 2, "server returned an error") is a plain Error quoting the
 * switch's words; any other failure to run ovs-appctl is a HarnessError.
 * Waiting never trusts a single read (a frame queued but not yet looked up
 * would be missed) and gives up with a HarnessError at the deadline.
 * Left out: frames dropped before lookup (socket overflow); the harness
 * counts those itself (checkDrops).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError, type CommandResult } from '../harness/index.ts';
import { dpctlFlowArgs, lookupTotal, type DatapathLookups } from './datapath-text.ts';

/** ovs-appctl's exit code when the daemon answered with an error. */
export const APPCTL_SERVER_ERROR = 2;

/** Runs `ovs-appctl [-t target] ARGS` against the switch, never throwing for a non-zero exit. */
export type AppctlRunner = (args: readonly string[], what: string) => Promise<CommandResult>;

export interface InstallOptions {
  /** The switch's name in messages, e.g. "Open vSwitch". */
  readonly switchName: string;
  /** Rewrites the actions text before it is sent (the `ovs` adapter's recirc ids). */
  readonly actionsText?: (actions: string) => string;
}

/** Installs `flows` in order with `dpctl/add-flow`; see the header for the errors. */
export async function installDatapathFlows(
  appctl: AppctlRunner, flows: readonly string[], portNames: ReadonlyMap<number, string>, opts: InstallOptions,
): Promise<void> {
  for (const line of flows) {
    const args = dpctlFlowArgs(line, portNames);
    if (!args.ok) throw new HarnessError(args.error);
    const actions = opts.actionsText ? opts.actionsText(args.value.actions) : args.value.actions;
    const what = `add datapath flow ${JSON.stringify(line)}`;
    const r = await appctl(['dpctl/add-flow', args.value.key, actions], what);
    if (r.exitCode === APPCTL_SERVER_ERROR) throw new Error(`${opts.switchName} rejected datapath flow ${JSON.stringify(line)}: ${r.stderr.trim()}`);
    if (r.exitCode !== 0) throw new HarnessError(what, r);
  }
}

export interface SettleOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Who is waited for, for the error message. */
  readonly what: string;
}

/** Polls `read` until the lookup total is unchanged across one interval; HarnessError at the deadline. */
export async function waitForStableLookups(read: () => Promise<DatapathLookups>, opts: SettleOptions): Promise<DatapathLookups> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = await read();
  for (;;) {
    await sleep(opts.intervalMs);
    const now = await read();
    if (lookupTotal(now) === lookupTotal(last)) return now;
    if (Date.now() > deadline) {
      throw new HarnessError(`${opts.what}: datapath lookups still moving after ${opts.timeoutMs} ms (${lookupTotal(last)} → ${lookupTotal(now)})`);
    }
    last = now;
  }
}
