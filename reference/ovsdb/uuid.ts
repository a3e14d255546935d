/**
 * UUIDs as OVSDB uses them: 36-character lowercase text
 * (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx). Parsing accepts any hex case,
 * like OVS's uuid_from_string, and the engine stores the lowercase form.
 * New UUIDs are random version 4 ones (Node's crypto.randomUUID).
 */
import { randomUUID } from 'node:crypto';

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A fresh random (v4) UUID, lowercase. */
export function randomUuid(): string {
  return randomUUID();
}

/** True when `s` is UUID text (any hex case), as uuid_from_string accepts. */
export function isUuid(s: string): boolean {
  return s.length === 36 && UUID_RE.test(s);
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
