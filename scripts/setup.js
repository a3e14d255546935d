#!/usr/bin/env node
// Installs what the README's commands need, once, on a fresh machine:
// npm packages from the lock file, and (when running as root on Debian) the
// Debian packages that the cross-checks and the harness use. Each step is
// skipped when its result is already present, so re-running is cheap.
// Usage: node scripts/setup.js test|conformance
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const purpose = process.argv[2] ?? 'test';
const log = (msg) => process.stderr.write(`setup: ${msg}\n`);

function npmInstalled() {
  const lock = 'package-lock.json';
  const stamp = 'node_modules/.package-lock.json';
  if (!existsSync(stamp)) return false;
  return statSync(stamp).mtimeMs >= statSync(lock).mtimeMs;
}

if (!npmInstalled()) {
  log('installing npm packages (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) { log('npm ci failed'); process.exit(r.status ?? 1); }
}

// The AF_PACKET addon (packet I/O on veth) is compiled here, with the C
// compiler and Node's own headers (no node-gyp download).
if (existsSync('scripts/build-native.js')) {
  const r = spawnSync(process.execPath, ['scripts/build-native.js'], { stdio: 'inherit' });
  if (r.status !== 0) { log('building the native addon failed'); process.exit(r.status ?? 1); }
}

// Debian packages: peers for cross-checks (scapy, Open vSwitch) and tcpdump,
// and openvswitch-common for the Open_vSwitch database schema, which the
// reference switch's OVSDB server loads (it is Open vSwitch's file, not ours).
// Without root we cannot install them; the tests that need them skip with a
// visible reason instead.
const wanted = {
  test: [
    ['/usr/share/openvswitch/vswitch.ovsschema', 'openvswitch-common'],
    ['/usr/sbin/ovs-vswitchd', 'openvswitch-switch'],
    ['/usr/lib/python3/dist-packages/scapy', 'python3-scapy'],
    ['/usr/bin/tcpdump', 'tcpdump'],
  ],
  conformance: [
    ['/usr/share/openvswitch/vswitch.ovsschema', 'openvswitch-common'],
    ['/usr/sbin/ovs-vswitchd', 'openvswitch-switch'],
  ],
}[purpose] ?? [];
const missing = wanted.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = existsSync('/etc/debian_version');
if (missing.length > 0) {
  if (!isRoot || !isDebian) {
    log(`not root on Debian: cannot install ${missing.join(', ')}; tests that need them will be skipped`);
  } else {
    log(`installing Debian packages: ${missing.join(', ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    } catch (err) {
      log(`apt-get failed (${err.message}); tests that need ${missing.join(', ')} will be skipped`);
    }
  }
}
// Open vSwitch's Debian package starts its services; the cross-checks run
// private instances instead and never touch the system ones.
if (purpose === 'test' && existsSync('/usr/sbin/ovs-vswitchd')) {
  const v = spawnSync('ovs-vswitchd', ['--version'], { encoding: 'utf8' });
  if (v.status === 0) log(v.stdout.split('\n')[0]);
}
