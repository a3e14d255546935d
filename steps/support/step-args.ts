/**
 * Parsers for the arguments of the step vocabulary: port lists, don't-care
 * lists, packet expressions, doc-string flow lists and pcap paths.
 * Invariant: a malformed argument is a HarnessError quoting it (the scenario
 * is wrong, not the switch), never a silent default.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePacketExpression, encodePacket, readPcapFileSync } from '../../reference/packet/index.ts';
import { encodeSyntheticPcap, HarnessError } from '../harness/index.ts';

const PORT_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,12}$/;

/** `p1, p2 and p3` / `p1, p2, p3` / `p1` → names, each a valid interface name. */
export function parsePortList(text: string): string[] {
  const names = text.split(/\s*,\s*|\s+and\s+/).map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!PORT_RE.test(n)) throw new HarnessError(`bad port name ${JSON.stringify(n)} in ${JSON.stringify(text)}`);
  if (names.length === 0) throw new HarnessError(`no ports in ${JSON.stringify(text)}`);
  return names;
}

/** `ip.ttl, ip.checksum` → ['ip.ttl', 'ip.checksum']; undefined → []. */
export function parseIgnoreList(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(/\s*,\s*|\s+and\s+/).map((s) => s.trim()).filter((s) => s !== '');
}

/** Builds a scenario's packet expression; HarnessError naming the column on a bad one. */
export function buildFrame(expression: string): Uint8Array {
  const parsed = parsePacketExpression(expression);
  if (!parsed.ok) {
    throw new HarnessError(`bad packet expression ${JSON.stringify(expression)}: ${parsed.error.message} at ${JSON.stringify(parsed.error.token)}`);
  }
  try {
    return encodePacket(parsed.layers);
  } catch (e) {
    throw new HarnessError(`cannot build packet ${JSON.stringify(expression)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A doc string of flows: one per line; blank lines and `#` comments dropped. */
export function flowLines(docString: string): string[] {
  return docString.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/** Reads every frame of a pcap named relative to the repository root (the working directory). */
export function readReplayPcap(path: string): Uint8Array[] {
  const full = resolve(path);
  if (!existsSync(full)) throw new HarnessError(`pcap ${JSON.stringify(path)} not found (looked at ${full})`);
  const parsed = readPcapFileSync(full);
  if (parsed.issue !== undefined) throw new HarnessError(`pcap ${JSON.stringify(path)} is malformed: ${parsed.issue.kind} at byte ${parsed.issue.offsetBytes}: ${parsed.issue.detail}`);
  if (parsed.info?.format === 'pcap' && parsed.info.linkType !== 1) {
    throw new HarnessError(`pcap ${JSON.stringify(path)} has link type ${parsed.info.linkType}; only Ethernet (1) can be replayed`);
  }
  return parsed.records.map((r) => r.data);
}

/** Frames as a pcap file (synthetic timestamps), for attachments. */
export function framesToPcap(frames: readonly Uint8Array[]): Buffer {
  return Buffer.from(encodeSyntheticPcap(frames));
}
