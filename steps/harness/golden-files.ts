/**
 * Golden file I/O. Goldens live next to the feature that owns them:
 *
 *   features/<area>/<feature>.feature
 *   features/<area>/<feature>.golden/<name>.flows   normalised datapath flows (text)
 *   features/<area>/<feature>.golden/<name>.pcap    expected packets (compared)
 *   features/<area>/<feature>.golden/<name>.txt     their tcpdump summaries (review aid, not compared)
 *   features/<area>/<feature>.golden/<name>.trace   a trace (text)
 *   features/<area>/<feature>.golden/<name>.jsonrpc an OVSDB JSON-RPC transcript, UUIDs labelled (text)
 *
 * Invariants: nothing here writes unless the caller passes
 * `updateGolden: true` (what `refswitch run --update-golden` sets); a normal
 * run only reads. Writes are atomic (temp file in the same directory, then
 * rename) and deterministic: flows sorted and normalised, pcap timestamps
 * synthetic (packet i at i µs), text with trailing spaces and blank tail
 * lines removed, so a re-recording that changes nothing gives no diff.
 * Errors (missing golden, refused write, bad name, corrupt pcap) are
 * GoldenFileErrors naming the path and, for a missing file, the command
 * that records it.
 * Left out on purpose: comparing (golden-flows.ts, golden-packets.ts) and
 * deciding when to update (the runner).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { encodePcap, parsePcap, summarizePacket } from '../../reference/packet/index.ts';
import { normalizeFlowDump } from './golden-flows.ts';
import type { FlowStatsPolicy } from './golden-flows.ts';

export type GoldenKind = 'flows' | 'pcap' | 'txt' | 'trace' | 'jsonrpc';
export type GoldenFileProblem = 'missing' | 'write-refused' | 'bad-name' | 'corrupt' | 'bad-content';

export const UPDATE_GOLDEN_COMMAND = 'refswitch run --update-golden';

/** A golden that cannot be read or must not be written; harness misuse or a scenario to record, never a switch failure. */
export class GoldenFileError extends Error {
  override readonly name = 'GoldenFileError';
  constructor(
    readonly problem: GoldenFileProblem,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GoldenWriteOptions {
  /** Must be true to write; anything else throws GoldenFileError('write-refused'). */
  readonly updateGolden: boolean;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `features/l2/normal.feature` → `features/l2/normal.golden`. */
export function goldenDir(featureFile: string): string {
  const ext = extname(featureFile);
  return join(dirname(featureFile), basename(featureFile, ext) + '.golden');
}

/** Path of golden `name` of `kind`; throws GoldenFileError for a name that is not a plain file name. */
export function goldenPath(featureFile: string, name: string, kind: GoldenKind): string {
  const path = join(goldenDir(featureFile), `${name}.${kind}`);
  if (!NAME_RE.test(name) || name.includes('..')) {
    throw new GoldenFileError('bad-name', path, `bad golden name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' only`);
  }
  return path;
}

async function readGoldenBytes(featureFile: string, name: string, kind: GoldenKind): Promise<Buffer> {
  const path = goldenPath(featureFile, name, kind);
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new GoldenFileError(
      'missing',
      path,
      `golden file ${path} does not exist; record it from a switch with \`${UPDATE_GOLDEN_COMMAND} ${featureFile}\` and review the diff before committing`,
    );
  }
}

/** Text of a `.flows`, `.trace` or `.jsonrpc` golden. */
export async function readGoldenText(featureFile: string, name: string, kind: 'flows' | 'trace' | 'jsonrpc'): Promise<string> {
  return (await readGoldenBytes(featureFile, name, kind)).toString('utf8');
}

/** Packets of a `.pcap` golden, in file order; a damaged file is a GoldenFileError('corrupt'). */
export async function readGoldenPackets(featureFile: string, name: string): Promise<Uint8Array[]> {
  const bytes = await readGoldenBytes(featureFile, name, 'pcap');
  const r = parsePcap(bytes);
  if (r.issue || r.info === undefined) {
    const path = goldenPath(featureFile, name, 'pcap');
    throw new GoldenFileError('corrupt', path, `golden pcap ${path} is damaged: ${r.issue ? `${r.issue.kind} at byte ${r.issue.offsetBytes}: ${r.issue.detail}` : 'no file header'}`);
  }
  return r.records.map((rec) => rec.data);
}

function refuseUnlessUpdating(path: string, opts: GoldenWriteOptions): void {
  if (opts.updateGolden !== true) {
    throw new GoldenFileError('write-refused', path, `refusing to write golden ${path}: goldens change only with \`${UPDATE_GOLDEN_COMMAND}\``);
  }
}

/**
 * Writes `data` to `path` atomically: a temp file beside it, then rename; the
 * temp file is removed if anything fails. Creates the directory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Text as stored: LF line ends, no trailing spaces, no blank tail, one final newline. */
export function normalizeGoldenText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join('\n') + '\n' : '';
}

export interface GoldenFlowsWriteOptions extends GoldenWriteOptions {
  readonly portNames?: ReadonlyMap<number, string>;
  readonly stats?: FlowStatsPolicy;
}

/** Records a dump as golden `<name>.flows` (normalised, sorted). Returns the path. */
export async function writeGoldenFlows(featureFile: string, name: string, dumpText: string, opts: GoldenFlowsWriteOptions): Promise<string> {
  const path = goldenPath(featureFile, name, 'flows');
  refuseUnlessUpdating(path, opts);
  const n = normalizeFlowDump(dumpText, {
    ...(opts.portNames ? { portNames: opts.portNames } : {}),
    ...(opts.stats ? { stats: opts.stats } : {}),
  });
  if (!n.ok) throw new GoldenFileError('bad-content', path, `cannot record ${path}: the dump does not parse: ${n.message}`);
  await writeFileAtomic(path, normalizeGoldenText(n.lines.join('\n')));
  return path;
}

/** Records a trace as golden `<name>.trace` (or another text kind, e.g. an OVSDB transcript). Returns the path. */
export async function writeGoldenTrace(
  featureFile: string, name: string, text: string, opts: GoldenWriteOptions, kind: 'trace' | 'jsonrpc' = 'trace',
): Promise<string> {
  const path = goldenPath(featureFile, name, kind);
  refuseUnlessUpdating(path, opts);
  await writeFileAtomic(path, normalizeGoldenText(text));
  return path;
}

/** Frames as a pcap file with synthetic timestamps (packet i at i µs), so equal frames give equal bytes. */
export function encodeSyntheticPcap(frames: readonly Uint8Array[]): Uint8Array {
  return encodePcap(frames.map((data, i) => ({ data, tsSec: 0, tsNsec: i * 1000 })));
}

export interface GoldenPacketsWriteOptions extends GoldenWriteOptions {
  /** Sort packets by bytes (for goldens compared as multisets); default keeps the order given. */
  readonly sort?: boolean;
}

/** Records packets as `<name>.pcap` plus the summaries `<name>.txt`. Returns both paths. */
export async function writeGoldenPackets(
  featureFile: string, name: string, packets: readonly Uint8Array[], opts: GoldenPacketsWriteOptions,
): Promise<{ pcap: string; txt: string }> {
  const pcap = goldenPath(featureFile, name, 'pcap');
  const txt = goldenPath(featureFile, name, 'txt');
  refuseUnlessUpdating(pcap, opts);
  const list = opts.sort ? [...packets].sort((a, b) => Buffer.compare(a, b)) : [...packets];
  const bytes = encodeSyntheticPcap(list);
  const summary = [
    `# ${list.length} packet(s) in ${basename(pcap)}${opts.sort ? ', sorted (compared as a multiset)' : ', in order'}; review aid, not compared`,
    ...list.map((p, i) => `${i + 1}  ${summarizePacket(p)}`),
  ].join('\n');
  await writeFileAtomic(pcap, bytes);
  await writeFileAtomic(txt, normalizeGoldenText(summary));
  return { pcap, txt };
}
