/**
 * Scenario lifecycle: settings and adapter once per worker process, a fresh
 * world per scenario, and an After hook that tears the sandbox down whatever
 * happened and attaches the attempt's verdict (see steps/report/verdict.ts).
 *
 * BeforeAll reaps what killed earlier runs left behind (sandboxes whose
 * owner process is dead: namespaces, processes, run directories) before
 * anything new is created. Sandboxes of live runs are never touched, so two
 * runs on one machine do not disturb each other.
 * Timeouts scale with REFSWITCH_SLOW_FACTOR.
 */
import { After, AfterAll, Before, BeforeAll, Status, setDefaultTimeout, setWorldConstructor } from '@cucumber/cucumber';
import { adapterByName, type SwitchAdapter } from '../adapters/index.ts';
import { HarnessError, reapLeftovers } from '../harness/index.ts';
import { VERDICT_MEDIA_TYPE, type AttemptVerdict } from '../report/verdict.ts';
import { readRunSettings, type RunSettings } from './settings.ts';
import { SwitchWorld } from './world.ts';

setWorldConstructor(SwitchWorld);

let settings: RunSettings | undefined;
let settingsError: string | undefined;
try {
  settings = readRunSettings();
} catch (e) {
  settingsError = e instanceof Error ? e.message : String(e);
}
setDefaultTimeout(60_000 * (settings?.slowFactor ?? 1));

let adapter: SwitchAdapter | undefined;
let unavailable: string | undefined;

BeforeAll(async function () {
  if (settings === undefined) return;
  const report = await reapLeftovers();
  for (const line of [...report.reaped.map((r) => `reaped ${r}`), ...report.errors]) process.stderr.write(`refswitch: ${line}\n`);
  adapter = adapterByName(settings.target);
  unavailable = adapter === undefined ? `unknown target ${JSON.stringify(settings.target)}` : await adapter.checkAvailable();
});

Before(async function (this: SwitchWorld, { pickle, gherkinDocument }) {
  if (settings === undefined) throw new HarnessError(settingsError ?? 'run settings missing');
  if (adapter === undefined || unavailable !== undefined) {
    this.harnessFault = `switch under test "${settings.target}" unavailable: ${unavailable ?? 'no adapter'}`;
    throw new HarnessError(this.harnessFault);
  }
  const node = gherkinDocument.feature?.children.find((c) => c.scenario?.id === pickle.astNodeIds[0]);
  const line = node?.scenario?.location.line ?? 0;
  this.begin({ settings, adapter, featureFile: pickle.uri, scenarioId: `${pickle.uri}:${line} ${pickle.name}` });
});

After(async function (this: SwitchWorld, { result }) {
  const problems = await this.tearDown();
  const exceptionType = result?.exception?.type ?? '';
  if (this.harnessFault === undefined && (exceptionType === 'HarnessError' || exceptionType === 'GoldenFileError')) {
    this.harnessFault = result?.message ?? exceptionType;
  }
  const verdict = attemptVerdict(this, result?.status, result?.message ?? '', problems);
  this.attach(JSON.stringify(verdict), VERDICT_MEDIA_TYPE);
  if (problems.length > 0) {
    throw new HarnessError(`teardown left problems behind:\n  ${problems.join('\n  ')}`);
  }
});

AfterAll(async function () {
  adapter = undefined;
});

function attemptVerdict(world: SwitchWorld, status: (typeof Status)[keyof typeof Status] | undefined, message: string, problems: readonly string[]): AttemptVerdict {
  const target = settings?.target ?? '';
  const firstLine = (s: string): string =>
    (s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '').replace(/^(HarnessError|GoldenFileError|Error): /, '');
  if (world.unsupported !== undefined) return { verdict: 'UNSUPPORTED', reason: world.unsupported, target };
  if (world.harnessFault !== undefined) return { verdict: 'HARNESS-ERROR', reason: firstLine(world.harnessFault), target };
  switch (status) {
    case Status.PASSED:
      return problems.length > 0
        ? { verdict: 'HARNESS-ERROR', reason: `teardown: ${problems[0] ?? ''}`, target }
        : { verdict: 'PASS', reason: '', target };
    case Status.FAILED:
      return { verdict: 'FAIL', reason: firstLine(message), target };
    case Status.SKIPPED:
      return { verdict: 'UNSUPPORTED', reason: 'skipped', target };
    case Status.UNDEFINED:
    case Status.AMBIGUOUS:
    case Status.PENDING:
      return { verdict: 'HARNESS-ERROR', reason: `scenario cannot run: a step is ${String(status).toLowerCase()}`, target };
    default:
      return { verdict: 'HARNESS-ERROR', reason: `scenario ended with status ${String(status)}`, target };
  }
}
