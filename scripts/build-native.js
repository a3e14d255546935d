#!/usr/bin/env node
// Compiles the AF_PACKET addon (native/af-packet/*.c, sharing af-packet.h)
// into native/af-packet/build/af-packet.node with the system C compiler and the
// headers of the Node that runs this script: no node-gyp, which would
// download headers (only npm and apt are reachable here).
// Invariant: the .node is rebuilt whenever it is missing or older than one
// of the .c/.h sources, and only then. If `cc` is missing and we are root on Debian,
// build-essential is installed first (apt); otherwise we say so and fail.
// Usage: node scripts/build-native.js [--quiet]; or import { buildNative }.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'native/af-packet');
const source = join(sourceDir, 'af-packet.c');
const output = join(root, 'native/af-packet/build/af-packet.node');

function nodeIncludeDir() {
  const own = join(dirname(dirname(process.execPath)), 'include/node');
  return existsSync(join(own, 'node_api.h')) ? own : '/usr/include/node';
}

function sourceFiles() {
  return readdirSync(sourceDir).filter((f) => /\.[ch]$/.test(f)).sort().map((f) => join(sourceDir, f));
}

function isUpToDate() {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return sourceFiles().every((f) => statSync(f).mtimeMs <= built);
}

function hasCompiler() {
  return spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Installs build-essential when we may (root on Debian); returns whether cc now exists. */
function installCompiler(log) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/etc/debian_version')) return false;
  log('no C compiler: installing build-essential (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'build-essential'], { stdio: 'inherit', env });
  } catch (err) {
    log(`apt-get failed: ${err.message}`);
  }
  return hasCompiler();
}

/**
 * Builds the addon if it is missing or stale. Returns { built, output }.
 * Throws an Error with a readable message when it cannot build.
 */
export function buildNative({ quiet = false } = {}) {
  const log = (msg) => { if (!quiet) process.stderr.write(`build-native: ${msg}\n`); };
  if (!existsSync(source)) throw new Error(`build-native: source ${source} is missing`);
  if (isUpToDate()) {
    log(`${output} is up to date`);
    return { built: false, output };
  }
  if (!hasCompiler() && !installCompiler(log)) {
    throw new Error('build-native: no C compiler (`cc`); install one (Debian: apt-get install build-essential) and rerun node scripts/build-native.js');
  }
  const include = nodeIncludeDir();
  if (!existsSync(join(include, 'node_api.h'))) {
    throw new Error(`build-native: Node headers not found (${include}/node_api.h); on Debian: apt-get install libnode-dev`);
  }
  mkdirSync(dirname(output), { recursive: true });
  const sources = sourceFiles().filter((f) => f.endsWith('.c'));
  const args = ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC', `-I${include}`, ...sources, '-o', output];
  log(`cc ${args.join(' ')}`);
  const r = spawnSync('cc', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`build-native: cc failed (exit ${r.status ?? r.signal}) compiling ${sources.join(' ')}`);
  return { built: true, output };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildNative({ quiet: process.argv.includes('--quiet') });
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
