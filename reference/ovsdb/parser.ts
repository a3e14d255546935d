/**
 * Member-by-member parsing of JSON objects with Open vSwitch's error texts
 * (lib/ovsdb-parser.c): "Parsing <what> failed: Required 'x' member is
 * missing.", "Type mismatch for member 'x'.", "Member 'x' is present but
 * not allowed here." — all "syntax error" with the whole object (sorted) as
 * `syntax`. The first error wins; later calls are no-ops.
 */
import { OvsdbError, syntaxError } from './errors.ts';
import { isId } from './atom.ts';
import { ovsHashOrder } from './ovs-hash-order.ts';

/** JSON kinds a member may have; `id` is a string that is an <id>. */
export type MemberKind = 'null' | 'boolean' | 'object' | 'array' | 'integer' | 'real' | 'number' | 'string' | 'id' | 'any';

function matches(v: unknown, kind: MemberKind): boolean {
  switch (kind) {
    case 'any':
      return true;
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63;
    case 'real':
      return typeof v === 'number' && !(Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63);
    case 'number':
      return typeof v === 'number';
    case 'string':
      return typeof v === 'string';
    case 'id':
      return typeof v === 'string' && isId(v);
  }
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ObjectParser {
  readonly json: Record<string, unknown> | null;
  private readonly what: string;
  private readonly used = new Set<string>();
  error: OvsdbError | null = null;

  constructor(json: unknown, what: string) {
    this.what = what;
    this.json = isJsonObject(json) ? json : null;
    if (!this.json) this.raise('Object expected.');
  }

  /** The member's value, or undefined (recording an error unless `optional`). */
  member(name: string, kinds: readonly MemberKind[], optional = false): unknown {
    if (!this.json) return undefined;
    if (!Object.prototype.hasOwnProperty.call(this.json, name)) {
      if (!optional) this.raise(`Required '${name}' member is missing.`);
      return undefined;
    }
    const v = this.json[name];
    for (let i = 0; i < kinds.length; i++) {
      if (matches(v, kinds[i] as MemberKind)) {
        this.used.add(name);
        return v;
      }
    }
    this.raise(`Type mismatch for member '${name}'.`);
    return undefined;
  }

  raise(message: string): void {
    if (!this.error) this.error = syntaxError(this.json ?? undefined, `Parsing ${this.what} failed: ${message}`);
  }

  /** Records `e` unless an error is already recorded. */
  put(e: OvsdbError): void {
    if (!this.error) this.error = e;
  }

  /** Checks for members nobody asked for; returns the first error, if any. */
  finish(): OvsdbError | null {
    if (!this.error && this.json) {
      const keys = Object.keys(this.json);
      // Usually every member was asked for: OVS's hash order (which names the first unused one) is needed only otherwise.
      if (keys.length === this.used.size) return null;
      const unused = ovsHashOrder(keys).filter((k) => !this.used.has(k));
      const first = unused[0];
      if (first !== undefined) {
        const n = unused.length;
        this.raise(
          n > 1
            ? `Member '${first}' and ${n - 1} other member${n > 2 ? 's' : ''} are present but not allowed here.`
            : `Member '${first}' is present but not allowed here.`,
        );
      }
    }
    return this.error;
  }

  /** finish() and throw the error, if any. */
  finishOrThrow(): void {
    const e = this.finish();
    if (e) throw e;
  }
}
