/**
 * What a `refswitch` subcommand is, and the argument helpers they share.
 * A `UsageError` thrown by a command becomes exit code 2 with its message.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  readonly name: string;
  /** One line per form, without the leading `refswitch`. */
  readonly usage: readonly string[];
  run(argv: readonly string[]): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `node:util` parseArgs that reports unknown options as a UsageError. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
): { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values']; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: r.values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Reads all of standard input as UTF-8. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a non-negative integer option value, or throws a UsageError naming the option. */
export function parseCount(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw new UsageError(`--${option}: expected a number, got '${text}'`);
  return Number(text);
}
