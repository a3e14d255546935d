/**
 * The cookie part of `userspace(pid=N,<cookie>,…)` (lib/odp-util.c
 * parse_odp_userspace_action): sFlow, slow_path, flow_sample, ipfix,
 * controller, or raw `userdata(hex)`.
 *
 * Invariant: never throws; on failure returns undefined with the error
 * recorded in the scanner.
 *
 * Userdata shorter than 8 bytes is zero-padded to 8, as
 * odp_put_userspace_action() stores it.
 *
 * Deliberate difference: slow_path reasons are printed comma-separated by
 * OVS but read only with `|` by OVS 3.1; we read both.
 */
import type { OdpUserspaceCookie } from './odp-actions.ts';
import { SLOW_PATH_REASONS } from './odp-actions.ts';
import type { OdpScanner } from './odp-text-scanner.ts';

/** Parses a cookie at the scanner position (after the comma that follows pid). */
export function parseUserspaceCookie(sc: OdpScanner): OdpUserspaceCookie | undefined {
  const start = sc.pos;
  const nums = (names: readonly string[], close: boolean): number[] | undefined => {
    const out: number[] = [];
    for (let i = 0; i < names.length; i++) {
      if (!sc.eat((i ? ',' : '') + names[i] + '=')) return undefined;
      const v = sc.int();
      if (v === undefined) return undefined;
      out.push(v);
    }
    return close && !sc.eat(')') ? undefined : out;
  };
  const bad = (what: string): undefined => sc.fail(`bad ${what} cookie`, start);
  if (sc.eat('sFlow(')) {
    const v = nums(['vid', 'pcp', 'output'], true);
    if (!v) return bad('sFlow');
    const [vid = 0, pcp = 0, output = 0] = v;
    return { type: 'sFlow', vid: vid & 0xfff, pcp: pcp & 7, output };
  }
  if (sc.eat('slow_path(')) return parseSlowPath(sc) ?? bad('slow_path');
  if (sc.eat('flow_sample(')) {
    const v = nums(['probability', 'collector_set_id', 'obs_domain_id', 'obs_point_id', 'output_port'], false);
    if (!v) return bad('flow_sample');
    const direction = sc.eat(',ingress') ? 'ingress' : sc.eat(',egress') ? 'egress' : undefined;
    if (!sc.eat(')')) return bad('flow_sample');
    const [probability = 0, collectorSetId = 0, obsDomainId = 0, obsPointId = 0, outputPort = 0] = v;
    return { type: 'flow_sample', probability: probability & 0xffff, collectorSetId, obsDomainId, obsPointId, outputPort, ...(direction ? { direction } : {}) };
  }
  if (sc.eat('ipfix(')) {
    const v = nums(['output_port'], true);
    return v ? { type: 'ipfix', outputPort: v[0] ?? 0 } : bad('ipfix');
  }
  if (sc.eat('controller(')) return parseController(sc) ?? bad('controller');
  if (sc.eat('userdata(')) {
    const m = /^((?:[0-9a-fA-F]{2})*)\)/.exec(sc.text.slice(sc.pos, sc.pos + 1024));
    if (!m || m[1] === undefined) return bad('userdata');
    sc.pos += m[0].length;
    const bytes = new Uint8Array(Math.max(8, m[1].length / 2));
    bytes.set(Buffer.from(m[1], 'hex'));
    return { type: 'userdata', bytes };
  }
  return sc.fail('unknown userspace cookie', start);
}

function parseSlowPath(sc: OdpScanner): OdpUserspaceCookie | undefined {
  let reasons = 0;
  while (!sc.eat(')')) {
    if (sc.done) return undefined;
    const hit = SLOW_PATH_REASONS.find(([, n]) => sc.startsWith(n) && /[,|)]/.test(sc.text.charAt(sc.pos + n.length)));
    if (hit) {
      reasons |= hit[0];
      sc.pos += hit[1].length;
    } else {
      const v = sc.int(0x7f);
      if (v === undefined) return undefined;
      reasons |= v;
    }
    if (!sc.eat(',')) sc.eat('|');
  }
  return { type: 'slow_path', reasons };
}

function parseController(sc: OdpScanner): OdpUserspaceCookie | undefined {
  const fields = ['reason', 'dont_send', 'continuation', 'recirc_id'] as const;
  const v: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    if (!sc.eat((i ? ',' : '') + fields[i] + '=')) return undefined;
    const x = sc.dec();
    if (x === undefined) return undefined;
    v.push(x);
  }
  const m = /^,rule_cookie=(?:0[xX])?([0-9a-fA-F]{1,16})/.exec(sc.text.slice(sc.pos, sc.pos + 32));
  if (!m || m[1] === undefined) return undefined;
  sc.pos += m[0].length;
  const ruleCookie = BigInt('0x' + m[1]);
  if (!sc.eat(',controller_id=')) return undefined;
  const controllerId = sc.dec(0xffff);
  if (controllerId === undefined || !sc.eat(',max_len=')) return undefined;
  const maxLen = sc.dec(0xffff);
  if (maxLen === undefined || !sc.eat(')')) return undefined;
  const [reason = 0, dontSend = 0, continuation = 0, recircId = 0] = v;
  return { type: 'controller', reason: reason & 0xffff, dontSend: dontSend !== 0, continuation: continuation !== 0, recircId, ruleCookie, controllerId, maxLen };
}
