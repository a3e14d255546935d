/**
 * Import-direction check, run by the test command.
 *
 * Enforces the boundaries of DESIGN.md and STYLE.md:
 *  - `reference/` never imports `steps/`, `bench/` or `scripts/`;
 *  - inside `reference/`, imports point down the layer order below, and the
 *    datapath never imports the classifier (the megaflow cache is not the
 *    OpenFlow table);
 *  - a folder of `reference/` is entered from outside only through its
 *    `index.ts`.
 * Prints one line per violation (`file: imports X (reason)`) and exits 1 if
 * there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Lower rank = lower layer. Equal ranks may not import each other. */
const rank: Record<string, number> = {
  packet: 0,
  netdev: 0,
  flow: 1,
  ovsdb: 1,
  classifier: 2,
  datapath: 2,
  openflow: 2,
  ofproto: 3,
  upcall: 3,
  vswitchd: 4,
  cli: 5,
};

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const root = resolve(import.meta.dirname, '..');
const violations: string[] = [];
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const file of listTs(join(root, 'reference'))) {
  const rel = relative(root, file);
  const parts = rel.split(sep);
  const area = parts[1] ?? '';
  const isTest = file.endsWith('.test.ts');
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? '';
    if (!spec.startsWith('.')) continue;
    const target = relative(root, resolve(dirname(file), spec));
    const tparts = target.split(sep);
    if (tparts[0] !== 'reference') {
      violations.push(`${rel}: imports ${spec} (reference/ must not import ${tparts[0]}/)`);
      continue;
    }
    const tarea = tparts[1] ?? '';
    if (tarea === area) continue;
    const from = rank[area];
    const to = rank[tarea];
    if (from === undefined || to === undefined) {
      violations.push(`${rel}: imports ${spec} (area '${from === undefined ? area : tarea}' has no rank in scripts/check-imports.ts)`);
      continue;
    }
    if (area === 'datapath' && tarea === 'classifier') {
      violations.push(`${rel}: imports ${spec} (the datapath never imports the classifier)`);
    } else if (to >= from && !isTest) {
      violations.push(`${rel}: imports ${spec} (imports point down: ${area} may not import ${tarea})`);
    }
    if (tparts.length !== 3 || tparts[2] !== 'index.ts') {
      violations.push(`${rel}: imports ${spec} (enter reference/${tarea} through its index.ts)`);
    }
  }
}

for (const v of violations) console.log(v);
console.log(`imports: ${violations.length} violation(s)`);
process.exit(violations.length > 0 ? 1 : 0);
