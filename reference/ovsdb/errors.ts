/**
 * RFC 7047 §3.1 error objects as Open vSwitch's ovsdb-server writes them:
 * `{"error": tag, "details"?: text, "syntax"?: text}`. The `syntax` member
 * is the offending JSON, serialized compactly with sorted object keys
 * (ovsdbJsonToString with sort), as OVS does.
 *
 * Invariant: tags are OVS's exact strings ("syntax error", "constraint
 * violation", ...); a missing tag means OVS's generic "ovsdb error".
 * Left out: the "io-error" member (storage errors are not this module's).
 */
import type { OvsdbErrorJson } from './ovsdb-types.ts';
import { ovsdbJsonToString } from './json-text.ts';

export class OvsdbError extends Error {
  readonly tag: string;
  readonly details?: string;
  readonly syntax?: string;

  /** `tag` is the RFC 7047 error string; `syntax` the already-serialized offending JSON. */
  constructor(tag: string, details?: string, syntax?: string) {
    super(details === undefined ? tag : `${tag}: ${details}`);
    this.name = 'OvsdbError';
    this.tag = tag;
    if (details !== undefined) this.details = details;
    if (syntax !== undefined) this.syntax = syntax;
  }

  /** The error object for a reply (members in OVS's order: error, details, syntax). */
  toJson(): OvsdbErrorJson {
    const out: { error: string; details?: string; syntax?: string } = { error: this.tag };
    if (this.details !== undefined) out.details = this.details;
    if (this.syntax !== undefined) out.syntax = this.syntax;
    return out;
  }

  /** Prefixes the details with `context: ` (ovsdb_wrap_error). */
  wrap(context: string): OvsdbError {
    const details = this.details === undefined ? context : `${context}: ${this.details}`;
    return new OvsdbError(this.tag, details, this.syntax);
  }
}

/** A "syntax error" (or `tag`) whose `syntax` member is `json` serialized with sorted keys. */
export function syntaxError(json: unknown, details: string, tag = 'syntax error'): OvsdbError {
  return new OvsdbError(tag, details, json === undefined ? undefined : ovsdbJsonToString(json, true));
}

/** An error without a `syntax` member; tag defaults to OVS's generic "ovsdb error". */
export function ovsdbError(tag: string | null, details: string): OvsdbError {
  return new OvsdbError(tag ?? 'ovsdb error', details);
}
