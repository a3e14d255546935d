/**
 * UUID normalisation for comparing two OVSDB servers' replies: every
 * server picks its own random UUIDs, so each server's UUIDs are mapped to
 * tokens `<1>`, `<2>`… in order of first appearance, and the tokens the
 * generator writes are mapped back to that server's UUIDs before sending.
 *
 * Order must not depend on things a server may choose freely, so the
 * normalised form is canonical: object members sorted by name, and the
 * `rows` of a select result sorted by their text with the UUIDs not yet
 * seen masked (ovsdb-server returns rows in hash order). UUIDs inside
 * strings (error details) are mapped too. Row versions (`_version`) get
 * their own series `<v1>`… so that selecting them does not shift the row
 * tokens (masked as `<version>` in rows selected without `_uuid`). UUIDs the request itself spelled out (literal uuids, the
 * all-zero uuid) map to themselves.
 *
 * Left out: telling apart two rows whose text differs only by unseen
 * UUIDs (their order is then that of the server's reply).
 */
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TOKEN_RE = /^<v?\d+>$/;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export class UuidNormaliser {
  private readonly toToken = new Map<string, string>([[ZERO_UUID, ZERO_UUID]]);
  private readonly toUuid = new Map<string, string>();
  private rows = 0;
  private versions = 0;

  /** Maps each uuid spelled in `json` (a request, before denormalise) to itself. */
  keepLiterals(json: unknown): void {
    walkStrings(json, (s) => {
      for (const m of s.matchAll(UUID_RE)) if (!this.toToken.has(m[0])) this.toToken.set(m[0], m[0]);
    });
  }

  /** `json` with every token string `<n>` this server has a uuid for replaced by that uuid. */
  denormalise(json: unknown): unknown {
    if (typeof json === 'string') return TOKEN_RE.test(json) ? (this.toUuid.get(json) ?? json) : json;
    if (Array.isArray(json)) return json.map((x) => this.denormalise(x));
    if (isObject(json)) return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, this.denormalise(v)]));
    return json;
  }

  /** The canonical, UUID-normalised form of a reply; assigns tokens to UUIDs seen for the first time. */
  normalise(json: unknown, isVersion = false): unknown {
    if (typeof json === 'string') return canonicalDetails(json.replace(UUID_RE, (u) => this.token(u, isVersion)));
    if (Array.isArray(json)) return sortUuidCollection(json.map((x) => this.normalise(x, isVersion)));
    if (!isObject(json)) return json;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(json).sort()) {
      const value = json[key];
      if (key === 'rows' && Array.isArray(value)) out[key] = this.sortedRows(value).map((r) => this.normalise(maskAnonymousVersion(r)));
      else out[key] = this.normalise(value, key === '_version');
    }
    return out;
  }

  /** The uuid this server has for `token`, if any. */
  uuidOf(token: string): string | undefined {
    return this.toUuid.get(token);
  }

  private token(uuid: string, isVersion: boolean): string {
    const known = this.toToken.get(uuid);
    if (known !== undefined) return known;
    const token = isVersion ? `<v${++this.versions}>` : `<${++this.rows}>`;
    this.toToken.set(uuid, token);
    this.toUuid.set(token, uuid);
    return token;
  }

  private sortedRows(rows: readonly unknown[]): unknown[] {
    const keyed = rows.map((row) => ({ row, key: JSON.stringify(canonical(row, (u) => this.toToken.get(u) ?? '<?>')) }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map((k) => k.row);
  }
}

const isUuidJson = (x: unknown): boolean => Array.isArray(x) && x.length === 2 && x[0] === 'uuid';
const textOrder = (a: unknown, b: unknown): number => {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * A normalised `["set",[uuids…]]` or `["map",[[uuid,…]…]]` sorted by token:
 * servers sort uuid sets by their own uuids, an order normalisation cannot
 * keep. Sets and maps of other atoms keep the server's order (compared).
 */
function sortUuidCollection(json: unknown[]): unknown[] {
  const [tag, items] = json;
  if (json.length !== 2 || !Array.isArray(items) || items.length < 2) return json;
  if (tag === 'set' && items.every(isUuidJson)) return [tag, [...items].sort(textOrder)];
  if (tag === 'map' && items.every((p) => Array.isArray(p) && isUuidJson(p[0]))) {
    return [tag, [...items].sort((p, q) => textOrder((p as unknown[])[0], (q as unknown[])[0]))];
  }
  return json;
}

const INDEX_PAIR_RE = /First row, with UUID (\S+), (.*?)\.  Second row, with UUID (\S+), (.*?)\./;

const WAIT_MS_RE = /^"wait" timed out after \d+ ms$/;

/**
 * Error details that carry chance: an index-duplicate error names its two
 * rows in hash order (put in token order); a timed-out wait says how long
 * it really waited (masked as `<ms>`).
 */
function canonicalDetails(s: string): string {
  if (WAIT_MS_RE.test(s)) return '"wait" timed out after <ms> ms';
  const m = INDEX_PAIR_RE.exec(s);
  if (m === null) return s;
  const [, u1 = '', d1 = '', u2 = '', d2 = ''] = m;
  if (u1 <= u2) return s;
  return s.replace(INDEX_PAIR_RE, `First row, with UUID ${u2}, ${d2}.  Second row, with UUID ${u1}, ${d1}.`);
}

/**
 * A selected row without `_uuid` whose `_version` is selected: rows alike
 * in every selected column come in the server's order, so which version
 * token goes to which would be chance; the version is masked instead.
 */
function maskAnonymousVersion(row: unknown): unknown {
  if (!isObject(row) || '_uuid' in row || !('_version' in row)) return row;
  return { ...row, _version: ['uuid', '<version>'] };
}

/** `json` with sorted object members and UUIDs rewritten by `map` (no tokens assigned). */
function canonical(json: unknown, map: (uuid: string) => string): unknown {
  if (typeof json === 'string') return json.replace(UUID_RE, map);
  if (Array.isArray(json)) return sortUuidCollection(json.map((x) => canonical(x, map)));
  if (!isObject(json)) return json;
  return Object.fromEntries(Object.keys(json).sort().map((k) => [k, canonical(json[k], map)]));
}

function walkStrings(json: unknown, f: (s: string) => void): void {
  if (typeof json === 'string') f(json);
  else if (Array.isArray(json)) for (const x of json) walkStrings(x, f);
  else if (isObject(json)) for (const [k, v] of Object.entries(json)) { f(k); walkStrings(v, f); }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The first path where two normalised values differ (`[1].rows[0].name`,
 * `` for the root), or undefined when they are equal. Numbers compare by
 * value, so 3 and 3.0 are equal (JSON cannot tell them apart once parsed).
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      if (i >= a.length || i >= b.length) return `${path}[${i}]`;
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (!(k in a) || !(k in b)) return `${path}.${k}`;
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return Object.is(a, b) || a === b ? undefined : path === '' ? '(root)' : path;
}
