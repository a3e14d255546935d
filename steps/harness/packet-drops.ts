/**
 * Drop counters of every packet socket in a sandbox namespace, read from
 * `ss -0 -a -m -n -e -p` (sock_diag, so it sees the switch's sockets too).
 *
 * The `d<N>` in `skmem:(...)` is the socket's sk_drops: frames the kernel
 * threw away because the socket's receive buffer was full. Unlike
 * PACKET_STATISTICS it is not reset by reading, so two snapshots can be
 * compared. A socket is identified by its inode (`ino:N`).
 *
 * Left out on purpose: sockets of other families (the switch's OpenFlow and
 * OVSDB sockets are not on the data path).
 */
import type { Sandbox } from './sandbox.ts';

export interface PacketSocketDrops {
  readonly inode: number;
  /** Interface the socket is bound to (`*` when bound to all). */
  readonly ifname: string;
  /** `ovs-vswitchd pid 123`, or '' when ss could not tell. */
  readonly owner: string;
  readonly drops: number;
}

/**
 * Parses `ss -0 -a -m -n -e -p` output. Records start at an unindented line
 * (`p_raw UNCONN 0 0 *:p1 * ino:123 sk:4 users:(("x",pid=9,fd=5))`) and
 * continue on indented lines (`skmem:(r0,rb212992,...,d17)`). Records
 * without an inode or skmem are skipped.
 */
export function parsePacketSocketDrops(text: string): PacketSocketDrops[] {
  const records: string[] = [];
  for (const line of text.split('\n')) {
    if (/^(p_raw|p_dgr)\s/.test(line)) records.push(line);
    else if (/^\s/.test(line) && records.length > 0) records[records.length - 1] += ` ${line.trim()}`;
  }
  const out: PacketSocketDrops[] = [];
  for (const rec of records) {
    const inode = /\bino:(\d+)/.exec(rec)?.[1];
    const drops = /\bskmem:\([^)]*\bd(\d+)\)/.exec(rec)?.[1];
    if (inode === undefined || drops === undefined) continue;
    const local = rec.split(/\s+/)[4] ?? '';
    const user = /users:\(\("([^"]*)",pid=(\d+)/.exec(rec);
    out.push({
      inode: Number(inode),
      ifname: local.slice(local.lastIndexOf(':') + 1),
      owner: user === null ? '' : `${user[1] ?? ''} pid ${user[2] ?? ''}`,
      drops: Number(drops),
    });
  }
  return out;
}

/** Every packet socket in the sandbox's namespace with its drop count. */
export async function readPacketSocketDrops(sandbox: Sandbox): Promise<PacketSocketDrops[]> {
  const r = await sandbox.exec(['ss', '-0', '-a', '-m', '-n', '-e', '-p'], { what: `list packet sockets in ${sandbox.namespace}` });
  return parsePacketSocketDrops(r.stdout);
}

/** "packet socket on p1 (ovs-vswitchd pid 42, ino 1234)". */
export function describePacketSocket(s: PacketSocketDrops): string {
  return `packet socket on ${s.ifname} (${s.owner === '' ? '' : `${s.owner}, `}ino ${s.inode})`;
}
