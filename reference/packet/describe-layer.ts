/**
 * `describeLayer`: the fields a layer accepts, their kinds and defaults, for
 * the builder's error messages and help text.
 *
 * Invariant: the list is the one the encoder validates field names against.
 */
import type { FieldInfo, LayerName } from './layer-model.ts';
import { PacketBuildError } from './layer-model.ts';
import { codecFor } from './codecs.ts';

/** Throws PacketBuildError for a name that is not a LayerName. */
export function describeLayer(name: LayerName): { fields: readonly FieldInfo[] } {
  const codec = codecFor(name);
  if (codec === undefined) throw new PacketBuildError(String(name), undefined, 'unknown layer');
  return { fields: codec.describe };
}
