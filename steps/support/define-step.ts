/**
 * `step(...)`: how every step of the vocabulary is defined.
 *
 * It wraps the step body so that the verdict can be told apart afterwards:
 *  - a step needing capabilities the adapter lacks returns 'skipped' without
 *    running (the scenario becomes UNSUPPORTED);
 *  - a HarnessError or GoldenFileError thrown by the body is recorded as a
 *    harness fault (HARNESS-ERROR) before it propagates; any other error is
 *    the switch's (FAIL).
 * Patterns are regular expressions anchored at both ends, so a step either
 * matches exactly one definition or none.
 */
import { defineStep } from '@cucumber/cucumber';
import type { Capability } from '../adapters/index.ts';
import { GoldenFileError, HarnessError } from '../harness/index.ts';
import type { SwitchWorld } from './world.ts';

type StepArg = string | import('@cucumber/cucumber').DataTable;
type StepBody = (this: SwitchWorld, ...args: StepArg[]) => Promise<void>;

export function isHarnessFault(e: unknown): boolean {
  return e instanceof HarnessError || e instanceof GoldenFileError;
}

export function step(pattern: RegExp, needs: readonly Capability[], body: StepBody): void {
  const wrapped = async function (this: SwitchWorld, ...args: StepArg[]): Promise<string | undefined> {
    for (const cap of needs) if (!this.supports(cap)) return 'skipped';
    try {
      await body.apply(this, args);
    } catch (e) {
      if (isHarnessFault(e)) this.harnessFault ??= e instanceof Error ? e.message : String(e);
      throw e;
    }
    return undefined;
  };
  // Cucumber checks a step function's declared arity against the pattern's
  // groups (+1 for a table or doc string); the wrapper declares the body's.
  Object.defineProperty(wrapped, 'length', { value: body.length });
  defineStep(pattern, wrapped);
}
