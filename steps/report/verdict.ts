/**
 * Verdicts: the one-word outcome of a scenario on a switch under test.
 *
 *  - PASS: every step passed on the first attempt.
 *  - FAIL: the switch did something other than the golden says.
 *  - UNSUPPORTED: the scenario needs a capability the adapter does not declare.
 *  - HARNESS-ERROR: the rig broke (sandbox, capture, a switch that cannot be
 *    started or reached, a golden that is missing): nothing is known about
 *    the switch.
 *  - FLAKY: failed at first, passed on a retry. Still reported.
 *
 * Contract between the scenario hooks and the report: after each attempt the
 * After hook attaches one `AttemptVerdict` as JSON with media type
 * `VERDICT_MEDIA_TYPE`. The report derives the scenario's verdict from its
 * attempts (FLAKY = last attempt PASS after an earlier one that was not).
 */
export const VERDICTS = ['PASS', 'FAIL', 'UNSUPPORTED', 'HARNESS-ERROR', 'FLAKY'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type AttemptOutcome = Exclude<Verdict, 'FLAKY'>;

export const VERDICT_MEDIA_TYPE = 'application/vnd.refswitch.verdict+json';

export interface AttemptVerdict {
  readonly verdict: AttemptOutcome;
  /** One line: why (the first failing step's error, the missing capability); empty for PASS. */
  readonly reason: string;
  /** The adapter's name (`ovs`, `reference`, ...). */
  readonly target: string;
}

/** Parses an attachment body; undefined when it is not an AttemptVerdict. */
export function parseAttemptVerdict(body: string): AttemptVerdict | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const verdict = o['verdict'];
  if (verdict !== 'PASS' && verdict !== 'FAIL' && verdict !== 'UNSUPPORTED' && verdict !== 'HARNESS-ERROR') return undefined;
  return { verdict, reason: typeof o['reason'] === 'string' ? o['reason'] : '', target: typeof o['target'] === 'string' ? o['target'] : '' };
}
