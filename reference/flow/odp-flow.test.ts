import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatOdpFlow, parseOdpFlow, parseOdpFlows } from './odp-flow.ts';
import { normalizeOdpDump, normalizeOdpFlow } from './odp-flow-canonical.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => readFileSync(join(here, 'fixtures', name), 'utf8');
/** Port names of the private OVS that recorded odp-ovs-dump.txt (dpctl/show). */
const OVS_PORTS = new Map([[0, 'ovs-dummy'], [1, 'p1'], [2, 'p2'], [100, 'br0']]);

function mustParse(line: string, opts = {}): ReturnType<typeof parseOdpFlow> & { ok: true } {
  const r = parseOdpFlow(line, opts);
  if (!r.ok) throw new Error(`parse failed: ${JSON.stringify(r.error)} in ${line}`);
  return r;
}

function norm(text: string, opts = {}): string {
  const r = normalizeOdpFlow(text, opts);
  if (!r.ok) throw new Error(`normalize failed: ${JSON.stringify(r.error)} in ${text}`);
  return r.text;
}

interface OvsRecord { kind: string; fields: string[] }
const ovsRecords: OvsRecord[] = fixture('odp-ovs-dump.txt')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [kind = '', ...fields] = l.split('\t');
    return { kind, fields };
  });

t.test('every line Open vSwitch 3.1 printed re-formats to itself', async (t) => {
  let n = 0;
  for (const { kind, fields } of ovsRecords) {
    if (!['dump', 'dump-m', 'upcall', 'upcall-m'].includes(kind)) continue;
    const line = fields[0] ?? '';
    const verbose = kind.endsWith('-m');
    const r = mustParse(line, verbose ? { portNames: OVS_PORTS } : {});
    t.equal(formatOdpFlow(r.flow, verbose ? { verbose, portNames: OVS_PORTS } : {}), line, `${kind}: ${line.slice(0, 80)}`);
    n++;
  }
  t.ok(n >= 100, `checked ${n} OVS lines`);
});

t.test('what we added and what OVS dumped normalise to the same text', async (t) => {
  let added: string | undefined;
  let n = 0;
  for (const { kind, fields } of ovsRecords) {
    if (kind === 'add') {
      const [key = '', actions = ''] = fields;
      // dpif-netdev treats a missing recirc_id as recirc_id(0).
      added = norm(`${key.includes('recirc_id(') ? '' : 'recirc_id(0),'}${key}, actions:${actions}`);
      continue;
    }
    if (kind !== 'dump' && kind !== 'dump-m') continue;
    const opts = kind === 'dump-m' ? { portNames: OVS_PORTS, dropUfid: true } : {};
    const dumped = norm(fields[0] ?? '', opts).replace(/, packets:.*, actions:/, ', actions:');
    const numeric = formatOdpFlow(mustParse(dumped, { portNames: OVS_PORTS }).flow);
    t.equal(numeric, added, `${kind} of ${added?.slice(0, 70)}`);
    n++;
  }
  t.ok(n >= 80, `cross-checked ${n} dumps`);
});

t.test('flows OVS refused still parse (syntax is ours to accept)', async (t) => {
  for (const { kind, fields } of ovsRecords) {
    if (kind !== 'add-error') continue;
    const r = parseOdpFlow(`${fields[0]}, actions:${fields[1]}`);
    t.ok(r.ok, `${fields[0]} ${fields[1]}: ${r.ok ? '' : JSON.stringify(r.error)}`);
  }
});

t.test('userspace and kernel styles of the same flow normalise alike', async (t) => {
  const upcalls = ovsRecords.filter((r) => r.kind === 'upcall').map((r) => r.fields[0] ?? '');
  const verbose = ovsRecords.filter((r) => r.kind === 'upcall-m').map((r) => r.fields[0] ?? '');
  const a = normalizeOdpDump(upcalls.join('\n'));
  const b = normalizeOdpDump(['flow-dump from the main thread:', ...verbose].join('\n'), { portNames: OVS_PORTS, dropUfid: true });
  t.ok(a.ok && b.ok);
  if (!a.ok || !b.ok) return;
  t.equal(a.lines.length, 9);
  const plain = b.lines.map((l) => formatOdpFlow(mustParse(l, { portNames: OVS_PORTS }).flow)).sort();
  t.same(a.lines, plain);
  t.ok(a.lines.every((l) => !l.includes('packet_type')), 'no packet_type(ns=0,id=0) in canonical form');
  t.ok(a.lines.some((l) => l.startsWith('recirc_id(0),in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.5,proto=6,frag=no),tcp(dst=0/0xffc0),')),
    'kernel style prints masked values');
});

t.test('the datapath flow lines of the notes parse, re-format and normalise', async (t) => {
  const lines = fixture('odp-notes-lines.txt').split('\n').filter((l) => l && !l.startsWith('#'));
  const notesDir = join(here, '../../../shared/notes');
  if (existsSync(notesDir)) {
    for (const f of readdirSync(notesDir).filter((x) => x.endsWith('.md'))) {
      for (const l of readFileSync(join(notesDir, f), 'utf8').split('\n')) {
        const m = /^\s*((?:ufid:\S+ )?recirc_id\(\S*, packets:.*actions:\S*)$/.exec(l);
        if (m?.[1] && !lines.includes(m[1])) lines.push(m[1]);
      }
    }
  } else {
    t.comment(`SKIP scanning ${notesDir}: folder absent`);
  }
  t.ok(lines.length >= 3);
  for (const line of lines) {
    const r = mustParse(line);
    t.equal(formatOdpFlow(r.flow), line, 'userspace style re-formats to itself');
    const canonical = norm(line);
    t.equal(norm(canonical), canonical, 'canonical form is a fixed point');
    t.notMatch(canonical, /packet_type/);
  }
  t.equal(norm(lines[1] ?? ''), 'recirc_id(0),in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.5,proto=6,frag=no),tcp(dst=0/0xffc0), packets:0, bytes:0, used:never, actions:3');
});

t.test('parse errors name line, column and token', async (t) => {
  const cases: [string, number, string][] = [
    ['in_port(1),eth(src=zz:00:00:00:00:00),eth_type(0x0800)', 20, 'zz:00:00:00:00:00'],
    ['in_port(1),bogus(1), actions:1', 12, 'bogus'],
    ['in_port(1),ipv4(frag=maybe), actions:1', 22, 'maybe'],
    ['in_port(1), actions:1,frobnicate(2)', 23, 'frobnicate'],
    ['in_port(1),tcp_flags(+syn+syn), actions:1', 27, 'syn'],
    ['in_port(1),eth_type(0x0800', 27, ''],
    ['recirc_id(0),in_port(1), packets:x, bytes:0, used:never, actions:1', 34, 'x'],
  ];
  for (const [text, column, token] of cases) {
    const r = parseOdpFlow(text, { line: 7 });
    t.notOk(r.ok, text);
    if (r.ok) continue;
    t.equal(r.error.line, 7);
    t.equal(r.error.column, column, `column for ${text}: ${r.error.message}`);
    t.equal(r.error.token, token, `token for ${text}`);
    t.ok(text.slice(column - 1).startsWith(r.error.token), `token ${r.error.token} is at the column`);
  }
  const multi = parseOdpFlows('flow-dump from the main thread:\nin_port(1), actions:1\nin_port(2),eth(x), actions:1\n');
  t.notOk(multi.ok);
  if (!multi.ok) t.match(multi.error, { line: 3, column: 16, token: 'x' });
});

t.test('parser details', async (t) => {
  t.equal(norm('in_port(1),ipv4(ttl=010,proto=0x11,src=1.2.3.4/255.0.0.0)'.concat(', actions:1')),
    'in_port(1),ipv4(src=1.0.0.0/255.0.0.0,proto=17,ttl=8), actions:1', 'C %i integers, any field order, masked value');
  t.equal(norm('in_port(1),eth_type(0x0800/0xff00), actions:drop'), 'in_port(1),eth_type(0x0800/0xff00), actions:drop');
  t.equal(norm('in_port(1),eth(),eth_type(0/0xffff), actions:1'), 'in_port(1),eth(),eth_type(0/0xffff), actions:1', '802.3 mask-only eth_type');
  t.equal(norm('ufid:0DC5DFCF-cd8f-490f-b972-1056e1a8d36d in_port(1), actions:1'), 'ufid:0dc5dfcf-cd8f-490f-b972-1056e1a8d36d, in_port(1), actions:1');
  t.equal(norm('ufid:0dc5dfcf-cd8f-490f-b972-1056e1a8d36d, in_port(1), actions:1', { dropUfid: true }), 'in_port(1), actions:1');
  t.equal(norm('in_port(p1),eth(), actions:p2,3', { portNames: OVS_PORTS }), 'in_port(p1),eth(), actions:p2,3');
  t.equal(norm('in_port(1), actions:userspace(pid=1,slow_path(cfm,lacp))'), 'in_port(1), actions:userspace(pid=1,slow_path(cfm,lacp))');
  t.equal(norm('in_port(1), actions:set(vlan(vid=5))'), 'in_port(1), actions:set(vlan(vid=5))');
  t.equal(norm('in_port(1), packets:3, bytes:180, used:2.5s, flags:SFP.N, actions:1'), 'in_port(1), packets:3, bytes:180, used:2.500s, flags:SFP.N, actions:1');
  t.equal(norm('in_port(1),mpls(label=1,tc=0,ttl=2,bos=0,label=3,tc=0,ttl=4,bos=1), actions:1'),
    'in_port(1),mpls(label=1,tc=0,ttl=2,bos=0,label=3,tc=0,ttl=4,bos=1), actions:1', 'two label stack entries');
  t.equal(norm('in_port(1),nd_ext(nd_reserved=0x20,nd_options_type=2), actions:1'), 'in_port(1),nd_ext(nd_reserved=0x20,nd_options_type=2), actions:1');
});

t.test('the parser never throws on mutated lines', async (t) => {
  const seeds = ovsRecords.filter((r) => r.kind.startsWith('dump') || r.kind.startsWith('upcall')).map((r) => r.fields[0] ?? '');
  const alphabet = '(),=/:.0123456789abcdefx+-| _';
  let state = 12345;
  const rand = (n: number): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return state % n;
  };
  let parsed = 0;
  for (let i = 0; i < 5000; i++) {
    const seed = seeds[rand(seeds.length)] ?? '';
    const chars = seed.split('');
    for (let k = 1 + rand(4); k > 0; k--) {
      const p = rand(chars.length + 1);
      const op = rand(3);
      if (op === 0) chars.splice(p, 1);
      else if (op === 1) chars.splice(p, 0, alphabet.charAt(rand(alphabet.length)));
      else chars.splice(p, rand(20));
    }
    const text = chars.join('');
    const r = parseOdpFlow(text);
    if (r.ok) {
      parsed++;
      const again = parseOdpFlow(formatOdpFlow(r.flow));
      if (!again.ok) t.fail(`formatted output does not re-parse: ${text}`);
    } else if (r.error.message.startsWith('internal')) {
      t.fail(`internal error on ${text}: ${r.error.message}`);
    }
  }
  t.ok(parsed > 0, `${parsed} of 5000 mutants still parsed`);
});
