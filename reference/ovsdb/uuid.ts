/**
 * UUIDs as OVSDB uses them: 36-character lowercase text
 * (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx). Parsing accepts any hex case,
 * like OVS's uuid_from_string, and the engine stores the lowercase form.
 *
 * New UUIDs are random version 4 ones from the system CSPRNG (bytes drawn
 * 256 UUIDs at a time), written as one flat string. Not Node's
 * crypto.randomUUID: it builds its text by concatenation, a tree of string
 * pieces V8 keeps as such — every row holds two (uuid and version), which
 * made a two-column row ~1360 bytes of heap instead of ~510, and the
 * garbage collector walked all those pieces.
 */
import { randomFillSync } from 'node:crypto';

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const POOL = 256;
const pool = Buffer.alloc(16 * POOL);
let used = POOL;
const text = Buffer.alloc(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** A fresh random (v4) UUID, lowercase, as one flat string. */
export function randomUuid(): string {
  if (used === POOL) {
    randomFillSync(pool);
    used = 0;
  }
  const o = 16 * used++;
  let p = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[p++] = 0x2d;
    let b = pool[o + i] as number;
    if (i === 6) b = (b & 0x0f) | 0x40; // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80; // RFC 4122 variant
    text[p++] = HEX[b >> 4] as number;
    text[p++] = HEX[b & 15] as number;
  }
  return text.toString('latin1', 0, 36);
}

/** True when `s` is UUID text (any hex case), as uuid_from_string accepts. */
export function isUuid(s: string): boolean {
  return s.length === 36 && UUID_RE.test(s);
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
