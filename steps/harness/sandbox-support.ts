/**
 * checkSandboxSupport: can this machine build sandboxes? Used by tests to
 * skip visibly and by the runner to fail early with a readable reason.
 *
 * Invariant: returns undefined only when we run as root and `ip netns`
 * works; otherwise a one-line reason naming what is missing.
 * Left out on purpose: checking kernel veth support (creation fails with a
 * HarnessError quoting iproute2 if it is missing).
 */
import { HarnessError } from './errors.ts';
import { runCommand } from './run-command.ts';

export async function checkSandboxSupport(): Promise<string | undefined> {
  if (typeof process.geteuid === 'function' && process.geteuid() !== 0) {
    return `sandboxes need root (ip netns, veth); running as uid ${process.geteuid()}`;
  }
  try {
    await runCommand(['ip', 'netns', 'list'], { what: 'probe ip netns' });
  } catch (e) {
    return e instanceof HarnessError ? e.message : `ip netns unavailable: ${String(e)}`;
  }
  return undefined;
}
