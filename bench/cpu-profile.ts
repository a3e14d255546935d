/**
 * bench/cpu-profile: where a Node process spent its time, from the
 * `.cpuprofile` file `node --cpu-prof` writes at exit (V8's sampling
 * profile: a call tree of nodes with `callFrame` and `hitCount`, plus the
 * `samples` node ids and the `timeDeltas` µs between them).
 *
 * `summariseCpuProfile` charges each sample's time to the node it landed
 * in (self time), then adds up nodes of the same function (name and file;
 * an anonymous function is named after its named callers,
 * `(anonymous) ← call ← send`)
 * and of the same file. Idle time (`(idle)`) is reported apart and left
 * out of the shares, so the shares say where the busy time went. V8
 * samples wall-clock time: on a loaded machine "busy" includes time the
 * thread was runnable but not running.
 *
 * Left out on purpose: inclusive (total) time and line numbers (tsx hands
 * V8 each module as one line, so only source maps could give them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
export interface ProfileEntry {
  /** `function  file`, or the file alone for the per-file list. */
  readonly name: string;
  readonly selfMs: number;
  /** Share of the busy (non-idle) time, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: readonly ProfileEntry[];
  readonly files: readonly ProfileEntry[];
}

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

function isNode(x: unknown): x is ProfileNode {
  if (typeof x !== 'object' || x === null) return false;
  const n = x as { id?: unknown; callFrame?: unknown };
  if (typeof n.id !== 'number' || typeof n.callFrame !== 'object' || n.callFrame === null) return false;
  const f = n.callFrame as { functionName?: unknown; url?: unknown };
  return typeof f.functionName === 'string' && typeof f.url === 'string';
}

/** The file part of a profile URL, relative to `root` when under it. */
function shortFile(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (path === '') return '(native)';
  return path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
}

function top(map: Map<string, number>, busyMs: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, selfMs]) => ({ name, selfMs, share: busyMs > 0 ? selfMs / busyMs : 0 }));
}

/**
 * Summarises a parsed `.cpuprofile` (top `n` functions and files by self
 * time); throws an Error naming what is missing when `doc` is not one.
 */
export function summariseCpuProfile(doc: unknown, root: string, n = 15): ProfileSummary {
  const d = doc as { nodes?: unknown; samples?: unknown; timeDeltas?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(d.nodes) || !Array.isArray(d.samples) || !Array.isArray(d.timeDeltas)) {
    throw new Error('not a V8 CPU profile: nodes, samples and timeDeltas arrays expected');
  }
  const nodes = new Map<number, ProfileNode>();
  const parents = new Map<number, ProfileNode>();
  for (const x of d.nodes as unknown[]) if (isNode(x)) nodes.set(x.id, x);
  for (const x of nodes.values()) for (const c of Array.isArray(x.children) ? x.children : []) parents.set(c, x);
  /** A named function's name; an anonymous one's as `(anonymous) ← caller ← its caller`. */
  const nameOf = (node: ProfileNode): string => {
    if (node.callFrame.functionName !== '') return node.callFrame.functionName;
    const callers: string[] = [];
    for (let p = parents.get(node.id); p !== undefined && callers.length < 2; p = parents.get(p.id)) {
      const name = p.callFrame.functionName;
      if (name !== '' && name !== '(root)') callers.push(name);
    }
    return ['(anonymous)', ...callers].join(' ← ');
  };
  const samples = d.samples as unknown[];
  const deltas = d.timeDeltas as unknown[];
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  // A sample's time is the delta to the next sample (V8 records the delta before each).
  for (let i = 0; i < samples.length; i++) {
    const node = nodes.get(Number(samples[i]));
    const us = Number(deltas[i + 1] ?? 0);
    if (node === undefined || !Number.isFinite(us) || us < 0) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const file = shortFile(f.url, root);
    const fn = f.url === '' ? f.functionName : `${nameOf(node)}  ${file}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us / 1000);
    byFile.set(file, (byFile.get(file) ?? 0) + us / 1000);
  }
  const busyMs = busyUs / 1000;
  return { busyMs, idleMs: idleUs / 1000, functions: top(byFunction, busyMs, n), files: top(byFile, busyMs, n) };
}

/** Printable lines: the busy/idle split, then the top functions and files with their shares. */
export function formatProfileSummary(s: ProfileSummary): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  return [
    `busy ${(s.busyMs / 1000).toFixed(2)} s, idle ${(s.idleMs / 1000).toFixed(2)} s; self time by function:`,
    ...s.functions.map((e) => `  ${pct(e.share)}  ${e.name}`),
    'self time by file:',
    ...s.files.map((e) => `  ${pct(e.share)}  ${e.name}`),
  ];
}

/**
 * Waits (up to 5 s) for the profile a sampled process writes at exit, then
 * prints its top `n` functions by self time, indented under the bench's case.
 */
export async function printCpuProfile(path: string, n?: number): Promise<void> {
  for (let waited = 0; !existsSync(path) && waited < 5000; waited += 50) await sleep(50);
  if (!existsSync(path)) {
    console.log(`    (no profile at ${path})`);
    return;
  }
  await sleep(100); // written in one synchronous call, but let it finish
  const s = summariseCpuProfile(JSON.parse(readFileSync(path, 'utf8')), resolve(import.meta.dirname, '..'), n);
  for (const line of formatProfileSummary(s)) console.log(`    ${line}`);
}
