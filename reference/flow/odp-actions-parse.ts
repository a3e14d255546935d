/**
 * Parser for datapath action text (lib/odp-util.c odp_actions_from_string /
 * parse_odp_action__), plus the actions Open vSwitch 3.1 prints but cannot
 * read back (push_mpls, pop_mpls, hash, push_eth, pop_eth, `recirc(0x…)`).
 *
 * Rules: a bare integer (C `%i`) or a known port name is an output; the whole
 * string `drop` is the empty list; `set(attr(...))` becomes `set` when the
 * parsed mask is all ones and `set_masked` otherwise; `push_vlan` accepts the
 * four forms with/without `tpid=` and `cfi=`; `ct(...)` accepts commit,
 * force_commit, zone, mark, label, helper, timeout, nat(...) in any order.
 *
 * Invariant: never throws; errors are recorded in the scanner with the token
 * and column of the action that failed.
 *
 * Left out on purpose: push_nsh and tnl_push (reported as unsupported).
 */
import type { OdpAction, OdpCt, OdpNat, OdpUserspaceCookie } from './odp-actions.ts';
import { isAllBytes } from './odp-key.ts';
import { ODP_MAX_NESTED, parseOdpAttr, scanU128 } from './odp-key-parse.ts';
import type { OdpKeyParseContext } from './odp-key-parse.ts';
import type { OdpScanner } from './odp-text-scanner.ts';
import { parseUserspaceCookie } from './odp-actions-userspace.ts';

/** Text after the actions of a dump line that ends the action list. */
const ACTIONS_TRAILER = 'dp-extra-info:';

/**
 * Parses a top-level action list up to the end of the text (or a
 * `dp-extra-info:` trailer). Returns undefined on error.
 */
export function parseOdpActionList(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction[] | undefined {
  const dropOnly = /^\s*drop\s*(?:$|,\s*(?=dp-extra-info:))/i.exec(sc.text.slice(sc.pos));
  if (dropOnly) {
    sc.pos += dropOnly[0].length;
    return [];
  }
  const out: OdpAction[] = [];
  for (;;) {
    sc.skipDelimiters();
    if (sc.done || sc.startsWith(ACTIONS_TRAILER)) return out;
    const a = parseOdpAction(sc, ctx);
    if (!a) return undefined;
    if (!sc.done && !/[, \t\r\n]/.test(sc.peek())) return sc.fail('expected a delimiter after the action');
    out.push(a);
  }
}

/** A nested list ending at `)` (not consumed); `drop` alone is accepted where check_pkt_len allows it. */
function parseNestedList(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction[] | undefined {
  const out: OdpAction[] = [];
  for (;;) {
    sc.skipDelimiters();
    if (sc.done) return sc.fail("expected ')' to close the action list");
    if (sc.peek() === ')') return out;
    const a = parseOdpAction(sc, ctx);
    if (!a) return undefined;
    out.push(a);
  }
}

/** Parses one action at the scanner position. */
export function parseOdpAction(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction | undefined {
  const start = sc.pos;
  if (ctx.depth + 1 >= ODP_MAX_NESTED) return sc.fail('actions nested too deeply');
  ctx.depth++;
  const a = parseActionAt(sc, ctx);
  ctx.depth--;
  if (!a) {
    const err = sc.error;
    sc.error = undefined;
    sc.fail(err ? err.message : 'unknown action', start);
    sc.pos = start;
  }
  return a;
}

function intArg(sc: OdpScanner, prefix: string, max = 0xffffffff): number | undefined {
  if (!sc.eat(prefix)) return undefined;
  const v = sc.int(max);
  if (v === undefined || !sc.eat(')')) return sc.fail(`bad argument to ${prefix.slice(0, -1)}`);
  return v;
}

function parseActionAt(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction | undefined {
  const n = sc.int();
  if (n !== undefined) return { type: 'output', port: n };
  const word = /^[A-Za-z0-9_]*/.exec(sc.text.slice(sc.pos, sc.pos + 20))?.[0] ?? '';
  switch (word) {
    case 'lb_output': { const v = intArg(sc, 'lb_output('); return v === undefined ? undefined : { type: 'lb_output', bond: v }; }
    case 'trunc': { const v = intArg(sc, 'trunc('); return v === undefined ? undefined : { type: 'trunc', maxLen: v }; }
    case 'recirc': { const v = intArg(sc, 'recirc('); return v === undefined ? undefined : { type: 'recirc', id: v }; }
    case 'meter': { const v = intArg(sc, 'meter('); return v === undefined ? undefined : { type: 'meter', id: v }; }
    case 'tnl_pop': { const v = intArg(sc, 'tnl_pop('); return v === undefined ? undefined : { type: 'tnl_pop', port: v }; }
    case 'userspace': return parseUserspace(sc);
    case 'set': return parseSet(sc, ctx);
    case 'push_vlan': return parsePushVlan(sc);
    case 'pop_vlan': sc.pos += 8; return { type: 'pop_vlan' };
    case 'sample': return parseSample(sc, ctx);
    case 'clone': return parseClone(sc, ctx);
    case 'pop_nsh': return sc.eat('pop_nsh()') ? { type: 'pop_nsh' } : sc.fail('bad pop_nsh');
    case 'ct_clear': sc.pos += 8; return { type: 'ct_clear' };
    case 'check_pkt_len': return parseCheckPktLen(sc, ctx);
    case 'ct': return parseCt(sc);
    case 'push_mpls':
    case 'add_mpls': return parseMplsPush(sc, word);
    case 'pop_mpls': {
      const m = /^pop_mpls\(eth_type=0x([0-9a-fA-F]{1,4})\)/.exec(sc.text.slice(sc.pos, sc.pos + 24));
      if (!m || m[1] === undefined) return sc.fail('bad pop_mpls');
      sc.pos += m[0].length;
      return { type: 'pop_mpls', ethType: parseInt(m[1], 16) };
    }
    case 'hash': {
      const m = /^hash\((l4|sym_l4)\(([0-9]{1,10})\)\)/.exec(sc.text.slice(sc.pos, sc.pos + 30));
      if (!m || Number(m[2]) > 0xffffffff) return sc.fail('bad hash');
      sc.pos += m[0].length;
      return { type: 'hash', alg: m[1] === 'sym_l4' ? 'sym_l4' : 'l4', basis: Number(m[2]) };
    }
    case 'push_eth': return parsePushEth(sc);
    case 'pop_eth': sc.pos += 7; return { type: 'pop_eth' };
    case 'drop': sc.pos += 4; return { type: 'drop' };
    default: break;
  }
  const len = /^[^, \t\r\n()]*/.exec(sc.text.slice(sc.pos, sc.pos + 256))?.[0] ?? '';
  const port = ctx.portNumbers?.get(len);
  if (port !== undefined && len) {
    sc.pos += len.length;
    return { type: 'output', port };
  }
  return sc.fail(word === 'push_nsh' || word === 'tnl_push' ? `action ${word} is not supported` : 'unknown action');
}

function parseSet(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction | undefined {
  if (!sc.eat('set(')) return sc.fail('bad set');
  const attr = parseOdpAttr(sc, ctx);
  if (!attr) return undefined;
  if (!sc.eat(')')) return sc.fail("expected ')' after set(attribute");
  if (attr.name === 'encap' || attr.name === 'mpls') {
    if (attr.name === 'mpls') return sc.fail('set(mpls(...)) is not supported');
    return sc.fail('cannot set encap');
  }
  return isAllBytes(attr.mask, 0xff) ? { type: 'set', attr } : { type: 'set_masked', attr };
}

function parsePushVlan(sc: OdpScanner): OdpAction | undefined {
  const m = /^push_vlan\((?:tpid=([^,)]+),)?vid=([^,)]+),pcp=([^,)]+)(?:,cfi=([^,)]+))?\)/.exec(sc.text.slice(sc.pos, sc.pos + 80));
  if (!m) return sc.fail('bad push_vlan');
  const num = (s: string | undefined, dflt: number): number | undefined => {
    if (s === undefined) return dflt;
    const x = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s)?.[0];
    return x === undefined ? undefined : x.startsWith('0x') || x.startsWith('0X') ? parseInt(x, 16) : x.startsWith('0') ? parseInt(x, 8) : Number(x);
  };
  const tpid = num(m[1], 0x8100);
  const vid = num(m[2], 0);
  const pcp = num(m[3], 0);
  const cfi = num(m[4], 1);
  if (tpid === undefined || vid === undefined || pcp === undefined || cfi === undefined || vid > 0xfff || pcp > 7 || tpid > 0xffff) {
    return sc.fail('bad push_vlan');
  }
  sc.pos += m[0].length;
  return { type: 'push_vlan', tpid, tci: (vid | (pcp << 13) | (cfi ? 0x1000 : 0)) >>> 0 };
}

function parseSample(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction | undefined {
  const m = /^sample\(sample=([0-9]+(?:\.[0-9]*)?|\.[0-9]+)%,actions\(/.exec(sc.text.slice(sc.pos, sc.pos + 60));
  const pct = m ? Number(m[1]) : NaN;
  if (!m || !(pct >= 0 && pct <= 100)) return sc.fail('bad sample');
  sc.pos += m[0].length;
  const actions = parseNestedList(sc, ctx);
  if (!actions) return undefined;
  if (!sc.eat('))')) return sc.fail("expected '))' to close sample");
  const p = Math.floor(0xffffffff * (pct / 100) + 0.5);
  return { type: 'sample', probability: Math.min(Math.max(p, 0), 0xffffffff), actions };
}

function parseClone(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction | undefined {
  if (!sc.eat('clone(')) return sc.fail('bad clone');
  const actions = parseNestedList(sc, ctx);
  if (!actions) return undefined;
  sc.pos++;
  return { type: 'clone', actions };
}

function parseCheckPktLen(sc: OdpScanner, ctx: OdpKeyParseContext): OdpAction | undefined {
  if (!sc.eat('check_pkt_len(size=')) return sc.fail('bad check_pkt_len');
  const size = sc.int(0xffff);
  if (size === undefined || !sc.eat(',gt(')) return sc.fail('bad check_pkt_len');
  const branch = (): OdpAction[] | undefined => (/^drop/i.test(sc.text.slice(sc.pos, sc.pos + 4)) ? ((sc.pos += 4), []) : parseNestedList(sc, ctx));
  const gt = branch();
  if (!gt) return undefined;
  if (!sc.eat('),le(')) return sc.fail("expected '),le(' in check_pkt_len");
  const le = branch();
  if (!le) return undefined;
  if (!sc.eat('))')) return sc.fail("expected '))' to close check_pkt_len");
  return { type: 'check_pkt_len', size, gt, le };
}

function parseMplsPush(sc: OdpScanner, word: 'push_mpls' | 'add_mpls'): OdpAction | undefined {
  const re = new RegExp(`^${word}\\(label=([0-9]+),tc=([0-9]+),ttl=([0-9]+),bos=([0-9]+),eth_type=0x([0-9a-fA-F]{1,4})\\)`);
  const m = re.exec(sc.text.slice(sc.pos, sc.pos + 90));
  if (!m) return sc.fail(`bad ${word}`);
  const [label, tc, ttl, bos] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (label > 0xfffff || tc > 7 || ttl > 255 || bos > 1) return sc.fail(`bad ${word}`);
  sc.pos += m[0].length;
  const lse = (label * 4096 + (tc << 9) + (bos << 8) + ttl) >>> 0;
  return { type: word, lse, ethType: parseInt(m[5] ?? '0', 16) };
}

function parsePushEth(sc: OdpScanner): OdpAction | undefined {
  if (!sc.eat('push_eth(src=')) return sc.fail('bad push_eth');
  const src = new Uint8Array(6);
  const dst = new Uint8Array(6);
  if (!sc.mac(src, 0) || !sc.eat(',dst=') || !sc.mac(dst, 0)) return sc.fail('bad push_eth');
  if (sc.startsWith(',type=')) {
    sc.pos += 6;
    if (sc.int() === undefined) return sc.fail('bad push_eth');
  }
  if (!sc.eat(')')) return sc.fail('bad push_eth');
  return { type: 'push_eth', src, dst };
}

function parseUserspace(sc: OdpScanner): OdpAction | undefined {
  if (!sc.eat('userspace(pid=')) return sc.fail('bad userspace');
  const pid = sc.int();
  if (pid === undefined) return sc.fail('bad userspace pid');
  let cookie: OdpUserspaceCookie | undefined;
  if (sc.peek() === ',' && !sc.startsWith(',actions') && !sc.startsWith(',tunnel_out_port=')) {
    sc.pos++;
    cookie = parseUserspaceCookie(sc);
    if (!cookie) return undefined;
  }
  const actions = sc.eat(',actions');
  let tunnelOutPort: number | undefined;
  if (sc.eat(',tunnel_out_port=')) {
    tunnelOutPort = sc.int();
    if (tunnelOutPort === undefined) return sc.fail('bad tunnel_out_port');
  }
  if (!sc.eat(')')) return sc.fail("expected ')' to close userspace");
  return {
    type: 'userspace', pid,
    ...(cookie ? { cookie } : {}),
    ...(actions ? { actions: true } : {}),
    ...(tunnelOutPort !== undefined ? { tunnelOutPort } : {}),
  };
}

function parseCt(sc: OdpScanner): OdpAction | undefined {
  sc.pos += 2;
  const ct: { -readonly [K in keyof OdpCt]: OdpCt[K] } = {};
  if (!sc.eat('(')) return { type: 'ct', ct };
  for (;;) {
    sc.skipDelimiters();
    if (sc.done) return sc.fail("expected ')' to close ct(");
    if (sc.eat(')')) break;
    if (sc.eat('commit')) ct.commit = true;
    else if (sc.eat('force_commit')) ct.forceCommit = true;
    else if (sc.eat('zone=')) {
      const z = sc.dec(0xffff);
      if (z === undefined) return sc.fail('bad ct zone');
      if (z) ct.zone = z;
      else delete ct.zone;
    } else if (sc.eat('mark=')) {
      const value = sc.hex();
      const mask = value === undefined ? undefined : sc.eat('/') ? sc.hex() : 0xffffffff;
      if (value === undefined || mask === undefined) return sc.fail('bad ct mark');
      if (mask) ct.mark = { value, mask };
    } else if (sc.eat('label=')) {
      const value = new Uint8Array(16);
      const mask = new Uint8Array(16).fill(0xff);
      if (!scanU128(sc, value) || (sc.eat('/') && !scanU128(sc, mask))) return sc.fail('bad ct label');
      if (!isAllBytes(mask, 0)) ct.label = { value, mask };
    } else if (sc.startsWith('helper=') || sc.startsWith('timeout=')) {
      const isHelper = sc.startsWith('helper=');
      sc.pos += isHelper ? 7 : 8;
      const name = /^[^, \t\r\n)]*/.exec(sc.text.slice(sc.pos, sc.pos + 40))?.[0] ?? '';
      if (!name || name.length > (isHelper ? 15 : 31)) return sc.fail(`bad ct ${isHelper ? 'helper' : 'timeout'}`);
      sc.pos += name.length;
      if (isHelper) ct.helper = name;
      else ct.timeout = name;
    } else if (sc.startsWith('nat')) {
      const nat = parseNat(sc);
      if (!nat) return undefined;
      ct.nat = nat;
    } else return sc.fail('unknown ct option');
  }
  if (ct.commit && ct.forceCommit) return sc.fail('ct: commit and force_commit together');
  return { type: 'ct', ct };
}

function parseNat(sc: OdpScanner): OdpNat | undefined {
  sc.pos += 3;
  if (!sc.eat('(')) return {};
  const nat: { -readonly [K in keyof OdpNat]: OdpNat[K] } = {};
  for (;;) {
    sc.skipDelimiters();
    if (sc.done) return sc.fail("expected ')' to close nat(");
    if (sc.eat(')')) break;
    if (sc.startsWith('src') || sc.startsWith('dst')) {
      nat.kind = sc.startsWith('src') ? 'src' : 'dst';
      sc.pos += 3;
      if (sc.eat('=') && !parseNatRange(sc, nat)) return sc.fail('bad nat range');
    } else if (sc.eat('persistent')) nat.persistent = true;
    else if (sc.eat('hash')) nat.hash = true;
    else if (sc.eat('random')) nat.random = true;
    else return sc.fail('unknown nat option');
  }
  if (nat.hash && nat.random) return sc.fail('nat: hash and random together');
  if (!nat.kind) return {};
  if (!nat.addrMin) return { kind: nat.kind };
  return nat;
}

function parseNatRange(sc: OdpScanner, nat: { -readonly [K in keyof OdpNat]: OdpNat[K] }): boolean {
  const addr = (): Uint8Array | undefined => {
    const v4 = new Uint8Array(4);
    if (sc.ipv4(v4, 0)) return v4;
    const v6 = new Uint8Array(16);
    const br = sc.eat('[');
    if (!sc.ipv6(v6, 0) || (br && !sc.eat(']'))) return undefined;
    return v6;
  };
  const min = addr();
  if (!min) return false;
  nat.addrMin = min;
  if (sc.eat('-')) {
    const max = addr();
    if (!max || max.length !== min.length) return false;
    if (compareBytes(max, min) > 0) nat.addrMax = max;
    else if (compareBytes(max, min) < 0) return false;
  }
  if (sc.eat(':')) {
    const lo = sc.dec(0xffff);
    if (lo === undefined) return false;
    if (lo) nat.portMin = lo;
    if (sc.eat('-')) {
      const hi = sc.dec(0xffff);
      if (hi === undefined || (hi && hi < lo)) return false;
      if (lo && hi > lo) nat.portMax = hi;
    }
  }
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
