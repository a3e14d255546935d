/**
 * Parser for ODP key text: the attribute syntax of lib/odp-util.c
 * parse_odp_key_mask_attr__(), for both the kernel dump style (`eth()`,
 * masked values) and the userspace-datapath style (`packet_type(...)`,
 * unmasked values with masks, userspace attribute order).
 *
 * Rules: sub-fields may come in any order and any subset; a missing sub-field
 * is wildcarded (value 0, mask 0); a value without `/mask` is exact;
 * `recirc_id` is always exact; `vlan(` starts with the CFI bit set in value
 * and mask; integers use C `%i`; frag is `no|first|later`; ct_state and
 * tcp_flags accept `a|b`, `+a-b` and numeric `v/m` forms. An `eth_type` whose
 * value is 0 and mask non-zero is read as the 802.3 "mask only" convention.
 *
 * Invariant: never throws; on failure returns undefined with the scanner's
 * error naming the offending token and its column.
 *
 * Left out on purpose: `tunnel(...)` and `nsh(...)` are reported as
 * unsupported attributes.
 */
import { CT_STATE_FLAGS, CT_STATE_SUPPORTED, ODP_STRUCT_FIELDS, TCP_FLAG_NAMES, TCP_FLAGS_MASK, newOdpAttr, writeUint } from './odp-key.ts';
import type { OdpAttr, OdpFieldDesc, OdpFixedAttr, OdpFixedAttrName, OdpMplsAttr } from './odp-key.ts';
import type { OdpScanner } from './odp-text-scanner.ts';
import { parseFlags } from './odp-flags-parse.ts';

/** Maximum nesting of encap/actions, as MAX_ODP_NESTED. */
export const ODP_MAX_NESTED = 32;

export interface OdpKeyParseContext {
  /** Port name → datapath port number, for `in_port(name)`. */
  readonly portNumbers?: ReadonlyMap<string, number>;
  depth: number;
}

const U32_ATTRS = { skb_priority: 4, skb_mark: 4, dp_hash: 4, ct_zone: 2, ct_mark: 4, eth_type: 2 } as const;

/**
 * Parses one attribute at the scanner position (`name(...)`), consuming its
 * closing parenthesis. Returns undefined on error (recorded in the scanner).
 */
export function parseOdpAttr(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAttr | undefined {
  const start = sc.pos;
  const m = /^([a-z0-9_]+)\(/.exec(sc.text.slice(start, start + 24));
  if (!m || m[1] === undefined) return sc.fail('expected a key attribute such as in_port(…)');
  const name = m[1];
  if (ctx.depth + 1 >= ODP_MAX_NESTED) return sc.fail('attributes nested too deeply');
  sc.pos += m[0].length;
  ctx.depth++;
  const attr = parseAttrBody(sc, ctx, name, start);
  ctx.depth--;
  if (!attr) sc.pos = start;
  return attr;
}

function parseAttrBody(sc: OdpScanner, ctx: OdpKeyParseContext, name: string, start: number): OdpAttr | undefined {
  if (name in U32_ATTRS) return parseSingle(sc, name as keyof typeof U32_ATTRS, true);
  if (name in ODP_STRUCT_FIELDS) return parseStruct(sc, name as keyof typeof ODP_STRUCT_FIELDS);
  switch (name) {
    case 'recirc_id':
      return parseSingle(sc, 'recirc_id', false);
    case 'in_port':
      return parseInPort(sc, ctx);
    case 'ct_state':
      return parseFlagsAttr(sc, 'ct_state', CT_STATE_FLAGS, CT_STATE_SUPPORTED);
    case 'tcp_flags':
      return parseFlagsAttr(sc, 'tcp_flags', TCP_FLAG_NAMES, TCP_FLAGS_MASK);
    case 'ct_label':
      return parseCtLabel(sc);
    case 'vlan':
      return parseVlan(sc);
    case 'mpls':
      return parseMpls(sc);
    case 'nd_ext':
      return parseFields(sc, newOdpAttr('nd_ext'), ND_EXT_FIELDS);
    case 'encap':
      return parseEncap(sc, ctx);
    case 'tunnel':
    case 'nsh':
      return sc.fail(`attribute ${name}(…) is not supported`, start);
    default:
      return sc.fail(`unknown key attribute ${name}`, start);
  }
}

const ND_EXT_FIELDS: readonly OdpFieldDesc[] = [
  { name: 'nd_reserved', parseName: 'nd_reserved', offset: 0, bytes: 4, style: 'hex' },
  { name: 'nd_options_type', parseName: 'nd_options_type', offset: 4, bytes: 1, style: 'dec' },
];

function closeParen(sc: OdpScanner): boolean {
  if (sc.eat(')')) return true;
  sc.fail("expected ')'");
  return false;
}

/** `%i[/%i]` scalar (or `%i` only when `maskable` is false). */
function parseSingle(sc: OdpScanner, name: OdpFixedAttrName, maskable: boolean): OdpFixedAttr | undefined {
  const a = newOdpAttr(name);
  const n = a.key.length;
  const max = n === 4 ? 0xffffffff : (1 << (8 * n)) - 1;
  const v = sc.int(max);
  if (v === undefined) return sc.fail(`bad value for ${name}`);
  writeUint(a.key, 0, n, v);
  writeUint(a.mask, 0, n, max);
  if (maskable && sc.eat('/')) {
    const mk = sc.int(max);
    if (mk === undefined) return sc.fail(`bad mask for ${name}`);
    writeUint(a.mask, 0, n, mk);
  }
  if (!closeParen(sc)) return undefined;
  if (name === 'eth_type' && v === 0 && mask32(a) !== 0) return { ...a, keyAbsent: true };
  return a;
}

function mask32(a: OdpFixedAttr): number {
  let m = 0;
  for (const b of a.mask) m = m * 256 + b;
  return m;
}

function parseInPort(sc: OdpScanner, ctx: OdpKeyParseContext): OdpFixedAttr | undefined {
  const a = newOdpAttr('in_port');
  const v = sc.int();
  if (v !== undefined) {
    writeUint(a.key, 0, 4, v);
    let mk = 0xffffffff;
    if (sc.eat('/')) {
      const x = sc.int();
      if (x === undefined) return sc.fail('bad mask for in_port');
      mk = x;
    }
    writeUint(a.mask, 0, 4, mk);
    return closeParen(sc) ? a : undefined;
  }
  const end = sc.text.indexOf(')', sc.pos);
  const name = end < 0 ? '' : sc.text.slice(sc.pos, end);
  const port = ctx.portNumbers?.get(name);
  if (port === undefined) return sc.fail(ctx.portNumbers ? `unknown port name` : 'bad in_port (port names need a name map)');
  sc.pos = end + 1;
  writeUint(a.key, 0, 4, port);
  writeUint(a.mask, 0, 4, 0xffffffff);
  return a;
}

function parseFlagsAttr(
  sc: OdpScanner, name: 'ct_state' | 'tcp_flags', names: readonly (readonly [number, string])[], allowed: number,
): OdpFixedAttr | undefined {
  const a = newOdpAttr(name);
  const r = parseFlags(sc, names, allowed, ')');
  if (!r) return undefined;
  if (r.consumed === 0) return sc.fail(`empty ${name}`);
  const n = a.key.length;
  writeUint(a.key, 0, n, r.flags);
  writeUint(a.mask, 0, n, n === 2 ? r.mask & 0xffff : r.mask);
  return closeParen(sc) ? a : undefined;
}

function parseCtLabel(sc: OdpScanner): OdpFixedAttr | undefined {
  const a = newOdpAttr('ct_label');
  if (!scanU128(sc, a.key)) return sc.fail('bad ct_label value');
  if (sc.eat('/')) {
    if (!scanU128(sc, a.mask)) return sc.fail('bad ct_label mask');
  } else {
    a.mask.fill(0xff);
  }
  return closeParen(sc) ? a : undefined;
}

/** parse_int_string(): hex with 0x (up to 128 bits) or decimal (up to 64 bits), big-endian into 16 bytes. */
export function scanU128(sc: OdpScanner, out: Uint8Array): boolean {
  const m = /^(?:0[xX]([0-9a-fA-F]{1,32})|([0-9]{1,20}))(?![0-9a-fA-FxX])/.exec(sc.text.slice(sc.pos, sc.pos + 35));
  if (!m) return false;
  let v = m[1] !== undefined ? BigInt('0x' + m[1]) : BigInt(m[2] ?? '0');
  if (m[2] !== undefined && v > 0xffffffffffffffffn) return false;
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  sc.pos += m[0].length;
  return true;
}

/** Named sub-fields in any order, `)` to end (SCAN_BEGIN … SCAN_END). */
function parseStruct(sc: OdpScanner, name: keyof typeof ODP_STRUCT_FIELDS): OdpFixedAttr | undefined {
  return parseFields(sc, newOdpAttr(name), ODP_STRUCT_FIELDS[name]);
}

function parseFields(sc: OdpScanner, a: OdpFixedAttr, fields: readonly OdpFieldDesc[]): OdpFixedAttr | undefined {
  for (;;) {
    const fd = fields.find((x) => sc.startsWith(x.parseName + '=') || sc.startsWith(x.name + '='));
    if (!fd) break;
    sc.pos += (sc.startsWith(fd.parseName + '=') ? fd.parseName : fd.name).length + 1;
    if (!parseFieldValue(sc, fd, a.key, a.mask)) return undefined;
    if (!sc.eat(',')) break;
  }
  return closeParen(sc) ? a : undefined;
}

function parseFieldValue(sc: OdpScanner, fd: OdpFieldDesc, key: Uint8Array, mask: Uint8Array): boolean {
  const o = fd.offset;
  const n = fd.bytes;
  const valuePos = sc.pos;
  const bad = (what: string): false => {
    sc.fail(`bad ${what} for ${fd.parseName}`, valuePos);
    return false;
  };
  switch (fd.style) {
    case 'ipv4':
    case 'ipv6':
    case 'mac': {
      const scan = (b: Uint8Array): boolean => (fd.style === 'ipv4' ? sc.ipv4(b, o) : fd.style === 'ipv6' ? sc.ipv6(b, o) : sc.mac(b, o));
      if (!scan(key)) return bad('address');
      if (sc.eat('/')) return scan(mask) || bad('mask');
      mask.fill(0xff, o, o + n);
      return true;
    }
    case 'frag': {
      const m = /^[a-z]{1,7}/.exec(sc.text.slice(sc.pos, sc.pos + 8));
      const idx = m ? ['no', 'first', 'later'].indexOf(m[0]) : -1;
      if (!m || idx < 0) return bad('value');
      sc.pos += m[0].length;
      key[o] = idx;
      mask[o] = 0xff;
      return true;
    }
    default: {
      const max = fd.style === 'label' ? 0xfffff : n === 4 ? 0xffffffff : (1 << (8 * n)) - 1;
      const v = sc.int(max);
      if (v === undefined) return bad('value');
      writeUint(key, o, n, v);
      let mk = max;
      if (sc.eat('/')) {
        const x = sc.int(max);
        if (x === undefined) return bad('mask');
        mk = x;
      }
      writeUint(mask, o, n, mk);
      return true;
    }
  }
}

/** vlan(vid=…,pcp=…,cfi=…): bit fields of the TCI; value and mask start with CFI set. */
function parseVlan(sc: OdpScanner): OdpFixedAttr | undefined {
  const a = newOdpAttr('vlan');
  let tci = 0x1000;
  let mask = 0x1000;
  const bitFields = [['vid=', 12, 0], ['pcp=', 3, 13], ['cfi=', 1, 12]] as const;
  for (;;) {
    const bf = bitFields.find(([p]) => sc.startsWith(p));
    if (!bf) break;
    const [p, bits, shift] = bf;
    sc.pos += p.length;
    const limit = (1 << bits) - 1;
    const field = limit << shift;
    const v = sc.int(0xffff);
    if (v === undefined || v > limit) return sc.fail(`bad value for ${p.slice(0, -1)}`);
    tci = (tci & ~field) | (v << shift);
    if (sc.eat('/')) {
      const mk = sc.int(0xffff);
      if (mk === undefined || mk > limit) return sc.fail(`bad mask for ${p.slice(0, -1)}`);
      mask = (mask & ~field) | (mk << shift);
    } else {
      mask |= field;
    }
    if (!sc.eat(',')) break;
  }
  writeUint(a.key, 0, 2, tci);
  writeUint(a.mask, 0, 2, mask);
  return closeParen(sc) ? a : undefined;
}

/** mpls(label=…,tc=…,ttl=…,bos=…[,label=…]…): a repeated field starts the next label stack entry (at most 3). */
function parseMpls(sc: OdpScanner): OdpMplsAttr | undefined {
  const fields = [['label=', 20, 12], ['tc=', 3, 9], ['ttl=', 8, 0], ['bos=', 1, 8]] as const;
  const keys = [0, 0, 0];
  const masks = [0, 0, 0];
  let idx = 0;
  let seen = 0;
  for (;;) {
    const i = fields.findIndex(([p]) => sc.startsWith(p));
    const fdesc = fields[i];
    if (!fdesc) break;
    if (seen & (1 << i)) {
      seen = 0;
      if (++idx === 3) return sc.fail('too many MPLS labels');
    }
    const [p, bits, shift] = fdesc;
    sc.pos += p.length;
    const limit = 2 ** bits - 1;
    const v = sc.int();
    if (v === undefined || v > limit) return sc.fail(`bad value for ${p.slice(0, -1)}`);
    let mk = limit;
    if (sc.eat('/')) {
      const x = sc.int();
      if (x === undefined || x > limit) return sc.fail(`bad mask for ${p.slice(0, -1)}`);
      mk = x;
    }
    keys[idx] = ((keys[idx] ?? 0) + v * 2 ** shift) >>> 0;
    masks[idx] = ((masks[idx] ?? 0) + mk * 2 ** shift) >>> 0;
    seen |= 1 << i;
    if (!sc.eat(',')) break;
  }
  if (!closeParen(sc)) return undefined;
  const n = idx + 1;
  const a: OdpMplsAttr = { name: 'mpls', key: new Uint8Array(4 * n), mask: new Uint8Array(4 * n) };
  for (let i = 0; i < n; i++) {
    writeUint(a.key, 4 * i, 4, keys[i] ?? 0);
    writeUint(a.mask, 4 * i, 4, masks[i] ?? 0);
  }
  return a;
}

function parseEncap(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAttr | undefined {
  const attrs: OdpAttr[] = [];
  for (;;) {
    sc.skipDelimiters();
    if (sc.done) return sc.fail("unterminated encap(: expected ')'");
    if (sc.eat(')')) return { name: 'encap', attrs };
    const a = parseOdpAttr(sc, ctx);
    if (!a) return undefined;
    attrs.push(a);
  }
}
