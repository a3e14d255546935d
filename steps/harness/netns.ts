/**
 * Network-namespace and veth primitives for sandboxes, on top of iproute2.
 *
 * Naming scheme (the invariant reaping relies on):
 *   namespace   rsw-<workerId>-<6 hex>        e.g. rsw-0-a1b2c3
 *   switch end  <port>                        e.g. p1   (the switch opens it)
 *   harness end <port>-h                      e.g. p1-h (we send/capture here)
 * Both ends of every pair live inside the namespace (created there with
 * `ip -n`), so the host never sees them and names cannot collide across
 * sandboxes. Port names are at most 13 characters so that `<port>-h` fits
 * IFNAMSIZ (15 visible characters).
 *
 * Left out on purpose: addresses, routes, bridges — the sandbox is a bare L2
 * rig; the switch under test provides all forwarding.
 */
import { randomBytes } from 'node:crypto';
import { HarnessError } from './errors.ts';
import { runCommand } from './run-command.ts';

export const NAMESPACE_PREFIX = 'rsw-';
export const HARNESS_SUFFIX = '-h';
const MAX_IFNAME = 15;
const portNameRe = /^[A-Za-z0-9_][A-Za-z0-9_.]*$/;
const workerIdRe = /^[A-Za-z0-9]{1,8}$/;
const namespaceRe = /^rsw-([A-Za-z0-9]{1,8})-([0-9a-f]{6})$/;

/** Throws HarnessError unless `port` can name a veth end with room for `-h`. */
export function checkPortName(port: string): void {
  if (!portNameRe.test(port) || port.length + HARNESS_SUFFIX.length > MAX_IFNAME || port === 'lo') {
    throw new HarnessError(
      `port name ${JSON.stringify(port)} is not usable: 1-${MAX_IFNAME - HARNESS_SUFFIX.length} characters of [A-Za-z0-9_.], not "lo"`,
    );
  }
}

export function checkWorkerId(workerId: string): void {
  if (!workerIdRe.test(workerId)) {
    throw new HarnessError(`worker id ${JSON.stringify(workerId)} is not 1-8 characters of [A-Za-z0-9]`);
  }
}

/** The harness end of a port's veth pair. */
export function harnessEnd(port: string): string {
  return port + HARNESS_SUFFIX;
}

/** A fresh namespace name for a worker (random, so reruns never collide). */
export function newNamespaceName(workerId: string): string {
  checkWorkerId(workerId);
  return `${NAMESPACE_PREFIX}${workerId}-${randomBytes(3).toString('hex')}`;
}

/** The worker id inside a sandbox namespace name, or undefined if it is not one. */
export function parseNamespaceName(name: string): { workerId: string } | undefined {
  const m = namespaceRe.exec(name);
  return m?.[1] === undefined ? undefined : { workerId: m[1] };
}

/** Names of all network namespaces iproute2 knows (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const r = await runCommand(['ip', 'netns', 'list'], { what: 'list network namespaces' });
  // Lines look like `rsw-0-a1b2c3 (id: 3)` or just `rsw-0-a1b2c3`.
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

export async function addNamespace(name: string): Promise<void> {
  await runCommand(['ip', 'netns', 'add', name], { what: `create network namespace ${name}` });
}

/** Deletes the namespace; its veths go with it once no process holds it. */
export async function deleteNamespace(name: string): Promise<void> {
  await runCommand(['ip', 'netns', 'delete', name], { what: `delete network namespace ${name}` });
}

/** Runs several `ip` commands inside the namespace in one process (`ip -batch`). */
export async function ipBatch(ns: string, lines: readonly string[], what: string): Promise<void> {
  await runCommand(['ip', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n', what });
}

/** argv that runs `argv` inside the namespace. */
export function nsExecArgv(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

export interface LinkInfo {
  readonly name: string;
  readonly isUp: boolean;
  readonly mtu: number;
  readonly rxPackets: number;
  readonly txPackets: number;
}

/** Every link in the namespace with its counters (`ip -j -s link show`). */
export async function listLinks(ns: string): Promise<LinkInfo[]> {
  const r = await runCommand(['ip', '-n', ns, '-j', '-s', 'link', 'show'], { what: `list links in ${ns}` });
  const parsed: unknown = JSON.parse(r.stdout);
  if (!Array.isArray(parsed)) throw new HarnessError(`unexpected \`ip -j link\` output in ${ns}: ${r.stdout.slice(0, 200)}`);
  return parsed.map((entry: unknown) => toLinkInfo(entry, ns));
}

function toLinkInfo(entry: unknown, ns: string): LinkInfo {
  const o = asRecord(entry);
  const stats = asRecord(o?.['stats64']);
  const rx = asRecord(stats?.['rx']);
  const tx = asRecord(stats?.['tx']);
  const flags = o?.['flags'];
  const name = o?.['ifname'];
  if (typeof name !== 'string' || !Array.isArray(flags) || typeof rx?.['packets'] !== 'number' || typeof tx?.['packets'] !== 'number') {
    throw new HarnessError(`unexpected \`ip -j -s link\` entry in ${ns}: ${JSON.stringify(entry).slice(0, 200)}`);
  }
  return {
    name,
    isUp: flags.includes('UP'),
    mtu: typeof o?.['mtu'] === 'number' ? o['mtu'] : 0,
    rxPackets: rx['packets'],
    txPackets: tx['packets'],
  };
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
