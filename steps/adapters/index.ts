/**
 * The adapters' public surface: the switch-under-test contract and the
 * adapters that implement it, found by their `--target` name.
 * Invariant: `adapterByName` knows every adapter this folder ships (today
 * `ovs`; the reference switch's adapter is added here when it exists).
 */
import type { SwitchAdapter } from './adapter.ts';
import { ovsAdapter } from './ovs.ts';

export * from './adapter.ts';
export { ovsAdapter, createOvsAdapter, type OvsAdapterOptions } from './ovs.ts';
export { findOvsInstall, OVS_BINDIR_ENV, type OvsInstall, type OvsInstallResult } from './ovs-install.ts';

const ADAPTERS: readonly SwitchAdapter[] = [ovsAdapter];

/** The adapter whose `name` is `name`, or undefined. */
export function adapterByName(name: string): SwitchAdapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
