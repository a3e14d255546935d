/**
 * Run events: the few Cucumber message envelopes the verdict report needs,
 * narrowed from `unknown` into a union tagged by `type`.
 *
 * Cucumber hands formatters message envelopes as plain objects, and the
 * `message` formatter writes the same objects as NDJSON, so one reader serves
 * both the live formatter and an offline re-read of `messages.ndjson`.
 *
 * Invariant: `readRunEvent` never throws; an envelope of a kind the report
 * does not use, or one missing a field it needs, reads as `undefined`.
 * Times are milliseconds since the epoch, from the message timestamps.
 *
 * Left out on purpose: every envelope kind the report ignores (sources,
 * gherkin documents, step definitions, suggestions, test step starts), and
 * the fields of the kept ones it does not read. Follows the Cucumber
 * messages schema as cucumber-js 12.9 emits it (protocol 32).
 */

export type StepStatus = 'PASSED' | 'SKIPPED' | 'PENDING' | 'UNDEFINED' | 'AMBIGUOUS' | 'FAILED' | 'UNKNOWN';

export interface StepResult {
  readonly status: StepStatus;
  /** Cucumber's text: `Type: message` then the stack; may be empty. */
  readonly message: string;
  readonly exceptionType: string;
  readonly exceptionMessage: string;
}

export interface TestStepRef {
  readonly id: string;
  readonly pickleStepId: string;
  readonly hookId: string;
}

export type RunEvent =
  | { readonly type: 'pickle'; readonly id: string; readonly uri: string; readonly line: number; readonly name: string; readonly stepTexts: ReadonlyMap<string, string> }
  | { readonly type: 'hook'; readonly id: string; readonly label: string }
  | { readonly type: 'testCase'; readonly id: string; readonly pickleId: string; readonly steps: readonly TestStepRef[] }
  | { readonly type: 'testCaseStarted'; readonly id: string; readonly testCaseId: string; readonly attempt: number; readonly timeMs: number }
  | { readonly type: 'testStepFinished'; readonly testCaseStartedId: string; readonly testStepId: string; readonly result: StepResult }
  | { readonly type: 'attachment'; readonly testCaseStartedId: string; readonly mediaType: string; readonly body: string }
  | { readonly type: 'testCaseFinished'; readonly testCaseStartedId: string; readonly willBeRetried: boolean; readonly timeMs: number }
  | { readonly type: 'testRunStarted'; readonly timeMs: number }
  | { readonly type: 'testRunFinished'; readonly timeMs: number; readonly success: boolean; readonly message: string }
  | { readonly type: 'testRunHookFinished'; readonly result: StepResult }
  | { readonly type: 'parseError'; readonly uri: string; readonly line: number; readonly message: string };

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}
function str(o: Obj | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === 'string' ? v : '';
}
function num(o: Obj | undefined, k: string): number {
  const v = o?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
function list(o: Obj | undefined, k: string): readonly unknown[] {
  const v = o?.[k];
  return Array.isArray(v) ? v : [];
}
function timeMs(o: Obj | undefined): number {
  const ts = obj(o?.['timestamp']);
  return num(ts, 'seconds') * 1000 + Math.floor(num(ts, 'nanos') / 1e6);
}
function line(location: unknown): number {
  return num(obj(location), 'line');
}

const STATUSES: readonly StepStatus[] = ['PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED', 'UNKNOWN'];

function stepResult(v: unknown): StepResult {
  const o = obj(v);
  const s = str(o, 'status');
  const exception = obj(o?.['exception']);
  return {
    status: STATUSES.find((x) => x === s) ?? 'UNKNOWN',
    message: str(o, 'message'),
    exceptionType: str(exception, 'type'),
    exceptionMessage: str(exception, 'message'),
  };
}

function readPickle(o: Obj): RunEvent | undefined {
  const id = str(o, 'id');
  if (id === '') return undefined;
  const stepTexts = new Map<string, string>();
  for (const s of list(o, 'steps')) stepTexts.set(str(obj(s), 'id'), str(obj(s), 'text'));
  return { type: 'pickle', id, uri: str(o, 'uri'), line: line(o['location']), name: str(o, 'name'), stepTexts };
}

function readHook(o: Obj): RunEvent {
  const ref = obj(o['sourceReference']);
  const where = `${str(ref, 'uri')}:${line(ref?.['location'])}`;
  const name = str(o, 'name');
  return { type: 'hook', id: str(o, 'id'), label: name === '' ? `hook ${where}` : `hook '${name}' ${where}` };
}

function readTestCase(o: Obj): RunEvent {
  const steps = list(o, 'testSteps').map((s) => {
    const so = obj(s);
    return { id: str(so, 'id'), pickleStepId: str(so, 'pickleStepId'), hookId: str(so, 'hookId') };
  });
  return { type: 'testCase', id: str(o, 'id'), pickleId: str(o, 'pickleId'), steps };
}

function readAttachment(o: Obj): RunEvent | undefined {
  const testCaseStartedId = str(o, 'testCaseStartedId');
  if (testCaseStartedId === '') return undefined;
  const raw = str(o, 'body');
  const body = str(o, 'contentEncoding') === 'BASE64' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return { type: 'attachment', testCaseStartedId, mediaType: str(o, 'mediaType'), body };
}

/** Narrows one envelope (a parsed NDJSON line or a formatter event); undefined when the report does not use it. */
export function readRunEvent(envelope: unknown): RunEvent | undefined {
  const e = obj(envelope);
  if (e === undefined) return undefined;
  let o: Obj | undefined;
  if ((o = obj(e['pickle']))) return readPickle(o);
  if ((o = obj(e['hook']))) return readHook(o);
  if ((o = obj(e['testCase']))) return readTestCase(o);
  if ((o = obj(e['testCaseStarted']))) {
    return { type: 'testCaseStarted', id: str(o, 'id'), testCaseId: str(o, 'testCaseId'), attempt: num(o, 'attempt'), timeMs: timeMs(o) };
  }
  if ((o = obj(e['testStepFinished']))) {
    return { type: 'testStepFinished', testCaseStartedId: str(o, 'testCaseStartedId'), testStepId: str(o, 'testStepId'), result: stepResult(o['testStepResult']) };
  }
  if ((o = obj(e['attachment']))) return readAttachment(o);
  if ((o = obj(e['testCaseFinished']))) {
    return { type: 'testCaseFinished', testCaseStartedId: str(o, 'testCaseStartedId'), willBeRetried: o['willBeRetried'] === true, timeMs: timeMs(o) };
  }
  if ((o = obj(e['testRunStarted']))) return { type: 'testRunStarted', timeMs: timeMs(o) };
  if ((o = obj(e['testRunFinished']))) {
    const exception = obj(o['exception']);
    return { type: 'testRunFinished', timeMs: timeMs(o), success: o['success'] === true, message: str(o, 'message') || str(exception, 'message') };
  }
  if ((o = obj(e['testRunHookFinished']))) return { type: 'testRunHookFinished', result: stepResult(o['result']) };
  if ((o = obj(e['parseError']))) {
    const source = obj(o['source']);
    return { type: 'parseError', uri: str(source, 'uri'), line: line(source?.['location']), message: str(o, 'message') };
  }
  return undefined;
}

/** Parses NDJSON text (one envelope per line) into run events; blank or malformed lines are skipped. */
export function readRunEvents(ndjson: string): RunEvent[] {
  const events: RunEvent[] = [];
  for (const text of ndjson.split('\n')) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    const event = readRunEvent(value);
    if (event !== undefined) events.push(event);
  }
  return events;
}
