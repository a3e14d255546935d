/**
 * runCommand: run one harness command (no shell) and collect its output.
 *
 * Invariant: a command that cannot start, exits non-zero, is killed or
 * outlives its timeout becomes a HarnessError naming argv, exit code and
 * stderr — unless the caller passes `allowFailure`, in which case the raw
 * result is returned and the caller decides. Arguments are passed as argv,
 * never through a shell, so names cannot be re-interpreted.
 *
 * Left out on purpose: streaming output (use child_process.spawn directly
 * for long-lived processes, see Sandbox.spawn).
 */
import { spawn } from 'node:child_process';
import { HarnessError } from './errors.ts';

export interface CommandResult {
  readonly argv: readonly string[];
  /** null when the process was killed or did not start. */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed. */
  readonly input?: string;
  /** Return non-zero results instead of throwing. Spawn errors still throw. */
  readonly allowFailure?: boolean;
  /** Kill with SIGKILL after this long; default 30 s. */
  readonly timeoutMs?: number;
  /** What the harness is doing, for the error message. */
  readonly what?: string;
  /** Extra environment variables, added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs argv[0] with argv[1..]. Resolves with stdout/stderr; rejects with a
 * HarnessError when the program is missing (exitCode null, stderr = the OS
 * error), or — without `allowFailure` — when it fails or times out.
 */
export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new HarnessError('runCommand called with an empty argv');
  const what = options.what ?? `run ${file}`;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // a command that ignores stdin may close it early
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new HarnessError(what, { argv, exitCode: null, stderr: e.message }, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + (timedOut ? `\n(timed out after ${options.timeoutMs ?? 30_000} ms)` : '');
      const result: CommandResult = {
        argv,
        exitCode: code,
        ...(signal === null ? {} : { signal }),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
      };
      if (code === 0 || (options.allowFailure === true && !timedOut)) resolve(result);
      else reject(new HarnessError(what, result));
    });
    child.stdin.end(options.input ?? '');
  });
}
