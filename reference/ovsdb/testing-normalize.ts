/**
 * Test helper: makes ovsdb-server replies comparable across runs. UUIDs are
 * replaced by <n> in order of first appearance (the map carries over
 * between the transactions of one sequence), and the two row sentences of
 * an index-uniqueness error, whose order OVS decides by comparing random
 * UUIDs, are put in a fixed order.
 */
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ZERO = '00000000-0000-0000-0000-000000000000';
const DUP_RE = /First row(, with UUID <\d+>, .*?)  Second row(, with UUID <\d+>, .*?)(?=")/g;

export function normalizeReply(text: string, map: Map<string, number>, rev: string[]): string {
  const s = text.replace(UUID_RE, (u) => {
    if (u === ZERO) return u;
    let i = map.get(u);
    if (i === undefined) {
      i = rev.length;
      map.set(u, i);
      rev.push(u);
    }
    return `<${i}>`;
  });
  return s.replace(DUP_RE, (_m, a: string, b: string) => {
    const [x, y] = [a, b].sort();
    return `First row${x ?? ''}  Second row${y ?? ''}`;
  });
}

/** Replaces @n in a transaction's text by the UUID normalised as <n>. */
export function substituteUuids(text: string, rev: readonly string[]): string {
  return text.replace(/@(\d+)/g, (_m, d: string) => rev[Number(d)] ?? `missing-${d}`);
}
