/**
 * `refswitch run`: the conformance suite. Starts the cucumber-js CLI on the
 * scenarios in features/ (configuration in cucumber.mjs), waits, and exits
 * with the exit code the refswitch summary formatter wrote into
 * reports/verdicts.json: 0 every scenario PASS, FLAKY or UNSUPPORTED; 1 a
 * FAIL; 3 a HARNESS-ERROR, or no verdicts.json at all (cucumber died before
 * its formatters finished); 4 no scenarios ran; 2 usage errors or not root.
 * Whether the target can run here is the adapter's to say (a scenario
 * against an unavailable switch is a HARNESS-ERROR naming the reason).
 *
 * Invariants: the scenario glue (steps/) is never imported here — cucumber
 * loads it in its own process, TypeScript through `NODE_OPTIONS=--import
 * tsx`; a stale verdicts.json is removed before the run, so an old result is
 * never mistaken for this one; golden files are only written with
 * --update-golden (REFSWITCH_UPDATE_GOLDEN is set to 0 otherwise, whatever
 * the caller's environment says); nothing is published (CUCUMBER_PUBLISH_*
 * dropped). SIGINT, SIGTERM and SIGHUP are passed on to cucumber's whole
 * process group (coordinator and --parallel workers).
 * Left out on purpose: the verdict rules (steps/report) and anything about
 * a particular switch (steps/adapters).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { UsageError, type Command } from './command.ts';

export const TARGETS = ['ovs', 'reference'] as const;
export type Target = (typeof TARGETS)[number];

/** What the user asked for; `cucumberArgs` go to cucumber-js unchanged. */
export interface RunPlan {
  readonly target: Target;
  readonly updateGolden: boolean;
  readonly parallel: number | undefined;
  /** As typed, validated (1 to 100). */
  readonly slowFactor: string | undefined;
  readonly retry: number | undefined;
  readonly cucumberArgs: readonly string[];
}

export const RUN_USAGE = 'run [--target ovs|reference] [--update-golden] [--parallel N] [--slow-factor X] [--retry N] [[--] cucumber-js options and feature paths...]';
export const DEFAULT_RETRY = 1;
export const REPORTS_DIR = 'reports';
export const VERDICTS_FILE = `${REPORTS_DIR}/verdicts.json`;
export const NEEDS_ROOT =
  'refswitch run: must run as root: every scenario builds network namespaces and veth pairs (CAP_NET_ADMIN); ' +
  'use sudo, or a container with --cap-add NET_ADMIN';

function count(option: string, text: string | undefined): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new UsageError(`--${option}: expected a whole number, got '${text ?? ''}'`);
  return Number(text);
}

function slowFactor(text: string | undefined): string {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(n) || n < 1 || n > 100) {
    throw new UsageError(`--slow-factor: expected a number from 1 to 100, got '${text ?? ''}'`);
  }
  return text;
}

/**
 * Parses `refswitch run` arguments. Its own options come first (`--opt V` or
 * `--opt=V`); from the first other argument, or after `--`, everything goes
 * to cucumber-js as given. Returns 'help' for -h/--help; throws UsageError.
 */
export function parseRunArgs(argv: readonly string[]): RunPlan | 'help' {
  let target: Target = 'reference';
  let updateGolden = false;
  let parallel: number | undefined;
  let slow: string | undefined;
  let retry: number | undefined;
  let i = 0;
  let separated = false;
  const value = (inline: string | undefined): string | undefined => (inline !== undefined ? inline : argv[++i]);
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      separated = true;
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === '-h' || name === '--help') return 'help';
    if (name === '--target') {
      const t = value(inline);
      const known = TARGETS.find((x) => x === t);
      if (known === undefined) throw new UsageError(`--target: expected ${TARGETS.join(' or ')}, got '${t ?? ''}'`);
      target = known;
    } else if (name === '--update-golden') {
      if (inline !== undefined) throw new UsageError('--update-golden takes no value');
      updateGolden = true;
    } else if (name === '--parallel') parallel = count('parallel', value(inline));
    else if (name === '--retry') retry = count('retry', value(inline));
    else if (name === '--slow-factor') slow = slowFactor(value(inline));
    else break;
  }
  const cucumberArgs = argv.slice(i);
  for (const own of ['--target', '--update-golden', '--slow-factor']) {
    if (!separated && cucumberArgs.some((a) => a === own || a.startsWith(`${own}=`))) {
      throw new UsageError(`${own} must come before cucumber-js options and feature paths`);
    }
  }
  return { target, updateGolden, parallel, slowFactor: slow, retry, cucumberArgs };
}

function givesOption(args: readonly string[], option: string): boolean {
  return args.some((a) => a === option || a.startsWith(`${option}=`));
}

/**
 * The cucumber-js command line (without the node executable) and its
 * environment: `[bin, --config, cucumber.mjs, --retry, N, (--parallel, N),
 * ...cucumberArgs]`; the default retry is left out when cucumberArgs has one.
 */
export function cucumberInvocation(plan: RunPlan, cucumberBin: string, baseEnv: NodeJS.ProcessEnv): { args: string[]; env: NodeJS.ProcessEnv } {
  const args = [cucumberBin, '--config', 'cucumber.mjs'];
  const retry = plan.retry ?? (givesOption(plan.cucumberArgs, '--retry') ? undefined : DEFAULT_RETRY);
  if (retry !== undefined) args.push('--retry', String(retry));
  if (plan.parallel !== undefined) args.push('--parallel', String(plan.parallel));
  args.push(...plan.cucumberArgs);

  const env: NodeJS.ProcessEnv = { ...baseEnv };
  const nodeOptions = env['NODE_OPTIONS'] ?? '';
  if (!/(^|\s)--import(=|\s+)tsx(\s|$)/.test(nodeOptions)) env['NODE_OPTIONS'] = `${nodeOptions} --import tsx`.trim();
  env['REFSWITCH_TARGET'] = plan.target;
  env['REFSWITCH_UPDATE_GOLDEN'] = plan.updateGolden ? '1' : '0';
  if (plan.slowFactor !== undefined) env['REFSWITCH_SLOW_FACTOR'] = plan.slowFactor;
  delete env['CUCUMBER_PUBLISH_ENABLED'];
  delete env['CUCUMBER_PUBLISH_TOKEN'];
  return { args, env };
}

/** The exit code recorded in verdicts.json text, or why there is none. */
export function exitCodeFromVerdicts(text: string | undefined): { code: number } | { why: string } {
  if (text === undefined) return { why: `${VERDICTS_FILE} was not written` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { why: `${VERDICTS_FILE} is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const code = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['exitCode'] : undefined;
  if (code === 0 || code === 1 || code === 3 || code === 4) return { code };
  return { why: `${VERDICTS_FILE} has no valid exitCode (${JSON.stringify(code)})` };
}

/** What runConformance needs from the outside world; tests replace it. */
export interface RunDeps {
  readonly isRoot: () => boolean;
  /** Repository root: cucumber runs there (cucumber.mjs, features/, reports/). */
  readonly root: string;
  /** Path of the cucumber-js CLI script (see cucumberBinPath). */
  readonly cucumberBin: () => string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Runs node with `args` in `cwd`; resolves with how it ended. */
  readonly runNode: (args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) => Promise<{ code: number | null; signal: string | null }>;
}

/** `refswitch run ARGV`: returns the exit code; throws UsageError for bad arguments. */
export async function runConformance(argv: readonly string[], deps: RunDeps): Promise<number> {
  const plan = parseRunArgs(argv);
  if (plan === 'help') {
    deps.stdout(`usage: refswitch ${RUN_USAGE}\n`);
    return 0;
  }
  if (!deps.isRoot()) {
    deps.stderr(`${NEEDS_ROOT}\n`);
    return 2;
  }
  const { args, env } = cucumberInvocation(plan, deps.cucumberBin(), deps.env);
  mkdirSync(join(deps.root, REPORTS_DIR), { recursive: true });
  rmSync(join(deps.root, VERDICTS_FILE), { force: true });
  const ended = await deps.runNode(args, env, deps.root);
  let text: string | undefined;
  try {
    text = readFileSync(join(deps.root, VERDICTS_FILE), 'utf8');
  } catch {
    text = undefined;
  }
  const result = exitCodeFromVerdicts(text);
  if ('code' in result) return result.code;
  const how = ended.signal !== null ? `was stopped by ${ended.signal}` : `exited with code ${ended.code ?? '?'}`;
  deps.stderr(`refswitch run: ${result.why}: cucumber-js ${how} before its summary formatter finished (see its output above); exit 3\n`);
  return 3;
}

/** Path of the installed cucumber-js CLI script, from its package.json `bin`. */
export function cucumberBinPath(root: string): string {
  const pkgPath = createRequire(join(root, 'package.json')).resolve('@cucumber/cucumber/package.json');
  const pkg: unknown = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const bin = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['bin'] : undefined;
  const rel = typeof bin === 'string' ? bin : typeof bin === 'object' && bin !== null ? (bin as Record<string, unknown>)['cucumber-js'] : undefined;
  if (typeof rel !== 'string') throw new Error(`${pkgPath}: no cucumber-js in "bin"`);
  return resolve(dirname(pkgPath), rel);
}

/**
 * Runs `node ARGS` in `cwd` with stdio inherited, in a process group of its
 * own, and passes SIGINT, SIGTERM and SIGHUP on to that whole group until it
 * ends — cucumber's --parallel workers included, which would otherwise run
 * on after their coordinator is gone.
 */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; signal: string | null }> {
  const signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: 'inherit', detached: true });
    const forward = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    };
    for (const s of signals) process.on(s, forward);
    const stop = (): void => {
      for (const s of signals) process.off(s, forward);
    };
    child.on('error', (err) => {
      stop();
      fail(err);
    });
    child.on('close', (code, signal) => {
      stop();
      done({ code, signal });
    });
  });
}

const repoRoot = resolve(import.meta.dirname, '..', '..');

export const runCommand: Command = {
  name: 'run',
  usage: [RUN_USAGE],
  run: (argv) =>
    runConformance(argv, {
      isRoot: () => process.getuid?.() === 0,
      root: repoRoot,
      cucumberBin: () => cucumberBinPath(repoRoot),
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      runNode,
    }),
};
