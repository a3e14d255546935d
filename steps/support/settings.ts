/**
 * Run settings the scenario glue reads from the environment, set by
 * `refswitch run` (or by hand around a plain `cucumber-js`):
 *   REFSWITCH_TARGET        adapter name, default `reference`
 *   REFSWITCH_UPDATE_GOLDEN `1` records goldens instead of comparing (the only way they change)
 *   REFSWITCH_SLOW_FACTOR   multiplies every timeout and settle window, default 1
 * Invariant: a malformed value is a HarnessError naming the variable, never a silent default.
 */
import { HarnessError } from '../harness/index.ts';

export interface RunSettings {
  readonly target: string;
  readonly updateGolden: boolean;
  readonly slowFactor: number;
}

export function readRunSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const target = env['REFSWITCH_TARGET'] ?? 'reference';
  const rawUpdate = env['REFSWITCH_UPDATE_GOLDEN'] ?? '';
  if (rawUpdate !== '' && rawUpdate !== '0' && rawUpdate !== '1') {
    throw new HarnessError(`REFSWITCH_UPDATE_GOLDEN must be 0 or 1, not ${JSON.stringify(rawUpdate)}`);
  }
  const rawSlow = env['REFSWITCH_SLOW_FACTOR'] ?? '1';
  const slowFactor = Number(rawSlow);
  if (!Number.isFinite(slowFactor) || slowFactor < 1 || slowFactor > 100) {
    throw new HarnessError(`REFSWITCH_SLOW_FACTOR must be a number from 1 to 100, not ${JSON.stringify(rawSlow)}`);
  }
  return { target, updateGolden: rawUpdate === '1', slowFactor };
}
