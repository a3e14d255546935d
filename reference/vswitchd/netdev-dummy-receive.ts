/**
 * `netdev-dummy/receive NAME [--qid N] PACKET|FLOW [--len N]...` (Open
 * vSwitch lib/netdev-dummy.c): injects packets into an in-memory port as
 * if they had arrived on it.
 *
 * Each packet argument is tried first as hex bytes (pairs of hex digits,
 * blanks allowed between pairs, at least a 14-byte Ethernet header), else
 * as an ODP flow (`in_port(…)` ignored) from which flow-compose.ts builds
 * the packet OVS would build. `--len N` after a flow pads the packet to N
 * bytes (N ≥ 60; a packet already longer is an error). Packets go to the
 * datapath in argument order; the reply is empty on success.
 *
 * Errors in OVS's words: `no such dummy netdev` (unknown port, or a
 * `system` port: only `dummy` and `internal` ports, which live in memory,
 * take injected packets), `bad rx queue id.` (our ports have one receive
 * queue, so only `--qid 0` is accepted), `too small packet len`; a flow
 * that does not parse answers with the parser's message (column and token;
 * OVS says `syntax error at …`).
 */
import { cloneOdpAttrs, flowFromOdpKey, parseOdpFlow, type OdpAttr } from '../flow/index.ts';
import { encodePacket, PacketBuildError } from '../packet/index.ts';
import type { DpResult, VportInfo } from '../datapath/index.ts';
import { composeLayers, padLayers } from './flow-compose.ts';
import { fail, ok, type UnixctlReply, type UnixctlServer } from './unixctl-server.ts';

/** What receive needs from the datapath. */
export interface DummyReceiveTarget {
  vportGet(port: number | string): DpResult<VportInfo>;
  receive(port: number | string, frame: Uint8Array): DpResult<void>;
}

const ETH_HEADER_BYTES = 14;
const ETH_TOTAL_MIN = 60;

/** eth_from_hex: bytes, or undefined when `text` is not hex pairs of an Ethernet frame. */
export function frameFromHex(text: string): Uint8Array | undefined {
  const compact = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (!/^([0-9a-fA-F]{2}[ \t\r\n]*)*$/.test(compact)) return undefined;
  const hex = compact.replace(/[ \t\r\n]+/g, '');
  if (hex.length / 2 < ETH_HEADER_BYTES) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

export type ComposeResult = { readonly ok: true; readonly frame: Uint8Array } | { readonly ok: false; readonly message: string };

/** eth_from_flow_str: the packet for an ODP flow text, padded to `lengthBytes` when given. */
export function frameFromFlowText(text: string, lengthBytes?: number): ComposeResult {
  const r = parseOdpFlow(text);
  if (!r.ok) {
    const e = r.error;
    return { ok: false, message: `column ${e.column}: ${e.message}${e.token ? ` (at '${e.token}')` : ''}` };
  }
  // Values as written, masks ignored (OVS parses the key without a mask here).
  const { key } = flowFromOdpKey({ attrs: fullMasks(r.flow.key.attrs) });
  try {
    if (lengthBytes === undefined) return { ok: true, frame: encodePacket(composeLayers(key)) };
    const layers = composeLayers(key, 0);
    const frame = encodePacket(layers);
    if (lengthBytes < frame.length) return { ok: false, message: `packet of ${frame.length} bytes is longer than --len ${lengthBytes}` };
    return { ok: true, frame: lengthBytes > frame.length ? encodePacket(padLayers(layers, lengthBytes - frame.length)) : frame };
  } catch (err) {
    if (err instanceof PacketBuildError) return { ok: false, message: `cannot build a packet for this flow: ${err.message}` };
    throw err;
  }
}

function fullMasks(attrs: readonly OdpAttr[]): OdpAttr[] {
  return cloneOdpAttrs(attrs).map((a): OdpAttr => {
    if (a.name === 'encap') return { name: 'encap', attrs: fullMasks(a.attrs) };
    a.mask.fill(0xff);
    return a;
  });
}

/** The command handler; `args` are the parameters after the command name. */
export function netdevDummyReceive(target: DummyReceiveTarget, args: readonly string[]): UnixctlReply {
  const name = args[0] ?? '';
  const port = target.vportGet(name);
  if (!port.ok || port.value.type === 'system') return fail('no such dummy netdev');
  let k = 1;
  if (args.length > k + 1 && args[k] === '--qid') {
    const qid = Number.parseInt(args[k + 1] ?? '', 10);
    if (qid !== 0) return fail('bad rx queue id.');
    k += 2;
  }
  const frames: Uint8Array[] = [];
  for (let i = k; i < args.length; i++) {
    const arg = args[i] ?? '';
    const hex = frameFromHex(arg);
    if (hex) {
      frames.push(hex);
      continue;
    }
    let lengthBytes: number | undefined;
    if (args[i + 1] === '--len') {
      lengthBytes = Number.parseInt(args[i + 2] ?? '', 10);
      if (!(lengthBytes >= ETH_TOTAL_MIN)) return fail('too small packet len');
      i += 2;
    }
    const c = frameFromFlowText(arg, lengthBytes);
    if (!c.ok) return fail(c.message);
    frames.push(c.frame);
  }
  for (const frame of frames) {
    const r = target.receive(name, frame);
    if (!r.ok) return fail(`${name}: ${r.error.message}`);
  }
  return ok('');
}

/** Registers `netdev-dummy/receive` with OVS's usage text and argument counts. */
export function registerNetdevDummyReceive(server: UnixctlServer, target: DummyReceiveTarget): void {
  server.register('netdev-dummy/receive', {
    usage: 'name [--qid queue_id] packet|flow [--len packet_len]',
    minArgs: 2,
    maxArgs: Number.MAX_SAFE_INTEGER,
    handler: (args) => netdevDummyReceive(target, args),
  });
}
