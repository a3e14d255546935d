/**
 * Where the Open vSwitch binaries and the vswitch schema are, for the `ovs`
 * adapter.
 *
 * Invariant: `findOvsInstall` only looks at the file system (no process is
 * run); it either returns every path the adapter needs or one line saying
 * what is missing and how to install it.
 *
 * Search order: `REFSWITCH_OVS_BINDIR` (or the `binDir` option) alone when
 * set; otherwise $PATH, then /usr/sbin and /usr/bin (Debian puts the daemons
 * in /usr/sbin, which a non-root PATH often lacks). The schema is looked for
 * in `<binDir>/../share/openvswitch/` first, then /usr/share/openvswitch and
 * /usr/local/share/openvswitch.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';

export const OVS_TOOLS = ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl'] as const;
export type OvsTool = (typeof OVS_TOOLS)[number];

export const OVS_BINDIR_ENV = 'REFSWITCH_OVS_BINDIR';
const INSTALL_HINT = 'apt-get install openvswitch-switch';
const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin'];
const SCHEMA_DIRS = ['/usr/share/openvswitch', '/usr/local/share/openvswitch'];
const SCHEMA = 'vswitch.ovsschema';

export interface OvsInstall {
  readonly bin: Readonly<Record<OvsTool, string>>;
  readonly schema: string;
}

export type OvsInstallResult = { readonly ok: true; readonly install: OvsInstall } | { readonly ok: false; readonly reason: string };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the six tools and the schema. `binDir` (default: $REFSWITCH_OVS_BINDIR)
 * restricts the search to that one directory. Returns `{ ok: false, reason }`
 * naming the missing tools, e.g. "Open vSwitch not found (ovs-vswitchd,
 * ovsdb-server): apt-get install openvswitch-switch".
 */
export function findOvsInstall(binDir: string | undefined = process.env[OVS_BINDIR_ENV]): OvsInstallResult {
  const override = binDir !== undefined && binDir !== '';
  const dirs = override ? [binDir] : [...(process.env['PATH'] ?? '').split(':').filter((d) => d !== ''), ...SYSTEM_DIRS];
  const bin: Partial<Record<OvsTool, string>> = {};
  const missing: OvsTool[] = [];
  for (const tool of OVS_TOOLS) {
    const dir = dirs.find((d) => isExecutable(join(d, tool)));
    if (dir === undefined) missing.push(tool);
    else bin[tool] = join(dir, tool);
  }
  if (missing.length > 0) {
    const where = override ? ` in ${OVS_BINDIR_ENV}=${binDir}` : '';
    return { ok: false, reason: `Open vSwitch not found${where} (${missing.join(', ')}): ${INSTALL_HINT}` };
  }
  const vswitchd = bin['ovs-vswitchd'] ?? '';
  const schemaDirs = [join(dirname(dirname(vswitchd)), 'share', 'openvswitch'), ...SCHEMA_DIRS];
  const schema = schemaDirs.map((d) => join(d, SCHEMA)).find(isReadable);
  if (schema === undefined) {
    return { ok: false, reason: `Open vSwitch schema ${SCHEMA} not found in ${schemaDirs.join(', ')}: ${INSTALL_HINT}` };
  }
  return { ok: true, install: { bin: bin as Record<OvsTool, string>, schema } };
}
