/**
 * `decodePacket`: bytes → layers + issues. Never throws.
 *
 * How: starting from `first` (default Ether), each codec decodes its header
 * and names the next layer from the binding table; the walk stops when no
 * layer is named (the rest of the payload becomes Raw) or a header cannot be
 * read (the rest becomes Raw, with an issue). Bytes beyond a declared length
 * (IP len, IPv6 plen, UDP len, Dot3 len, ARP's fixed size) become Padding
 * layers at the end, innermost first, as scapy does.
 *
 * Truncation rule (what the truncation tests check): cutting a packet at any
 * offset reports `truncated` when the cut removes bytes that some header
 * promised: header bytes, bytes within a declared length, or the next
 * header a dispatch value announced (e.g. Ethernet type 0x0800 with nothing
 * after it). Dot3's len counts the frame's trailing Padding (as scapy
 * builds it), so cutting that Padding is a truncation; cutting Padding
 * after IP, IPv6, UDP or ARP is not. A transport length in a first
 * fragment (UDP len) counts later fragments and is not a truncation. A cut that removes only Padding, or Raw bytes whose extent no
 * header declares (after an unknown EtherType), decodes without issues.
 * Checksums are not verified once anything is truncated.
 *
 * Invariant: `Layer.offsetBytes` + `lengthBytes` of consecutive layers tile
 * the input (except Padding, placed where it starts); decoded byte values
 * (Raw load, ICMPv6 data, ...) are views into `bytes`, not copies.
 */
import type { DecodedPacket, DecodeState, Layer, LayerName } from './layer-model.ts';
import { reportIssue } from './layer-model.ts';
import { CODECS } from './codecs.ts';
import { icmpv6LayerFor } from './icmpv6.ts';

/** Turns a binding-table answer into the layer the bytes actually hold. */
function refineLayer(name: LayerName, s: DecodeState, at: number, end: number): LayerName {
  if (name === 'Ether' && at + 14 <= end && s.view.getUint16(at + 12) <= 1500) return 'Dot3';
  if (name === 'ICMPv6Unknown') return icmpv6LayerFor(s.bytes[at] ?? 0);
  return name;
}

function walk(s: DecodeState, layers: Layer[], first: LayerName): void {
  const pads: number[] = [];
  let name: LayerName | null = first;
  let at = 0;
  let end = s.bytes.length;
  while (name !== null) {
    if (at >= end) {
      reportIssue(s, { kind: 'truncated', layer: name, offsetBytes: at, detail: `no bytes left for the ${name} header` });
      break;
    }
    name = refineLayer(name, s, at, end);
    const step = CODECS[name].decode(s, at, end);
    if (step === null) break;
    layers.push({ name, fields: step.fields, offsetBytes: at, lengthBytes: step.headerBytes });
    if (step.end < end) pads.push(step.end, end);
    at += step.headerBytes;
    end = step.end;
    name = step.next;
  }
  if (at < end) layers.push({ name: 'Raw', fields: { load: s.bytes.subarray(at, end) }, offsetBytes: at, lengthBytes: end - at });
  for (let i = pads.length - 2; i >= 0; i -= 2) {
    const from = pads[i] ?? 0;
    const to = pads[i + 1] ?? 0;
    layers.push({ name: 'Padding', fields: { load: s.bytes.subarray(from, to) }, offsetBytes: from, lengthBytes: to - from });
  }
}

/**
 * Decodes `bytes` as a packet starting with layer `first` (default Ether).
 * Returns every layer it could decode and the issues found; never throws.
 * A decoder bug shows up as an `unsupported` issue whose detail starts with
 * 'internal decoder error', never as an exception.
 */
export function decodePacket(bytes: Uint8Array, options: { first?: LayerName } = {}): DecodedPacket {
  const s: DecodeState = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    issues: [],
    l3: null,
    isTruncated: false,
  };
  const layers: Layer[] = [];
  const first = options.first ?? 'Ether';
  try {
    walk(s, layers, Object.hasOwn(CODECS, first) ? first : 'Raw');
  } catch (e) {
    s.issues.push({ kind: 'unsupported', layer: layers[layers.length - 1]?.name ?? first, offsetBytes: 0, detail: `internal decoder error: ${e instanceof Error ? e.message : String(e)}` });
  }
  return { layers, issues: s.issues };
}
