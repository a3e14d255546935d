/**
 * Access to the real peers that the pcap, hex dump and summary tests
 * cross-check against: tcpdump 4.99 and Debian's scapy 2.5 (which runs under
 * /usr/bin/python3, not the python3 first on PATH).
 *
 * Invariant: a missing peer is reported as a reason string for `t.skip`,
 * never as a failure; a peer that is present but fails throws with its
 * stderr, so a broken cross-check is visible.
 *
 * Left out on purpose: live capture. Everything here reads and writes files
 * in a temp directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TCPDUMP = '/usr/bin/tcpdump';
export const SCAPY_PYTHON = '/usr/bin/python3';

/** Undefined when tcpdump can run, else why not (for a visible skip). */
export function tcpdumpMissing(): string | undefined {
  if (!existsSync(TCPDUMP)) return `tcpdump not installed at ${TCPDUMP}`;
  const r = spawnSync(TCPDUMP, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `tcpdump --version failed: ${r.stderr}`;
}

/** Undefined when scapy can be imported, else why not (for a visible skip). */
export function scapyMissing(): string | undefined {
  if (!existsSync(SCAPY_PYTHON)) return `${SCAPY_PYTHON} not found (scapy needs Debian's python3)`;
  const r = spawnSync(SCAPY_PYTHON, ['-c', 'import scapy.all'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `scapy not importable by ${SCAPY_PYTHON}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
}

/** Runs tcpdump with `args` and returns its stdout; throws on a non-zero exit. */
export function runTcpdump(args: readonly string[]): string {
  const r = spawnSync(TCPDUMP, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tcpdump ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a Python program with scapy available; returns stdout, throws on failure. */
export function runScapy(program: string, args: readonly string[] = []): string {
  const r = spawnSync(SCAPY_PYTHON, ['-c', program, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`scapy program exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}
