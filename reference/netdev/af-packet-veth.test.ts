/**
 * PacketSocket's ring and readiness paths over a real veth pair (va ↔ vb)
 * in a network namespace of the test's own, deleted in teardown. Needs root,
 * `ip` and the built addon; otherwise skipped with the reason. Frames are
 * only ever sent inside that namespace (IPv6 off there, so the kernel sends
 * nothing of its own).
 * The object path (send/receive) is covered by steps/harness/packet-io.test.ts.
 */
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { AF_PACKET_ADDON_PATH, AfPacketError, PacketSocket, RxRing } from './index.ts';

const run = promisify(execFile);

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, AF_PACKET)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  if (!existsSync(AF_PACKET_ADDON_PATH)) return `addon not built (${AF_PACKET_ADDON_PATH}); run node scripts/build-native.js`;
  return false;
}

/** A namespace with an up veth pair va ↔ vb and no IPv6; deleted when the test ends. */
async function vethPair(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const ns = `afp-${process.pid}-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', ns]);
  t.teardown(async () => void (await run('ip', ['netns', 'del', ns])));
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  await run('ip', ['-n', ns, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']);
  await run('ip', ['-n', ns, 'link', 'set', 'va', 'up']);
  await run('ip', ['-n', ns, 'link', 'set', 'vb', 'up']);
  return ns;
}

/** A frame of `size` bytes (ethertype 0x88b5, local experimental) filled with `fill`; tagged with VLAN `vid` if given. */
function frame(size: number, fill: number, vid?: number): Buffer {
  const b = Buffer.alloc(size, fill);
  b.write('020000000002020000000001', 'hex');
  if (vid === undefined) {
    b.writeUInt16BE(0x88b5, 12);
  } else {
    b.writeUInt32BE(0x81000000 + vid, 12);
    b.writeUInt16BE(0x88b5, 16);
  }
  return b;
}

/** Everything ring-receivable now, as copies (receiveInto until a short batch). */
function drain(s: PacketSocket, ring: RxRing): Buffer[] {
  const out: Buffer[] = [];
  for (let n = ring.slots; n === ring.slots; ) {
    n = s.receiveInto(ring);
    for (let i = 0; i < n; i++) out.push(ring.frameCopy(i));
  }
  return out;
}

/** Resolves when `s` has been readable `times` times, draining into `ring`; the callback is removed then. */
function readableFrames(s: PacketSocket, ring: RxRing, want: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve, reject) => {
    s.onReadable((error) => {
      if (error !== undefined) return reject(error);
      got.push(...drain(s, ring));
      if (got.length >= want) {
        s.offReadable();
        resolve(got);
      }
    });
  });
}

const reason = skipReason();
t.test('ring and readiness I/O over a veth pair', { skip: reason }, async (t) => {
  const ns = await vethPair(t);
  const va = PacketSocket.open({ namespace: ns, ifname: 'va' });
  const vb = PacketSocket.open({ namespace: ns, ifname: 'vb' });
  t.teardown(() => (va.close(), vb.close()));

  t.test('receiveInto: frames as on the wire, VLAN tags put back, oversize frames dropped and counted', async (t) => {
    const ring = new RxRing({ slots: 8, slotBytes: 104 }); // frames up to 100 bytes, 104 once a tag is back
    const sent = [frame(60, 1), frame(101, 2), frame(100, 3), frame(104, 4, 5), frame(64, 5, 4095)];
    t.equal(va.send(sent), 5);
    const got = drain(vb, ring);
    t.same(got.map((f) => f.toString('hex')), [sent[0], sent[2], sent[3], sent[4]].map((f) => f?.toString('hex')), 'all but the 101-byte one');
    t.equal(ring.oversizeDrops, 1);
    t.same(drain(va, ring), [], 'a socket never sees what it sent');
  });

  t.test('a full-size tagged frame fills a slot exactly; rings of 1024 slots', async (t) => {
    const ring = new RxRing({ slots: 1024, slotBytes: 1518 });
    const sent = Array.from({ length: 1000 }, (_, i) => frame(1518, i & 0xff, i % 4095));
    t.equal(va.send(sent), 1000);
    const got = drain(vb, ring);
    t.equal(got.length, 1000);
    t.ok(got.every((f, i) => f.equals(sent[i] ?? Buffer.alloc(0))), 'every frame byte-identical');
  });

  t.test('receive() and receiveInto() on one socket, and two rings, in turns', async (t) => {
    const r1 = new RxRing({ slots: 4 });
    const r2 = new RxRing({ slots: 2, slotBytes: 256 });
    const round = async (i: number): Promise<void> => {
      va.send([frame(60, i), frame(70, i), frame(80, i)]);
      const viaObjects = i % 3 === 0;
      const got = viaObjects ? vb.receive().map((f) => f.data) : drain(vb, i % 3 === 1 ? r1 : r2);
      t.same(got.map((f) => f.length), [60, 70, 80], `round ${i} (${viaObjects ? 'receive' : `ring ${i % 3}`})`);
      t.ok(got.every((f) => f[20] === i), `round ${i}: this round's frames`);
    };
    for (let i = 0; i < 6; i++) await round(i);
  });

  t.test('sendFrom: frames forwarded straight out of a receive ring', async (t) => {
    const ring = new RxRing({ slots: 16 });
    const sent = [frame(60, 7), frame(1514, 8), frame(64, 9, 100)];
    va.send(sent);
    const n = vb.receiveInto(ring);
    t.equal(n, 3);
    t.equal(vb.sendFrom(ring, 2, 1), 2, 'frames 1 and 2 back out of vb');
    const back = va.receive();
    t.same(back.map((f) => f.data.toString('hex')), [sent[1], sent[2]].map((f) => f?.toString('hex')));
    t.throws(() => vb.sendFrom(ring, 20), RangeError, 'more frames than the ring describes');
  });

  t.test('onReadable: called when frames are queued; off inside the callback', async (t) => {
    const ring = new RxRing({ slots: 64 });
    const pending = readableFrames(vb, ring, 300);
    t.equal(va.send(Array.from({ length: 300 }, (_, i) => frame(60, i & 0xff))), 300);
    const got = await pending;
    t.equal(got.length, 300);
    t.notOk(vb.isWatched);
  });

  t.test('onReadable: the interface going down is reported once; polling goes on', async (t) => {
    const ring = new RxRing({ slots: 64 });
    const down = new Promise<unknown>((resolve) => vb.onReadable((error) => resolve(error)));
    await run('ip', ['-n', ns, 'link', 'set', 'vb', 'down']);
    const error = await down;
    t.ok(error instanceof AfPacketError);
    t.match(error, { code: 'ENETDOWN', message: /^watch vb in \S+ for frames: socket error on fd \d+: Network is down$/ });
    t.ok(vb.isWatched, 'still watched');
    await run('ip', ['-n', ns, 'link', 'set', 'vb', 'up']);
    const pending = readableFrames(vb, ring, 3);
    va.send([frame(60, 1), frame(60, 2), frame(60, 3)]);
    t.equal((await pending).length, 3, 'frames arrive again after the link is back up');
  });

  t.test('close inside the readable callback', async (t) => {
    const vc = PacketSocket.open({ namespace: ns, ifname: 'vb' });
    const ring = new RxRing({ slots: 4 });
    const closed = new Promise<number>((resolve) =>
      vc.onReadable(() => {
        const n = vc.receiveInto(ring);
        vc.close();
        resolve(n);
      }),
    );
    va.send([frame(60, 1)]);
    t.equal(await closed, 1);
    t.ok(vc.isClosed);
    drain(vb, ring);
  });
});
