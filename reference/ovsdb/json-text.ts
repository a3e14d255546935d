/**
 * JSON text exactly as Open vSwitch's json_to_string writes it: compact,
 * object members in OVS's hash-map order (ovs-hash-order.ts; build objects
 * with members inserted in the order OVS inserts them) or (sort) by the
 * byte order of the key,
 * integers as %lld, reals as %.15g (so 0.1+0.2 prints "0.3" and 1e20
 * prints "1e+20"), strings escaping only '"', '\\' and control characters.
 *
 * JS numbers do not tell integers from reals; a safe integer prints as an
 * integer (as OVS prints a real with an integral value below 1e15 the same
 * way), anything else as %.15g; -0 (only real arithmetic makes it) as "-0".
 * Left out: pretty printing.
 */

import { ovsHashOrder } from './ovs-hash-order.ts';

/** printf("%.15g", n) for a finite number. */
export function formatReal(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : n < 0 ? '-inf' : 'nan';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // %g picks the style from the exponent after rounding to 15 digits.
  const [m = '', e = '0'] = n.toExponential(14).split('e');
  let mant = m;
  const x = Number(e);
  if (x < -4 || x >= 15) {
    mant = stripZeros(mant);
    const sign = x < 0 ? '-' : '+';
    const ax = Math.abs(x);
    return `${mant}e${sign}${ax < 10 ? '0' : ''}${ax}`;
  }
  return stripZeros(n.toFixed(14 - x));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

function numberText(n: number): string {
  if (Number.isSafeInteger(n)) return n === 0 && Object.is(n, -0) ? '-0' : String(n);
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) return BigInt(n).toString();
  return formatReal(n);
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Serializes `v` (JSON.parse-shaped data) as OVS would; `sort` orders object keys (JSSF_SORT). */
export function ovsdbJsonToString(v: unknown, sort = false): string {
  return write(v, sort);
}

/** Strings without '"', '\\' or control characters are written as they are. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function stringText(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function write(v: unknown, sort: boolean): string {
  switch (typeof v) {
    case 'string':
      return stringText(v);
    case 'number':
      return numberText(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + write(v[i], sort);
        return `${s}]`;
      }
      const o = v as Record<string, unknown>;
      const keys = sort ? Object.keys(o).sort(compareKeys) : ovsHashOrder(Object.keys(o));
      let s = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        s += `${i ? ',' : ''}${stringText(k)}:${write(o[k], sort)}`;
      }
      return `${s}}`;
    }
    default:
      return 'null';
  }
}
