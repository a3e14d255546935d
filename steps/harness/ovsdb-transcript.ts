/**
 * OVSDB transcripts for golden comparison: the JSON-RPC messages a scenario's
 * clients sent and received, one line each, with every UUID replaced by a
 * label (`<0>`, `<1>`, … in order of first appearance) so that a transcript
 * recorded from Open vSwitch's `ovsdb-server` compares equal to the
 * reference server's.
 *
 * Line format: `<client>> <request>` for what a client sent and
 * `<client>< <message>` for what it received, each message as compact JSON
 * with object keys sorted.
 *
 * Invariants (what makes two runs of one scenario give the same text):
 *  - JSON objects are unordered: keys are sorted; entries are visited in a
 *    canonical order for labelling (see below).
 *  - Collections whose order a server is free to choose are sorted after
 *    labelling: the elements of `["set", […]]` and `["map", […]]` datums
 *    (ovsdb-server sorts them by raw UUID, which is random) and a select
 *    result's `rows`.
 *  - Labels are given in a canonical order: ordered arrays left to right;
 *    in an unordered collection, elements sorted by their text with already
 *    labelled UUIDs shown as labels and new ones as `?`. Rows that differ
 *    only by unseen UUIDs tie, so such a collection's labels follow the
 *    server's order; scenarios avoid that by letting UUIDs first appear in
 *    insert results.
 *  - UUIDs inside strings (error details) are labelled too; the two rows of
 *    an index conflict ("First row, with UUID … Second row, …", named in
 *    hash order by ovsdb-server) are put in label order; the measured time
 *    in `"wait" timed out after N ms` becomes `<ms>`.
 *  - A run of consecutive monitor updates to one client is ordered by
 *    monitor id (orderMonitorUpdates).
 *  - In requests, a string that is exactly a known label becomes its UUID
 *    again (`["uuid","<0>"]` names the row a previous reply labelled `<0>`).
 * Left out: comparing (the step does a line diff) and the socket (ovsdb-test-client.ts).
 */

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const LABEL_RE = /^<(\d+)>$/;
/** `"wait" timed out after 5 ms`: the wait's measured duration, not the timeout asked for. */
const WAIT_TIMED_OUT_RE = /("wait" timed out after )\d+ ms/g;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The UUID ↔ label map of one scenario. */
export class UuidLabels {
  private readonly labels = new Map<string, string>();
  private readonly uuids = new Map<string, string>();

  /** The label of `uuid`, giving it the next one when it is new. */
  label(uuid: string): string {
    let l = this.labels.get(uuid);
    if (l === undefined) {
      l = `<${this.labels.size}>`;
      this.labels.set(uuid, l);
      this.uuids.set(l, uuid);
    }
    return l;
  }

  /** `value` with every string equal to a known label replaced by its UUID; unknown labels stay (and fail at the server). */
  resolve(value: Json): Json {
    if (typeof value === 'string') return LABEL_RE.test(value) ? (this.uuids.get(value) ?? value) : value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.resolve(v);
      return out;
    }
    return value;
  }

  /** `value` with UUIDs labelled and unordered collections sorted (see the header). */
  normalize(value: Json): Json {
    return this.walk(value, false);
  }

  /** Canonical text of `value` without labelling anything: known UUIDs as labels, unknown as `?`. */
  private masked(value: Json): string {
    return JSON.stringify(this.walk(value, true));
  }

  private walk(value: Json, dryRun: boolean): Json {
    if (typeof value === 'string') {
      const text = value.replace(UUID_RE, (u) => (dryRun ? (this.labels.get(u) ?? '?') : this.label(u))).replace(WAIT_TIMED_OUT_RE, '$1<ms> ms');
      return orderIndexConflictRows(text);
    }
    if (Array.isArray(value)) {
      if (isDatumCollection(value)) return [value[0], this.unordered(value[1], dryRun)];
      return value.map((v) => this.walk(v, dryRun));
    }
    if (value === null || typeof value !== 'object') return value;
    let entries = Object.entries(value);
    if (!dryRun) {
      const keyed = entries.map(([k, v]) => ({ k, v, key: `${this.masked(k)}:${this.masked(v)}` }));
      entries = keyed.sort((a, b) => cmp(a.key, b.key)).map((x): [string, Json] => [x.k, x.v]);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of entries) out[String(this.walk(k, dryRun))] = this.walk(v, dryRun);
    if (Array.isArray(out['rows'])) out['rows'] = sortByText(out['rows']);
    return sortKeys(out);
  }

  /** Elements labelled in canonical order, then sorted by their labelled text. */
  private unordered(items: readonly Json[], dryRun: boolean): Json[] {
    const order = dryRun ? [...items] : items.map((v) => ({ v, key: this.masked(v) })).sort((a, b) => cmp(a.key, b.key)).map((x) => x.v);
    return sortByText(order.map((v) => this.walk(v, dryRun)));
  }
}

const CONFLICT_RE = /(First row, with UUID (<\d+>|\?), [^.]*\.)(\s+)Second row, with UUID (<\d+>|\?), ([^.]*\.)/;

/**
 * ovsdb-server names the two rows of an index conflict in hash-table order
 * (random UUIDs): the sentences "First row, with UUID …" and "Second row,
 * with UUID …" are put in label order.
 */
function orderIndexConflictRows(text: string): string {
  const m = CONFLICT_RE.exec(text);
  if (m === null) return text;
  const [whole, firstSentence = '', firstLabel = '', gap = '', secondLabel = '', secondRest = ''] = m;
  const n = (l: string): number => (l === '?' ? Infinity : Number(l.slice(1, -1)));
  if (n(firstLabel) <= n(secondLabel)) return text;
  const firstRest = firstSentence.slice(`First row, with UUID ${firstLabel}, `.length);
  const swapped = `First row, with UUID ${secondLabel}, ${secondRest}${gap}Second row, with UUID ${firstLabel}, ${firstRest}`;
  return text.replace(whole, swapped);
}

function isDatumCollection(v: Json[]): v is [string, Json[]] {
  return v.length === 2 && (v[0] === 'set' || v[0] === 'map') && Array.isArray(v[1]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortByText(items: readonly Json[]): Json[] {
  return items.map((v) => ({ v, t: JSON.stringify(v) })).sort((a, b) => cmp(a.t, b.t)).map((x) => x.v);
}

function sortKeys(o: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of Object.keys(o).sort(cmp)) out[k] = o[k] ?? null;
  return out;
}

const UPDATE_METHODS = new Set(['update', 'update2', 'update3']);

/** The monitor id of an update notification, as text; undefined for any other message. */
function updateMonitorId(m: Json): string | undefined {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return undefined;
  const method = m['method'];
  const params = m['params'];
  if (typeof method !== 'string' || !UPDATE_METHODS.has(method) || !Array.isArray(params)) return undefined;
  return JSON.stringify(params[0] ?? null);
}

/**
 * Messages as received by one client, with each run of consecutive monitor
 * updates stably sorted by monitor id: the order in which a server reports
 * one commit to several monitors of a session is its own (ovsdb-server's
 * follows a hash of the monitor ids), while each monitor's own updates keep
 * their order.
 */
export function orderMonitorUpdates(messages: readonly Json[]): Json[] {
  const out: Json[] = [];
  let run: { m: Json; id: string }[] = [];
  const flush = (): void => {
    out.push(...run.sort((a, b) => cmp(a.id, b.id)).map((x) => x.m));
    run = [];
  };
  for (const m of messages) {
    const id = updateMonitorId(m);
    if (id === undefined) {
      flush();
      out.push(m);
    } else run.push({ m, id });
  }
  flush();
  return out;
}

/** One transcript line: `a> {…}` (sent) or `a< {…}` (received); `message` already normalised. */
export function transcriptLine(client: string, direction: 'sent' | 'received', message: Json): string {
  return `${client}${direction === 'sent' ? '>' : '<'} ${JSON.stringify(message)}`;
}

/**
 * A doc string of JSON-RPC messages: JSON values one after another (pretty
 * printed or one per line), `#` comment lines ignored. Throws an Error
 * naming the bad value.
 */
export function parseMessages(text: string): Json[] {
  const src = text.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
  const out: Json[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && /\s/.test(src[i] ?? '')) i++;
    if (i >= src.length) break;
    const end = endOfValue(src, i);
    const piece = src.slice(i, end);
    try {
      out.push(JSON.parse(piece) as Json);
    } catch (e) {
      throw new Error(`message ${out.length + 1} is not JSON (${e instanceof Error ? e.message : String(e)}): ${piece.slice(0, 200)}`);
    }
    i = end;
  }
  return out;
}

/** Index just past the object or array starting at `start` (or the end of the text when unbalanced). */
function endOfValue(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0) {
      const m = /^[^\s{[]+/.exec(s.slice(i));
      return i + (m?.[0].length ?? 1);
    }
  }
  return s.length;
}

/** A short line diff for a failed comparison: every position where the lines differ, with both sides. */
export function diffTranscripts(expected: readonly string[], actual: readonly string[], maxShown = 8): string {
  const out: string[] = [];
  const n = Math.max(expected.length, actual.length);
  let shown = 0;
  for (let i = 0; i < n && shown < maxShown; i++) {
    if (expected[i] === actual[i]) continue;
    shown++;
    out.push(`line ${i + 1}:`, `  - ${expected[i] ?? '(none)'}`, `  + ${actual[i] ?? '(none)'}`);
  }
  if (expected.length !== actual.length) out.push(`(${expected.length} line(s) expected, ${actual.length} received)`);
  return out.join('\n');
}
