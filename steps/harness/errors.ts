/**
 * HarnessError: the rig failed, not the switch under test.
 *
 * Invariant: every failure of a harness command (a missing `ip`, no root, a
 * namespace that cannot be created, a capture that never started) surfaces as
 * a HarnessError naming the command, its exit code (or the signal / spawn
 * error) and its stderr, so a report can give the verdict HARNESS-ERROR
 * instead of FAIL. Switch misbehaviour is never a HarnessError.
 *
 * Left out on purpose: verdict mapping (the runner's job) and retries.
 */

/** What a failed command left behind, as far as it is known. */
export interface CommandFailure {
  /** argv as run, e.g. ['ip', 'netns', 'add', 'rsw-0-1a2b3c']. */
  readonly argv: readonly string[];
  /** Exit code, or null when the command was killed or never started. */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly stderr: string;
}

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  /**
   * `what` says what the harness was trying to do ("create namespace
   * rsw-0-1a2b3c"); `failure`, when a command failed, is quoted in the message.
   */
  constructor(what: string, failure?: CommandFailure, options?: { cause?: unknown }) {
    super(HarnessError.describe(what, failure), options);
    this.argv = failure?.argv ?? [];
    this.exitCode = failure?.exitCode ?? null;
    this.stderr = failure?.stderr ?? '';
  }

  private static describe(what: string, failure: CommandFailure | undefined): string {
    if (failure === undefined) return `harness error: ${what}`;
    const status =
      failure.exitCode !== null
        ? `exit code ${failure.exitCode}`
        : failure.signal !== undefined
          ? `killed by ${failure.signal}`
          : 'did not start';
    const stderr = failure.stderr.trim();
    return (
      `harness error: ${what}: \`${failure.argv.join(' ')}\` failed (${status})` +
      (stderr === '' ? '' : `: ${JSON.stringify(stderr)}`)
    );
  }
}
