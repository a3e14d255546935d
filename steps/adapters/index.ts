/**
 * The adapters' public surface: the switch-under-test contract and the
 * adapters that implement it, found by their `--target` name.
 * Invariant: `adapterByName` knows every adapter this folder ships: `ovs`
 * (Open vSwitch 3.1) and `reference` (our `refswitch switch`).
 */
import type { SwitchAdapter } from './adapter.ts';
import { ovsAdapter } from './ovs.ts';
import { referenceAdapter } from './reference.ts';

export * from './adapter.ts';
export { ovsAdapter, createOvsAdapter, type OvsAdapterOptions } from './ovs.ts';
export { referenceAdapter, createReferenceAdapter, findAppctl, REFSWITCH_BIN_ENV, type ReferenceAdapterOptions } from './reference.ts';
export { findOvsInstall, OVS_BINDIR_ENV, type OvsInstall, type OvsInstallResult } from './ovs-install.ts';

const ADAPTERS: readonly SwitchAdapter[] = [ovsAdapter, referenceAdapter];

/** The adapter whose `name` is `name`, or undefined. */
export function adapterByName(name: string): SwitchAdapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
