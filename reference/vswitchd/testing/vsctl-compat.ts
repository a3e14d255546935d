/**
 * The ovs-vsctl command sequence of the vsctl-compat acceptance test, the
 * runner that records its transcript, and the normalisations applied
 * before comparing (listed and justified in vsctl-compat.test.ts).
 */
import { vsctl } from './ovs-daemons.ts';

/** The command sequence; each entry is one ovs-vsctl invocation. */
export const SEQUENCE: readonly (readonly string[])[] = [
  ['init'],
  ['add-br', 'br0'],
  ['add-port', 'br0', 'p1', '--', 'set', 'interface', 'p1', 'type=dummy', 'ofport_request=1'],
  ['add-port', 'br0', 'p2', '--', 'set', 'interface', 'p2', 'type=dummy', 'ofport_request=5'],
  ['add-port', 'br0', 'p3', '--', 'set', 'interface', 'p3', 'type=dummy'],
  ['add-br', 'br0'],
  ['--may-exist', 'add-br', 'br0'],
  ['--may-exist', 'add-port', 'br0', 'p1'],
  ['get', 'interface', 'p1', 'ofport'],
  ['get', 'interface', 'p2', 'ofport'],
  ['get', 'interface', 'p3', 'ofport'],
  ['get', 'interface', 'br0', 'ofport'],
  ['set', 'bridge', 'br0', 'other-config:datapath-id=0000000000000001'],
  ['get', 'bridge', 'br0', 'datapath_id'],
  ['set', 'interface', 'p1', 'external_ids:k=v', 'external_ids:k2=v2'],
  ['get', 'interface', 'p1', 'external_ids:k'],
  ['list', 'bridge', 'br0'],
  ['list', 'port', 'p1'],
  ['list', 'interface', 'p1'],
  ['list', 'interface', 'br0'],
  ['list', 'open_vswitch'],
  ['--columns=name,ofport,type', 'find', 'interface', 'type=dummy'],
  ['remove', 'interface', 'p1', 'external_ids', 'k=v'],
  ['get', 'interface', 'p1', 'external_ids'],
  ['clear', 'bridge', 'br0', 'other_config'],
  ['get', 'bridge', 'br0', 'datapath_id'],
  ['set-controller', 'br0', 'tcp:127.0.0.1:6653'],
  ['get-controller', 'br0'],
  ['set-fail-mode', 'br0', 'secure'],
  ['get-fail-mode', 'br0'],
  ['show'],
  ['del-port', 'br0', 'p2'],
  ['del-port', 'br0', 'p2'],
  ['--if-exists', 'del-port', 'br0', 'p2'],
  ['add-port', 'br0', 'p4', '--', 'set', 'interface', 'p4', 'type=dummy'],
  ['get', 'interface', 'p4', 'ofport'],
  ['add-br', 'br1'],
  ['add-port', 'br1', 'q1', '--', 'set', 'interface', 'q1', 'type=dummy', 'ofport_request=9'],
  ['list-br'],
  ['list-ports', 'br0'],
  ['iface-to-br', 'q1'],
  ['get', 'interface', 'q1', 'ofport'],
  ['emer-reset'],
  ['get-controller', 'br0'],
  ['get-fail-mode', 'br0'],
  ['show'],
  ['del-br', 'br1'],
  ['--if-exists', 'del-br', 'br1'],
  ['del-br', 'br1'],
  ['del-br', 'br0'],
  ['show'],
  ['list', 'open_vswitch'],
];

export async function runSequence(db: string): Promise<string> {
  const out: string[] = [];
  for (const args of SEQUENCE) {
    const r = await vsctl(db, args);
    out.push(`$ ovs-vsctl ${args.join(' ')}\n${r.stdout}${r.stderr ? `[stderr] ${r.stderr}` : ''}${r.code !== 0 ? `[exit ${r.code}]\n` : ''}`);
  }
  return out.join('');
}

/** Sorts sibling blocks (a line and the more-indented lines under it) at every level. */
function sortBlocks(lines: readonly string[]): string[] {
  const indent = (l: string): number => l.length - l.trimStart().length;
  const blocks: string[][] = [];
  for (const l of lines) {
    const last = blocks[blocks.length - 1];
    if (last && indent(l) > indent(last[0] ?? '')) last.push(l);
    else blocks.push([l]);
  }
  return blocks
    .map(([head = '', ...rest]) => [head, ...sortBlocks(rest)].join('\n'))
    .sort()
    .flatMap((b) => b.split('\n'));
}

/** The normalisations listed in the file comment. */
export function normalise(transcript: string): string {
  const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
  // Rows' own UUIDs (`_uuid` lines, the Open_vSwitch row heading `show`) are labelled first, in the order the
  // records are printed; references inside sets come out sorted by their random values, so their order is not.
  const labels = new Map<string, string>();
  const label = (u: string): string => {
    if (!labels.has(u)) labels.set(u, `<uuid${labels.size + 1}>`);
    return labels.get(u) ?? u;
  };
  for (const m of transcript.matchAll(/^(?:_uuid\s*: |)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/gm)) label(m[1] ?? '');
  let text = transcript.replace(UUID, label);
  // Sets of references, sorted by label.
  text = text.replace(/\[(<uuid\d+>(?:, <uuid\d+>)+)\]/g, (_m, list: string) =>
    `[${list.split(', ').sort((a, b) => parseInt(a.slice(5)) - parseInt(b.slice(5))).join(', ')}]`,
  );
  text = text
    .replace(/^(mac_in_use\s*: )"[0-9a-f:]{17}"$/gm, '$1<mac>')
    .replace(/^(datapath_id\s*: )"(?!0000000000000001")[0-9a-f]{16}"$/gm, '$1<dpid>')
    .replace(/^"(?!0000000000000001")[0-9a-f]{16}"$/gm, '<dpid>')
    .replace(/^(statistics\s*: )\{.+\}$/gm, '$1<statistics>')
    .replace(/^((?:datapath_types|iface_types)\s*: )\[.*\]$/gm, '$1<types>');
  // Sort the rows of `show` and `find` outputs: split into commands, sort blocks of those.
  return text
    .split(/(?=^\$ ovs-vsctl )/m)
    .map((chunk) => {
      const [cmd = '', ...body] = chunk.split('\n');
      if (/ show$/.test(cmd)) return [cmd, ...sortBlocks(body.filter((l) => l !== '')), ''].join('\n');
      if (/ find /.test(cmd)) return [cmd, ...chunk.slice(cmd.length + 1).split('\n\n').map((r) => r.trim()).filter((r) => r !== '').sort().join('\n\n').split('\n'), ''].join('\n');
      return chunk;
    })
    .join('');
}
