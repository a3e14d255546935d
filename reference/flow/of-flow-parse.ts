/**
 * Parser of the OpenFlow flow text: the `field=value[/mask]` lists that
 * `ovs-ofctl` and `ofproto/trace` accept and that of-flow-format.ts prints
 * (`Flow:` and `Megaflow:` lines), back into a FlowKey and its mask.
 *
 * What: items separated by commas or white space; an item is a protocol
 * shorthand (`tcp`, `udp6`, `arp`… sets dl_type and nw_proto), `eth`
 * (packet_type Ethernet, as Megaflow lines print it), or `name=value` with an
 * optional `/mask` for maskable fields. Values: decimal or 0x hex integers,
 * MAC, IPv4/IPv6 with `/N` or a full mask, `nw_frag` words, TCP-flag and
 * ct_state names (`syn|ack`, `+trk-new`), port numbers and reserved names,
 * `packet_type=(ns,type)`. A `priority=N` item is returned separately.
 *
 * Invariant: never throws on any input; an error names its 1-based column
 * and the offending token. Values are stored under the mask (flow & mask).
 *
 * Left out on purpose: prerequisite checks (`tp_dst` without `tcp` parses),
 * port names from a bridge's port map, host names, tunnel/NSH fields, the
 * ODP (datapath) syntax which odp-*.ts handles.
 */
import { FlowKey, FlowOffset } from './flow-key.ts';
import { OF_SHORTHANDS, OF_TEXT_FIELDS, type OfTextField } from './of-flow-fields.ts';
import {
  CT_STATE_NAMES, TCP_FLAG_NAMES, ipv4MaskOfBits, ipv6MaskOfBits, parseFlagList, parseFlagsPlusMinus, parseIpv4, parseIpv6, parseMac,
  parseOfPort, parseUnsigned,
} from './of-flow-values.ts';

export interface OfFlowParseError {
  /** 1-based column of the offending token. */
  readonly column: number;
  readonly token: string;
  readonly message: string;
}

export type OfFlowParseResult =
  | { readonly ok: true; readonly flow: FlowKey; readonly mask: FlowKey; readonly priority?: number }
  | { readonly ok: false; readonly error: OfFlowParseError };

interface Item {
  readonly key: string;
  readonly value: string | null;
  readonly column: number;
  readonly valueColumn: number;
}

/** Splits into items; a value runs to the next comma/space outside parentheses. */
function splitItems(text: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[,\s]/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && !/[=,\s]/.test(text[i]!)) i++;
    const key = text.slice(start, i);
    if (text[i] !== '=') {
      items.push({ key, value: null, column: start + 1, valueColumn: i + 1 });
      continue;
    }
    const vStart = ++i;
    let depth = 0;
    while (i < text.length && (depth > 0 || !/[,\s]/.test(text[i]!))) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
      i++;
    }
    items.push({ key, value: text.slice(vStart, i), column: start + 1, valueColumn: vStart + 1 });
  }
  return items;
}

class ParseFailure {
  constructor(readonly error: OfFlowParseError) {}
}

/** Parses OpenFlow flow text into (flow, mask); see the file comment. */
export function parseOfFlow(text: string): OfFlowParseResult {
  const flow = new FlowKey();
  const mask = new FlowKey();
  const seen = new Set<string>();
  let priority: number | undefined;
  for (const item of splitItems(text)) {
    const fail = (message: string, token = item.value ?? item.key, column = item.value === null ? item.column : item.valueColumn) =>
      new ParseFailure({ column, token, message });
    const r = applyItem(flow, mask, item, seen, fail);
    if (r instanceof ParseFailure) return { ok: false, error: r.error };
    if (typeof r === 'number') priority = r;
  }
  return priority === undefined ? { ok: true, flow, mask } : { ok: true, flow, mask, priority };
}

type Fail = (message: string, token?: string, column?: number) => ParseFailure;

function applyItem(flow: FlowKey, mask: FlowKey, item: Item, seen: Set<string>, fail: Fail): ParseFailure | number | null {
  const keyFail = (message: string) => fail(message, item.key, item.column);
  const shorthand = Object.hasOwn(OF_SHORTHANDS, item.key) ? OF_SHORTHANDS[item.key] : undefined;
  if (item.value === null) {
    if (item.key === 'eth') return setPacketType(flow, mask, 0, keyFail);
    if (shorthand === undefined) return keyFail(`unknown protocol or field without value "${item.key}"`);
    const [dlType, proto] = shorthand;
    if (mask.view.getUint16(FlowOffset.dl_type) !== 0 && flow.view.getUint16(FlowOffset.dl_type) !== dlType) return keyFail('Ethernet type set multiple times');
    flow.view.setUint16(FlowOffset.dl_type, dlType);
    mask.view.setUint16(FlowOffset.dl_type, 0xffff);
    if (proto !== null) {
      if (mask.bytes[FlowOffset.nw_proto] !== 0 && flow.bytes[FlowOffset.nw_proto] !== proto) return keyFail('network protocol set multiple times');
      flow.bytes[FlowOffset.nw_proto] = proto;
      mask.bytes[FlowOffset.nw_proto] = 0xff;
    }
    return null;
  }
  if (item.key === 'priority') {
    const n = parseUnsigned(item.value);
    return n === null || n > 0xffffn ? fail('priority must be an integer 0..65535') : Number(n);
  }
  const field = Object.hasOwn(OF_TEXT_FIELDS, item.key) ? OF_TEXT_FIELDS[item.key] : undefined;
  if (field === undefined) return keyFail(`unknown field "${item.key}"`);
  if (seen.has(item.key)) return keyFail(`field ${item.key} set multiple times`);
  seen.add(item.key);
  return applyField(flow, mask, field, item.key, item.value, fail);
}

function setPacketType(flow: FlowKey, mask: FlowKey, value: number, fail: (m: string) => ParseFailure): ParseFailure | null {
  if (mask.view.getUint32(FlowOffset.packet_type) !== 0 && flow.view.getUint32(FlowOffset.packet_type) !== value) return fail('packet type set multiple times');
  flow.view.setUint32(FlowOffset.packet_type, value);
  mask.view.setUint32(FlowOffset.packet_type, 0xffffffff);
  return null;
}

function splitMask(value: string, field: OfTextField, name: string, fail: Fail): [string, string | null] | ParseFailure {
  const slash = value.indexOf('/');
  if (slash < 0) return [value, null];
  if (!field.maskable) return fail(`field ${name} does not support masking`);
  return [value.slice(0, slash), value.slice(slash + 1)];
}

function applyField(flow: FlowKey, mask: FlowKey, field: OfTextField, name: string, value: string, fail: Fail): ParseFailure | null {
  switch (field.syntax) {
    case 'port': {
      const port = parseOfPort(value);
      if (port === null) return fail(`${name}: "${value}" is not a port number or reserved port name`);
      flow.view.setUint32(field.offset, port);
      mask.view.setUint32(field.offset, 0xffffffff);
      return null;
    }
    case 'frag':
      return applyFrag(flow, mask, field, value, fail);
    case 'packetType':
      return applyPacketType(flow, mask, value, fail);
    case 'tcpFlags':
    case 'ctState':
      return applyFlags(flow, mask, field, name, value, fail);
    case 'mac':
    case 'ipv4':
    case 'ipv6':
      return applyAddress(flow, mask, field, name, value, fail);
    case 'int':
      return applyInt(flow, mask, field, name, value, fail);
  }
}

function writeBytes(key: FlowKey, at: number, bytes: Uint8Array): void {
  key.bytes.set(bytes, at);
}

function applyAddress(flow: FlowKey, mask: FlowKey, field: OfTextField, name: string, value: string, fail: Fail): ParseFailure | null {
  const parts = splitMask(value, field, name, fail);
  if (parts instanceof ParseFailure) return parts;
  const [v, m] = parts;
  const at = field.offset;
  if (field.syntax === 'ipv4') {
    const addr = parseIpv4(v);
    if (addr === null) return fail(`${name}: "${v}" is not an IPv4 address`);
    let bits = 0xffffffff;
    if (m !== null) {
      const asBits = /^[0-9]{1,2}$/.test(m) && Number(m) <= 32 ? ipv4MaskOfBits(Number(m)) : parseIpv4(m);
      if (asBits === null) return fail(`${name}: "${m}" is not an IPv4 mask or prefix length`);
      bits = asBits;
    }
    flow.view.setUint32(at, (addr & bits) >>> 0);
    mask.view.setUint32(at, bits);
    return null;
  }
  const n = field.syntax === 'mac' ? 6 : 16;
  const addr = field.syntax === 'mac' ? parseMac(v) : parseIpv6(v);
  if (addr === null) return fail(`${name}: "${v}" is not ${field.syntax === 'mac' ? 'a MAC' : 'an IPv6'} address`);
  let bits: Uint8Array | null = new Uint8Array(n).fill(0xff);
  if (m !== null) {
    if (field.syntax === 'mac') bits = parseMac(m);
    else bits = /^[0-9]{1,3}$/.test(m) && Number(m) <= 128 ? ipv6MaskOfBits(Number(m)) : parseIpv6(m);
    if (bits === null) return fail(`${name}: "${m}" is not a valid mask`);
  }
  const masked = addr.map((b, i) => b & (bits![i] ?? 0));
  writeBytes(flow, at, masked);
  writeBytes(mask, at, bits);
  return null;
}

/** Reads a ≤ 16-byte big-endian slot as a bigint. */
function readBig(key: FlowKey, at: number, n: number): bigint {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(key.bytes[at + i] ?? 0);
  return v;
}

function writeBig(key: FlowKey, at: number, n: number, v: bigint): void {
  for (let i = n - 1; i >= 0; i--) {
    key.bytes[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Right shift from slot bits to value: explicit, else the trailing zeros of bitMask. */
function fieldShift(field: OfTextField): number {
  if (field.shift !== undefined) return field.shift;
  if (field.bitMask === undefined) return 0;
  return 31 - Math.clz32((field.bitMask & -field.bitMask) >>> 0);
}

function applyInt(flow: FlowKey, mask: FlowKey, field: OfTextField, name: string, value: string, fail: Fail): ParseFailure | null {
  const parts = splitMask(value, field, name, fail);
  if (parts instanceof ParseFailure) return parts;
  const [vText, mText] = parts;
  const v = parseUnsigned(vText);
  if (v === null) return fail(`${name}: cannot parse integer value "${vText}"`);
  const m = mText === null ? null : parseUnsigned(mText);
  if (mText !== null && m === null) return fail(`${name}: cannot parse integer mask "${mText}"`);
  const slotBits = BigInt(field.bytes * 8);
  const slotMax = (1n << slotBits) - 1n;
  const bitMask = field.bitMask === undefined ? slotMax : BigInt(field.bitMask >>> 0);
  const shift = BigInt(fieldShift(field));
  const max = field.max !== undefined ? BigInt(field.max) : bitMask >> shift;
  if (name.startsWith('dl_vlan') && !name.includes('pcp') && v === 0xffffn) {
    writeBig(flow, field.offset, field.bytes, 0n);
    writeBig(mask, field.offset, field.bytes, 0xffffn);
    return null;
  }
  if (v > max || ((v << shift) & ~bitMask & slotMax) !== 0n) return fail(`${name}: value ${vText} out of range`);
  if (m !== null && m > max) return fail(`${name}: mask ${mText} out of range`);
  const present = BigInt(field.presentBits ?? 0);
  const fieldMask = m === null ? bitMask : (m << shift) & bitMask;
  const oldV = readBig(flow, field.offset, field.bytes);
  const oldM = readBig(mask, field.offset, field.bytes);
  const newM = (oldM & ~bitMask & slotMax) | fieldMask | present;
  const newV = ((oldV & ~bitMask & slotMax) | ((v << shift) & fieldMask) | present) & newM;
  writeBig(flow, field.offset, field.bytes, newV);
  writeBig(mask, field.offset, field.bytes, newM);
  return null;
}

const FRAG_WORDS: Readonly<Record<string, readonly [number, number]>> = {
  no: [0, 3], yes: [1, 1], first: [1, 3], later: [3, 3], not_later: [0, 2],
};

function applyFrag(flow: FlowKey, mask: FlowKey, field: OfTextField, value: string, fail: Fail): ParseFailure | null {
  const word = Object.hasOwn(FRAG_WORDS, value) ? FRAG_WORDS[value] : undefined;
  if (word === undefined) return fail(`nw_frag: "${value}" is not one of no, yes, first, later, not_later`);
  flow.bytes[field.offset] = word[0];
  mask.bytes[field.offset] = word[1];
  return null;
}

function applyFlags(flow: FlowKey, mask: FlowKey, field: OfTextField, name: string, value: string, fail: Fail): ParseFailure | null {
  const names = field.syntax === 'tcpFlags' ? TCP_FLAG_NAMES : CT_STATE_NAMES;
  const full = field.syntax === 'tcpFlags' ? 0x0fff : 0xff;
  let v: number | null;
  let m: number | null;
  if (value.startsWith('+') || value.startsWith('-')) {
    const pm = parseFlagsPlusMinus(value, names);
    v = pm?.value ?? null;
    m = pm?.mask ?? null;
  } else {
    const slash = value.indexOf('/');
    v = parseFlagList(slash < 0 ? value : value.slice(0, slash), names);
    m = slash < 0 ? full : parseFlagList(value.slice(slash + 1), names);
  }
  if (v === null || m === null) return fail(`${name}: "${value}" is not a valid flag set`);
  if (v > full || m > full) return fail(`${name}: "${value}" sets bits outside the field`);
  const put = (k: FlowKey, x: number) => (field.bytes === 2 ? k.view.setUint16(field.offset, x) : k.view.setUint8(field.offset, x));
  put(flow, v & m);
  put(mask, m);
  return null;
}

function applyPacketType(flow: FlowKey, mask: FlowKey, value: string, fail: Fail): ParseFailure | null {
  const m = /^\(([^,()]+),([^,()]+)\)$/.exec(value);
  const ns = m ? parseUnsigned(m[1]!) : null;
  const type = m ? parseUnsigned(m[2]!) : null;
  if (ns === null || type === null || ns > 0xffffn || type > 0xffffn) return fail(`packet_type: "${value}" is not (namespace,type)`);
  return setPacketType(flow, mask, Number((ns << 16n) | type) >>> 0, (msg) => fail(msg));
}
