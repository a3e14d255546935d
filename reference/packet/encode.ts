/**
 * `encodePacket`: layer specs → bytes, like scapy's `bytes(Ether()/IP()/...)`.
 *
 * How: each layer's header is written in order, with binding-table values
 * filled into the lower layer's unset fields (IP above Ether sets
 * Ether.type = 0x0800); then, innermost layer first, each codec's `finish`
 * fills its computed fields (lengths, header lengths, checksums) over the
 * bytes now known, so outer checksums see inner ones. A layer's payload runs
 * to the end of the packet minus the Padding layers after it: Padding is
 * written but counts in no length or checksum, as in scapy.
 *
 * Invariant: a field the spec sets (non-null) is written as given, so tests
 * can build packets with wrong lengths or checksums on purpose. Errors
 * (unknown layer or field, value of the wrong kind or out of range) throw
 * PacketBuildError naming layer and field.
 */
import type { BuiltLayer, FieldValue, LayerSpec } from './layer-model.ts';
import { PacketBuildError } from './layer-model.ts';
import { ByteWriter } from './cursor.ts';
import { bindingFields } from './bindings.ts';
import { codecFor } from './codecs.ts';

function withBindings(spec: LayerSpec, next: LayerSpec | undefined): Readonly<Record<string, FieldValue>> {
  if (next === undefined) return spec.fields;
  const bound = bindingFields(spec.name, next.name);
  if (bound === null) return spec.fields;
  const merged: Record<string, FieldValue> = { ...spec.fields };
  for (const [k, v] of Object.entries(bound)) {
    if (merged[k] === undefined || merged[k] === null) merged[k] = v;
  }
  return merged;
}

/** Builds the bytes of `layers` (outermost first). Throws PacketBuildError for a bad spec. */
export function encodePacket(layers: readonly LayerSpec[]): Uint8Array {
  const w = new ByteWriter(256);
  const built: BuiltLayer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const spec = layers[i];
    if (spec === undefined) continue;
    const codec = codecFor(spec.name);
    if (codec === undefined) throw new PacketBuildError(String(spec.name), undefined, 'unknown layer');
    const fields = withBindings(spec, layers[i + 1]);
    const start = w.length;
    codec.encode(w, fields);
    built.push({ name: spec.name, fields, start, headerEnd: w.length, payloadEnd: 0 });
  }
  let padStart = w.length;
  for (let i = built.length - 1; i >= 0; i--) {
    const l = built[i];
    if (l === undefined) continue;
    l.payloadEnd = Math.max(l.headerEnd, padStart);
    if (l.name === 'Padding') padStart = l.start;
  }
  const buf = w.finish();
  for (let i = built.length - 1; i >= 0; i--) {
    const l = built[i];
    if (l !== undefined) codecFor(l.name)?.finish?.(buf, built, i);
  }
  return buf;
}

/** Re-exported for modules that import the encoder directly. */
export { describeLayer } from './describe-layer.ts';
