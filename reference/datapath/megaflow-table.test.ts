/**
 * Unit tests of the megaflow table and its mask cache: insert refusals,
 * exact and ufid lookups, mask sharing and order, cache size validation,
 * the cache's hit counting and its upkeep when masks go. The randomised
 * oracle comparison is in megaflow-table.property.test.ts.
 */
import t from 'tap';
import { FlowKey, FlowOffset } from '../flow/index.ts';
import { MaskCache } from './mask-cache.ts';
import { DEFAULT_MASK_CACHE_SIZE, MegaflowTable, megaflowBucketHash, megaflowCacheHash } from './megaflow-table.ts';

const O = FlowOffset;

/** A key or mask from field values: u32 fields by default, `tp_*`/`dl_type` u16, `nw_proto` u8. */
function key(fields: Partial<Record<'in_port' | 'recirc_id' | 'nw_src' | 'nw_dst' | 'dl_type' | 'tp_src' | 'tp_dst' | 'nw_proto' | 'nw_ttl', number>>): FlowKey {
  const k = new FlowKey();
  for (const [name, v] of Object.entries(fields)) {
    const off = O[name as keyof typeof fields];
    if (name === 'dl_type' || name.startsWith('tp_')) k.view.setUint16(off, v);
    else if (name === 'nw_proto' || name === 'nw_ttl') k.view.setUint8(off, v);
    else k.view.setUint32(off, v >>> 0);
  }
  return k;
}
const ip = (s: string): number => s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
const prefix = (n: number): number => (n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0);
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const M_SRC24 = key({ dl_type: 0xffff, nw_src: prefix(24) });
const M_DST32 = key({ dl_type: 0xffff, nw_dst: prefix(32) });
const M_PORT = key({ in_port: 0xffffffff });

t.test('insert copies key & mask, shares equal masks, refuses duplicates and taken ufids', (t) => {
  const tbl = new MegaflowTable<string>();
  const k = key({ dl_type: 0x800, nw_src: ip('10.0.0.7'), nw_dst: ip('10.0.1.1'), tp_dst: 80 });
  const r1 = tbl.insert(k, M_SRC24, uuid(1), 'a');
  if (!r1.ok) throw new Error('first insert refused');
  t.equal(r1.entry.key.view.getUint32(O.nw_src), ip('10.0.0.0'), 'key stored masked');
  t.equal(r1.entry.key.view.getUint32(O.nw_dst), 0, 'unmasked field cleared');
  t.not(r1.entry.key, k, 'key copied');
  k.view.setUint32(O.nw_src, ip('10.0.0.99'));
  const r2 = tbl.insert(k, key({ dl_type: 0xffff, nw_src: prefix(24) }), uuid(2), 'b');
  t.match(r2, { ok: false, reason: 'exists' }, 'equal mask, equal masked key: exists');
  if (!r2.ok) t.equal(r2.existing, r1.entry, 'names the flow in the way');
  const r3 = tbl.insert(key({ dl_type: 0x800, nw_src: ip('10.0.9.0') }), M_SRC24, uuid(1), 'c');
  t.match(r3, { ok: false, reason: 'ufid-exists' }, 'ufid taken');
  const r4 = tbl.insert(k, M_SRC24, uuid(1), 'd');
  t.match(r4, { ok: false, reason: 'exists' }, 'duplicate key is reported before the ufid');
  const r5 = tbl.insert(key({ dl_type: 0x800, nw_src: ip('10.0.9.0') }), M_SRC24, uuid(5), 'e');
  const r6 = tbl.insert(key({ dl_type: 0x800, nw_src: ip('10.0.0.7') }), M_DST32, uuid(6), 'f');
  t.ok(r5.ok && r6.ok, 'other key, other mask');
  t.equal(tbl.flowCount, 3);
  t.equal(tbl.maskCount, 2);
  t.same(tbl.masks().map((m) => m.refCount), [2, 1], 'equal masks shared and counted');
  if (r5.ok) t.equal(r5.entry.mask, r1.entry.mask, 'same MaskEntry object');
  t.end();
});

t.test('findExact and findByUfid', (t) => {
  const tbl = new MegaflowTable<number>();
  const r = tbl.insert(key({ dl_type: 0x800, nw_src: ip('192.168.1.1') }), M_SRC24, uuid(1), 1);
  if (!r.ok) throw new Error('insert refused');
  t.equal(tbl.findExact(key({ dl_type: 0x800, nw_src: ip('192.168.1.200'), tp_dst: 9 }), M_SRC24), r.entry, 'unmasked bits ignored');
  t.equal(tbl.findExact(key({ dl_type: 0x800, nw_src: ip('192.168.2.1') }), M_SRC24), undefined, 'other masked key');
  t.equal(tbl.findExact(key({ dl_type: 0x800, nw_src: ip('192.168.1.1') }), key({ dl_type: 0xffff, nw_src: prefix(16) })), undefined, 'other mask');
  t.equal(tbl.findByUfid(uuid(1)), r.entry);
  t.equal(tbl.findByUfid(uuid(2)), undefined);
  r.entry.value = 42;
  t.equal(tbl.findByUfid(uuid(1))?.value, 42, 'value is the caller’s, mutable');
  tbl.remove(r.entry);
  t.equal(tbl.findByUfid(uuid(1)), undefined, 'gone after remove');
  t.equal(tbl.findExact(key({ dl_type: 0x800, nw_src: ip('192.168.1.1') }), M_SRC24), undefined);
  t.throws(() => tbl.remove(r.entry), /not in this table/, 'removing twice is a bug');
  const other = new MegaflowTable<number>();
  const r2 = other.insert(key({}), M_PORT, uuid(9), 0);
  if (r2.ok) t.throws(() => tbl.remove(r2.entry), /not in this table/, 'another table’s flow');
  t.end();
});

t.test('entries and masks keep insertion order; a freed mask leaves and comes back last', (t) => {
  const tbl = new MegaflowTable<number>();
  const add = (k: FlowKey, m: FlowKey, n: number) => {
    const r = tbl.insert(k, m, uuid(n), n);
    if (!r.ok) throw new Error(`insert ${n} refused`);
    return r.entry;
  };
  add(key({ in_port: 1 }), M_PORT, 1);
  const e2 = add(key({ dl_type: 0x800, nw_src: ip('10.0.0.1') }), M_SRC24, 2);
  add(key({ in_port: 2 }), M_PORT, 3);
  add(key({ dl_type: 0x800, nw_dst: ip('10.0.0.1') }), M_DST32, 4);
  add(key({ in_port: 3 }), M_PORT, 5);
  t.same(tbl.entries().map((e) => e.value), [1, 3, 5, 2, 4], 'by mask, then by insertion');
  const srcMask = e2.mask;
  tbl.remove(e2);
  t.equal(tbl.maskCount, 2, 'last flow took its mask');
  t.notOk(tbl.masks().includes(srcMask), 'mask gone from the list');
  t.ok(tbl.masks()[1]?.mask.equals(M_DST32), 'the others keep their order');
  add(key({ dl_type: 0x800, nw_src: ip('10.0.0.1') }), M_SRC24, 6);
  t.same(tbl.entries().map((e) => e.value), [1, 3, 5, 4, 6], 'recreated mask is last');
  t.equal(tbl.flush(), 5, 'flush counts flows');
  t.equal(tbl.flowCount, 0);
  t.equal(tbl.maskCount, 0);
  t.same(tbl.entries(), []);
  t.end();
});

t.test('setMaskCacheSize accepts 0 and powers of two up to 2^16', (t) => {
  const tbl = new MegaflowTable<number>();
  t.equal(tbl.maskCacheSize, DEFAULT_MASK_CACHE_SIZE);
  t.equal(DEFAULT_MASK_CACHE_SIZE, 256);
  for (const n of [0, 1, 2, 256, 4096, 65536]) {
    t.equal(tbl.setMaskCacheSize(n), true, `${n} accepted`);
    t.equal(tbl.maskCacheSize, n);
  }
  for (const n of [3, 100, 65537, 131072, -1, -256, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.equal(tbl.setMaskCacheSize(n), false, `${n} refused`);
    t.equal(tbl.maskCacheSize, 65536, 'size unchanged');
  }
  t.throws(() => new MegaflowTable({ maskCacheSize: 3 }), RangeError);
  t.equal(new MegaflowTable({ maskCacheSize: 0 }).maskCacheSize, 0);
  t.end();
});

/** Three masks; a packet that only the third matches. */
function threeMaskTable(cacheSize?: number) {
  const tbl = new MegaflowTable<string>(cacheSize === undefined ? undefined : { maskCacheSize: cacheSize });
  const must = <E>(r: { ok: true; entry: E } | { ok: false }): E => {
    if (!r.ok) throw new Error('insert refused');
    return r.entry;
  };
  const a = must(tbl.insert(key({ in_port: 9 }), M_PORT, uuid(1), 'port9'));
  const b = must(tbl.insert(key({ dl_type: 0x800, nw_src: ip('10.9.9.0') }), M_SRC24, uuid(2), 'src'));
  const c = must(tbl.insert(key({ dl_type: 0x800, nw_dst: ip('10.0.0.2') }), M_DST32, uuid(3), 'dst'));
  const pkt = key({ in_port: 1, dl_type: 0x800, nw_src: ip('10.0.0.1'), nw_dst: ip('10.0.0.2'), nw_proto: 17, tp_src: 5000, tp_dst: 53 });
  return { tbl, a, b, c, pkt };
}

t.test('the mask cache: a miss scans and learns, a hit probes one mask', (t) => {
  const { tbl, a, c, pkt } = threeMaskTable();
  const h = megaflowCacheHash(pkt);
  const r = tbl.lookup(pkt, h);
  t.match(r, { entry: c, nMaskHit: 3, cacheHit: false }, 'first packet scans all three');
  t.equal(tbl.lookup(pkt, h), r, 'result object reused');
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 1, cacheHit: true }, 'second packet: cached mask answers');
  t.match(tbl.lookup(pkt, 0), { entry: c, nMaskHit: 3, cacheHit: false }, 'hash 0 skips the cache');
  tbl.remove(a);
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 1, cacheHit: true }, 'cache follows the mask as the list closes up');
  const other = key({ in_port: 1, dl_type: 0x800, nw_src: ip('10.9.9.1'), nw_dst: ip('10.0.0.3') });
  t.match(tbl.lookup(other, h), { entry: { value: 'src' }, nMaskHit: 2, cacheHit: false }, 'same hash, other flow: cached mask misses, scan');
  t.match(tbl.lookup(other, h), { entry: { value: 'src' }, nMaskHit: 1, cacheHit: true }, 'slot now names the other mask');
  tbl.remove(c);
  t.match(tbl.lookup(pkt, h), { entry: undefined, nMaskHit: 1, cacheHit: false }, 'no flow: every mask probed');
  t.equal(tbl.flush(), 1);
  t.match(tbl.lookup(other, h), { entry: undefined, nMaskHit: 0, cacheHit: false }, 'empty table probes nothing');
  t.end();
});

t.test('the mask cache off, and a resize, scan in list order', (t) => {
  const { tbl, c, pkt } = threeMaskTable(0);
  const h = megaflowCacheHash(pkt);
  for (let i = 0; i < 3; i++) t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 3, cacheHit: false });
  t.ok(tbl.setMaskCacheSize(8));
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 3, cacheHit: false }, 'new cache starts empty');
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 1, cacheHit: true });
  t.ok(tbl.setMaskCacheSize(8));
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 1, cacheHit: true }, 'same size keeps the cache');
  t.end();
});

t.test('with overlapping flows the cached mask answers first, as in the kernel', (t) => {
  const { tbl, c, pkt } = threeMaskTable();
  const h = megaflowCacheHash(pkt);
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 3, cacheHit: false }, 'only the third mask matches; the slot learns it');
  const r = tbl.insert(key({ in_port: 1 }), M_PORT, uuid(7), 'port1');
  if (!r.ok) throw new Error('insert refused');
  t.match(tbl.lookup(pkt, 0), { entry: r.entry, nMaskHit: 1, cacheHit: false }, 'now the first mask matches too: list order picks it');
  t.match(tbl.lookup(pkt, h), { entry: c, nMaskHit: 1, cacheHit: true }, 'the cached third mask answers first');
  t.end();
});

t.test('a cache miss starts at the replaced slot\'s old mask, as the kernel does', (t) => {
  const { tbl, a, b } = threeMaskTable(1);
  const other = key({ in_port: 1, dl_type: 0x800, nw_src: ip('10.9.9.1') });
  t.match(tbl.lookup(other, 7), { entry: b, nMaskHit: 2 }, 'one slot; it learns mask 1');
  const port9 = key({ in_port: 9, dl_type: 0x800 });
  t.match(tbl.lookup(port9, 8), { entry: a, nMaskHit: 2, cacheHit: false }, 'other hash: probes mask 1, then 0');
  t.match(tbl.lookup(port9, 8), { entry: a, nMaskHit: 1, cacheHit: true }, 'the slot now holds hash 8 and mask 0');
  t.match(tbl.lookup(port9, 0), { entry: a, nMaskHit: 1, cacheHit: false }, 'without the cache: mask 0 first');
  t.end();
});

t.test('flows whose masked keys collide in the bucket hash stay apart', (t) => {
  // Two nw_src values with equal bucket hashes under an exact nw_src mask
  // (a 30-bit hash: a birthday search needs some 2^15 tries).
  const mask = key({ nw_src: 0xffffffff });
  const seen = new Map<number, number>();
  let pair: [number, number] | undefined;
  for (let v = 1; pair === undefined && v < 1 << 22; v++) {
    const h = megaflowBucketHash(key({ nw_src: v }), mask);
    const prev = seen.get(h);
    if (prev !== undefined) pair = [prev, v];
    else seen.set(h, v);
  }
  if (!pair) throw new Error('no colliding pair found');
  const tbl = new MegaflowTable<number>();
  const [x, y] = pair;
  const rx = tbl.insert(key({ nw_src: x }), mask, uuid(1), x);
  const ry = tbl.insert(key({ nw_src: y }), mask, uuid(2), y);
  t.ok(rx.ok && ry.ok, `0x${x.toString(16)} and 0x${y.toString(16)} both inserted`);
  t.equal(tbl.lookup(key({ nw_src: x }), 0).entry?.value, x);
  t.equal(tbl.lookup(key({ nw_src: y }), 0).entry?.value, y);
  t.equal(tbl.findExact(key({ nw_src: y }), mask)?.value, y);
  if (rx.ok) tbl.remove(rx.entry);
  t.equal(tbl.lookup(key({ nw_src: x }), 0).entry, undefined);
  t.equal(tbl.lookup(key({ nw_src: y }), 0).entry?.value, y, 'bucket mate survives');
  t.end();
});

t.test('megaflowCacheHash', (t) => {
  const base = { in_port: 1, dl_type: 0x800, nw_src: ip('10.0.0.1'), nw_dst: ip('10.0.0.2'), nw_proto: 6, tp_src: 1234, tp_dst: 80 };
  const h = megaflowCacheHash(key(base));
  t.not(h, 0);
  t.equal(megaflowCacheHash(new FlowKey()) === 0, false, 'never 0, even for a zero key');
  t.equal(megaflowCacheHash(key({ ...base, nw_ttl: 3 })), h, 'TTL not hashed');
  for (const [field, v] of [['in_port', 2], ['nw_src', 7], ['nw_dst', 7], ['nw_proto', 17], ['tp_src', 1], ['tp_dst', 1], ['recirc_id', 1]] as const) {
    t.not(megaflowCacheHash(key({ ...base, [field]: v })), h, `${field} hashed`);
  }
  t.ok(Number.isInteger(h) && h > 0 && h <= 0xffffffff, 'unsigned 32-bit');
  t.end();
});

t.test('MaskCache slot choice: own slot, else the emptiest of the four', (t) => {
  const c = new MaskCache(256);
  const hash = 0x04030201;
  t.equal(c.find(hash), -1 - 1, 'all empty: the first segment’s slot');
  c.hashes[1] = 0x99;
  c.hashes[2] = 0x98;
  t.equal(c.find(hash), -1 - 3, 'lowest stored hash (slot 3 empty)');
  c.hashes[3] = hash;
  t.equal(c.find(hash), 3, 'found in the third segment');
  c.maskIndex[1] = 2;
  c.maskIndex[3] = 5;
  c.forgetMask(2);
  t.same([c.hashes[1], c.maskIndex[1], c.maskIndex[3]], [0, 0, 4], 'slot of the freed mask emptied, later one shifted');
  t.end();
});
