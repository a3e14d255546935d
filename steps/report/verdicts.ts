/**
 * Scenario verdicts from a Cucumber run: one row per scenario (pickle that
 * had a test case), computed from the message envelopes.
 *
 * Rules (the contract of verdict.ts):
 *  - An attempt's outcome is its last `AttemptVerdict` attachment
 *    (VERDICT_MEDIA_TYPE). Without one (the After hook never ran: a crash, an
 *    undefined step, glue not written yet) it is derived from the step
 *    results: the first step that neither passed nor was skipped decides —
 *    FAILED is FAIL, or HARNESS-ERROR when the error is a HarnessError /
 *    GoldenFileError or its message starts "harness error"; UNDEFINED,
 *    AMBIGUOUS, PENDING, UNKNOWN are HARNESS-ERROR (the scenario cannot run);
 *    otherwise any SKIPPED step makes it UNSUPPORTED, and all PASSED is PASS.
 *  - A PASS attachment never hides a step that did not pass: then the derived
 *    outcome wins (a report must not turn a failed step into a pass).
 *  - The last attempt decides; FLAKY when it is PASS and an earlier one was not.
 *  - A test case that never started, or whose last attempt never finished (a
 *    worker died, a BeforeAll hook failed under --parallel), is HARNESS-ERROR.
 *
 * Invariant: pure and deterministic — no clock, no I/O; envelopes may arrive
 * interleaved from parallel workers (everything is keyed by test case
 * started id). `accept` never throws on odd input.
 * Left out on purpose: printing (summary-formatter.ts) and the exit code's
 * use (the `refswitch run` command reads it from verdicts.json).
 */
import { VERDICT_MEDIA_TYPE, VERDICTS, parseAttemptVerdict, type AttemptOutcome, type Verdict } from './verdict.ts';
import { readRunEvent, readRunEvents, type RunEvent, type StepResult, type TestStepRef } from './run-events.ts';

export interface ScenarioRow {
  /** Feature file as Cucumber names it (relative to the working directory). */
  readonly uri: string;
  readonly line: number;
  readonly name: string;
  readonly verdict: Verdict;
  /** Attempts started (1 + retries used); 0 when the scenario never ran. */
  readonly attempts: number;
  /** One line; empty for PASS. FLAKY gives the first failed attempt's reason. */
  readonly reason: string;
  /** Sum of the attempts' durations. */
  readonly durationMs: number;
  /** The adapter named by the last AttemptVerdict; empty when none was attached. */
  readonly target: string;
  /** Outcome of each attempt, in order. */
  readonly history: readonly AttemptOutcome[];
}

/** Exit codes of a conformance run (written into verdicts.json). */
export const EXIT_CODES = { ok: 0, fail: 1, harnessError: 3, noScenarios: 4 } as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export interface VerdictReport {
  readonly rows: readonly ScenarioRow[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /** Problems outside any scenario: parse errors, failed BeforeAll/AfterAll hooks. */
  readonly runErrors: readonly string[];
  readonly exitCode: ExitCode;
  /** testRunStarted → testRunFinished, when both were seen. */
  readonly durationMs: number | undefined;
}

interface Attempt {
  readonly testCaseId: string;
  readonly startMs: number;
  endMs: number | undefined;
  readonly steps: Array<{ readonly stepId: string; readonly result: StepResult }>;
  verdict: { readonly outcome: AttemptOutcome; readonly reason: string; readonly target: string } | undefined;
}

interface TestCaseState {
  readonly pickleId: string;
  readonly steps: readonly TestStepRef[];
  readonly attempts: Attempt[];
  finished: boolean;
}

interface PickleInfo {
  readonly uri: string;
  readonly line: number;
  readonly name: string;
  readonly stepTexts: ReadonlyMap<string, string>;
}

const HARNESS_ERROR_TYPES: ReadonlySet<string> = new Set(['HarnessError', 'GoldenFileError']);
const REASON_MAX = 300;
/** `Error: `, `HarnessError: `, `AssertionError [ERR_ASSERTION]: ` as Cucumber's message text starts. */
const ERROR_PREFIX_RE = /^[\w$]*(?:Error|Exception)(?: \[[A-Z_]+\])?: /;

/** First non-empty line of an error, without Cucumber's `Type: ` prefix and the stack. */
export function firstLine(result: StepResult): string {
  const text = result.exceptionMessage !== '' ? result.exceptionMessage : result.message;
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const stripped = result.exceptionMessage === '' ? first.replace(ERROR_PREFIX_RE, '') : first;
  return stripped.trim().slice(0, REASON_MAX);
}

function isHarnessError(result: StepResult): boolean {
  if (HARNESS_ERROR_TYPES.has(result.exceptionType)) return true;
  return firstLine(result).toLowerCase().startsWith('harness error') || /^(HarnessError|GoldenFileError): /.test(result.message);
}

/**
 * Outcome of an attempt from its step results alone (no AttemptVerdict
 * attached). Labels read `step: <text>` or `hook <file>:<line>`.
 */
export function deriveOutcome(steps: ReadonlyArray<{ readonly label: string; readonly result: StepResult }>): { outcome: AttemptOutcome; reason: string } {
  for (const { label, result } of steps) {
    switch (result.status) {
      case 'PASSED':
      case 'SKIPPED':
        continue;
      case 'FAILED': {
        const why = firstLine(result) || 'failed without a message';
        return { outcome: isHarnessError(result) ? 'HARNESS-ERROR' : 'FAIL', reason: `${why} (${label})` };
      }
      case 'UNDEFINED':
        return { outcome: 'HARNESS-ERROR', reason: `undefined ${label}` };
      case 'AMBIGUOUS':
        return { outcome: 'HARNESS-ERROR', reason: `ambiguous ${label}` };
      case 'PENDING':
        return { outcome: 'HARNESS-ERROR', reason: `pending ${label}` };
      case 'UNKNOWN':
        return { outcome: 'HARNESS-ERROR', reason: `unknown status at ${label}` };
    }
  }
  const skipped = steps.find((s) => s.result.status === 'SKIPPED');
  return skipped ? { outcome: 'UNSUPPORTED', reason: `skipped at ${skipped.label}` } : { outcome: 'PASS', reason: '' };
}

/** Collects envelopes as they arrive and yields each scenario's row when its last attempt ends. */
export class VerdictCollector {
  private readonly pickles = new Map<string, PickleInfo>();
  private readonly hookLabels = new Map<string, string>();
  private readonly testCases = new Map<string, TestCaseState>();
  private readonly started = new Map<string, Attempt>();
  private readonly errors: string[] = [];
  private runStartMs: number | undefined;
  private runEndMs: number | undefined;

  /** Takes one envelope; returns the scenario's row when this envelope ended its last attempt. */
  accept(envelope: unknown): ScenarioRow | undefined {
    const event = readRunEvent(envelope);
    return event === undefined ? undefined : this.acceptEvent(event);
  }

  acceptEvent(e: RunEvent): ScenarioRow | undefined {
    switch (e.type) {
      case 'pickle':
        this.pickles.set(e.id, { uri: e.uri, line: e.line, name: e.name, stepTexts: e.stepTexts });
        return undefined;
      case 'hook':
        this.hookLabels.set(e.id, e.label);
        return undefined;
      case 'testCase':
        this.testCases.set(e.id, { pickleId: e.pickleId, steps: e.steps, attempts: [], finished: false });
        return undefined;
      case 'testCaseStarted': {
        const attempt: Attempt = { testCaseId: e.testCaseId, startMs: e.timeMs, endMs: undefined, steps: [], verdict: undefined };
        this.started.set(e.id, attempt);
        this.testCases.get(e.testCaseId)?.attempts.push(attempt);
        return undefined;
      }
      case 'testStepFinished':
        this.started.get(e.testCaseStartedId)?.steps.push({ stepId: e.testStepId, result: e.result });
        return undefined;
      case 'attachment':
        return this.acceptAttachment(e.testCaseStartedId, e.mediaType, e.body);
      case 'testCaseFinished':
        return this.acceptFinished(e.testCaseStartedId, e.willBeRetried, e.timeMs);
      case 'testRunStarted':
        this.runStartMs = e.timeMs;
        return undefined;
      case 'testRunFinished':
        this.runEndMs = e.timeMs;
        if (e.message !== '') this.errors.push(`test run: ${e.message}`);
        return undefined;
      case 'testRunHookFinished':
        // SKIPPED is a dry run; anything else but PASSED is the rig failing outside any scenario.
        if (e.result.status !== 'PASSED' && e.result.status !== 'SKIPPED') this.errors.push(`BeforeAll/AfterAll hook ${e.result.status}: ${firstLine(e.result)}`);
        return undefined;
      case 'parseError':
        this.errors.push(`parse error in ${e.uri}:${e.line}: ${e.message.split('\n')[0] ?? ''}`);
        return undefined;
    }
  }

  private acceptAttachment(testCaseStartedId: string, mediaType: string, body: string): undefined {
    if (mediaType !== VERDICT_MEDIA_TYPE) return undefined;
    const attempt = this.started.get(testCaseStartedId);
    const v = parseAttemptVerdict(body);
    if (attempt && v) attempt.verdict = { outcome: v.verdict, reason: v.reason, target: v.target };
    return undefined;
  }

  private acceptFinished(testCaseStartedId: string, willBeRetried: boolean, timeMs: number): ScenarioRow | undefined {
    const attempt = this.started.get(testCaseStartedId);
    if (!attempt) return undefined;
    attempt.endMs = timeMs;
    const tc = this.testCases.get(attempt.testCaseId);
    if (!tc || willBeRetried) return undefined;
    tc.finished = true;
    return this.rowOf(tc);
  }

  /** Every scenario that had a test case, sorted by file and line; unfinished ones are HARNESS-ERROR. */
  rows(): ScenarioRow[] {
    return [...this.testCases.values()].map((tc) => this.rowOf(tc)).sort(compareRows);
  }

  /** Problems outside any scenario, in arrival order. */
  runErrors(): string[] {
    return [...this.errors];
  }

  report(): VerdictReport {
    const rows = this.rows();
    const runErrors = this.runErrors();
    const durationMs = this.runStartMs !== undefined && this.runEndMs !== undefined ? this.runEndMs - this.runStartMs : undefined;
    return { rows, counts: countVerdicts(rows), runErrors, exitCode: exitCodeFor(rows, runErrors), durationMs };
  }

  private stepLabel(tc: TestCaseState, pickle: PickleInfo | undefined, stepId: string): string {
    const ref = tc.steps.find((s) => s.id === stepId);
    if (ref?.pickleStepId) return `step: ${pickle?.stepTexts.get(ref.pickleStepId) ?? '?'}`;
    if (ref?.hookId) return this.hookLabels.get(ref.hookId) ?? 'a hook';
    return 'step: ?';
  }

  private outcomeOf(tc: TestCaseState, pickle: PickleInfo | undefined, a: Attempt): { outcome: AttemptOutcome; reason: string } {
    const derived = deriveOutcome(a.steps.map((s) => ({ label: this.stepLabel(tc, pickle, s.stepId), result: s.result })));
    if (a.verdict === undefined || (a.verdict.outcome === 'PASS' && derived.outcome !== 'PASS')) return derived;
    return { outcome: a.verdict.outcome, reason: a.verdict.reason };
  }

  private rowOf(tc: TestCaseState): ScenarioRow {
    const pickle = this.pickles.get(tc.pickleId);
    const base = { uri: pickle?.uri ?? '(unknown feature)', line: pickle?.line ?? 0, name: pickle?.name ?? '(unknown scenario)' };
    const attempts = tc.attempts;
    const durationMs = attempts.reduce((sum, a) => sum + Math.max(0, (a.endMs ?? a.startMs) - a.startMs), 0);
    const target = [...attempts].reverse().find((a) => a.verdict)?.verdict?.target ?? '';
    const outcomes = attempts.map((a) => this.outcomeOf(tc, pickle, a));
    const history = outcomes.map((o) => o.outcome);
    const last = attempts[attempts.length - 1];
    const lastOutcome = outcomes[outcomes.length - 1];
    if (last === undefined || lastOutcome === undefined) {
      return { ...base, verdict: 'HARNESS-ERROR', attempts: 0, reason: 'never ran (a worker or a BeforeAll hook failed, or the run stopped)', durationMs, target, history };
    }
    if (last.endMs === undefined && !tc.finished) {
      const reason = `attempt ${attempts.length} never finished (the worker died or the run was interrupted)`;
      return { ...base, verdict: 'HARNESS-ERROR', attempts: attempts.length, reason, durationMs, target, history };
    }
    const earlier = outcomes.slice(0, -1).find((o) => o.outcome !== 'PASS');
    if (lastOutcome.outcome === 'PASS' && earlier !== undefined) {
      const n = outcomes.indexOf(earlier) + 1;
      return { ...base, verdict: 'FLAKY', attempts: attempts.length, reason: `attempt ${n} ${earlier.outcome}: ${earlier.reason}`, durationMs, target, history };
    }
    return { ...base, verdict: lastOutcome.outcome, attempts: attempts.length, reason: lastOutcome.reason, durationMs, target, history };
  }
}

function compareRows(a: ScenarioRow, b: ScenarioRow): number {
  return a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : a.line - b.line;
}

export function countVerdicts(rows: readonly ScenarioRow[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of rows) counts[r.verdict] += 1;
  return counts;
}

/**
 * 0 when every verdict is PASS, FLAKY or UNSUPPORTED; 1 when any FAIL; else 3
 * when any HARNESS-ERROR or run error; 4 when nothing ran at all.
 */
export function exitCodeFor(rows: readonly ScenarioRow[], runErrors: readonly string[]): ExitCode {
  if (rows.some((r) => r.verdict === 'FAIL')) return EXIT_CODES.fail;
  if (rows.some((r) => r.verdict === 'HARNESS-ERROR') || runErrors.length > 0) return EXIT_CODES.harnessError;
  if (rows.length === 0) return EXIT_CODES.noScenarios;
  return EXIT_CODES.ok;
}

/** The whole report from the NDJSON text of a `message:` formatter. */
export function verdictsFromNdjson(ndjson: string): VerdictReport {
  const collector = new VerdictCollector();
  for (const event of readRunEvents(ndjson)) collector.acceptEvent(event);
  return collector.report();
}
