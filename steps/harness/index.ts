/**
 * The harness's public surface for steps and adapters: sandboxes (one netns
 * with one veth pair per port), reaping of killed runs, and HarnessError.
 * Packet I/O, capture and goldens live in sibling modules.
 */
export { HarnessError, type CommandFailure } from './errors.ts';
export { runCommand, type CommandResult, type RunOptions } from './run-command.ts';
export { Sandbox, currentWorkerId, type SandboxOptions, type DestroyReport } from './sandbox.ts';
export { reapLeftovers, type ReapOptions, type ReapReport } from './reap-leftovers.ts';
export { harnessEnd, parseNamespaceName, type LinkInfo } from './netns.ts';
export { checkSandboxSupport } from './sandbox-support.ts';
export * from './golden-flows.ts';
export * from './golden-packet-mask.ts';
export * from './golden-packets.ts';
export * from './golden-files.ts';
export {
  SandboxTraffic,
  DEFAULT_QUIET,
  resolveSlowFactor,
  type CapturedFrame,
  type QuietOptions,
  type TrafficOptions,
} from './packet-io.ts';
export { DEFAULT_PACER, type PacerOptions } from './send-pacer.ts';
export { readPacketSocketDrops } from './packet-drops.ts';
