/**
 * PacketSocket and the addon without root or interfaces: loading errors,
 * argument validation (in C and in TypeScript), errno errors on bad fds,
 * and the wrapper's bookkeeping against a fake binding. Readiness callbacks
 * on real fds are tested in af-packet-poll.test.ts; traffic over real veths
 * in af-packet-veth.test.ts and steps/harness/packet-io.test.ts (root).
 */
import t from 'tap';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AF_PACKET_ADDON_PATH,
  AfPacketError,
  PacketSocket,
  RxRing,
  loadAfPacket,
  type AfPacketBinding,
  type PollCallback,
  type RawFrame,
  type SocketStats,
} from './index.ts';

const BAD_FD = 2 ** 30; // above any RLIMIT_NOFILE: always EBADF, never one of ours
const frame = (n: number): Uint8Array => new Uint8Array(n).fill(0xab);

t.test('loadAfPacket: a missing .node says how to build it', async (t) => {
  t.throws(() => loadAfPacket('/nonexistent/af-packet.node'), {
    message: 'AF_PACKET addon not built: /nonexistent/af-packet.node is missing; run node scripts/build-native.js',
  });
});

t.test('loadAfPacket: a module without the functions is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'af-packet-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fake.cjs');
  writeFileSync(path, 'module.exports = { openSocket() {} };\n');
  t.throws(() => loadAfPacket(path), {
    message: `${path} is not the AF_PACKET addon: it lacks sendBatch, sendFrom, recvBatch, recvInto, pollStart, pollStop, stats, closeSocket`,
  });
});

interface Fake {
  binding: AfPacketBinding;
  calls: string[];
  fd: number;
  /** The callback of the last pollStart. */
  poll: PollCallback | undefined;
}

/** A binding that records calls; fds are real (of /dev/null) so fstat works. */
function fakeBinding(overrides: Partial<AfPacketBinding> = {}): Fake {
  const fd = openSync('/dev/null', 'r');
  const fake: Fake = { calls: [], fd, poll: undefined, binding: undefined as unknown as AfPacketBinding };
  const calls = fake.calls;
  fake.binding = {
    openSocket: (ns, ifname, rcvbuf) => (calls.push(`open ${ns} ${ifname} ${rcvbuf}`), fd),
    sendBatch: (_fd, frames) => (calls.push(`send ${frames.length}`), frames.length),
    sendFrom: (_fd, _data, _offsets, _lengths, first, count) => (calls.push(`sendFrom ${first} ${count}`), count),
    recvBatch: (): RawFrame[] => (calls.push('recv'), []),
    recvInto: (_fd, _data, slotBytes, lengths, offsets, oversize) => {
      calls.push(`recvInto ${slotBytes} ${lengths.length}`);
      offsets.set([4, slotBytes]);
      lengths.set([60, 64]);
      oversize[0] = (oversize[0] ?? 0) + 1;
      return 2;
    },
    pollStart: (_fd, cb) => {
      calls.push('pollStart');
      fake.poll = cb;
    },
    pollStop: () => (calls.push('pollStop'), true),
    stats: (): SocketStats => (calls.push('stats'), { packets: 3, drops: 1 }),
    closeSocket: () => void calls.push('close'),
    ...overrides,
  };
  return fake;
}

t.test('PacketSocket.open: namespace names become /run/netns paths; defaults', async (t) => {
  const { binding, calls, fd } = fakeBinding();
  t.teardown(() => closeSync(fd));
  PacketSocket.open({ ifname: 'p1-h', namespace: 'rsw-0-abcdef', binding });
  PacketSocket.open({ ifname: 'p1', namespace: '/proc/1/ns/net', rcvbufBytes: 4096, binding });
  PacketSocket.open({ ifname: 'p2', binding });
  t.same(calls, ['open /run/netns/rsw-0-abcdef p1-h 33554432', 'open /proc/1/ns/net p1 4096', 'open null p2 33554432']);
});

t.test('PacketSocket.open: bad options are RangeErrors before any syscall', async (t) => {
  const { binding, calls, fd } = fakeBinding();
  t.teardown(() => closeSync(fd));
  t.throws(() => PacketSocket.open({ ifname: 'p1', namespace: '../x', binding }), RangeError);
  t.throws(() => PacketSocket.open({ ifname: 'p1', namespace: 'a/b', binding }), RangeError);
  t.throws(() => PacketSocket.open({ ifname: 'p1', rcvbufBytes: -1, binding }), RangeError);
  t.throws(() => PacketSocket.open({ ifname: 'p1', rcvbufBytes: 1.5, binding }), RangeError);
  t.same(calls, []);
});

t.test('PacketSocket: stats accumulate, close is idempotent, use after close throws', async (t) => {
  const { binding, calls, fd } = fakeBinding();
  t.teardown(() => closeSync(fd));
  const s = PacketSocket.open({ ifname: 'p1', namespace: 'rsw-0-abcdef', binding });
  t.equal(s.describe(), 'p1 in rsw-0-abcdef');
  t.same(s.stats(), { packets: 3, drops: 1 });
  t.same(s.stats(), { packets: 6, drops: 2 }, 'the kernel resets on read; the wrapper adds up');
  t.equal(s.send([frame(14), frame(60)]), 2);
  t.equal(s.send([]), 0);
  t.same(s.receive(), []);
  t.notOk(s.isClosed);
  s.close();
  s.close();
  t.ok(s.isClosed);
  t.equal(calls.filter((c) => c === 'close').length, 1, 'closeSocket called once');
  t.throws(() => s.send([frame(60)]), { message: 'send on closed packet socket (p1 in rsw-0-abcdef)' });
  t.throws(() => s.receive(), /closed packet socket/);
  t.throws(() => s.stats(), /closed packet socket/);
});

t.test('PacketSocket: frame and count validation', async (t) => {
  const { binding, calls, fd } = fakeBinding();
  t.teardown(() => closeSync(fd));
  const s = PacketSocket.open({ ifname: 'p1', binding });
  t.throws(() => s.send([frame(60), frame(13)]), { name: 'RangeError', message: 'frame 1 is 13 bytes; frames are 14..65535 bytes' });
  t.throws(() => s.send([frame(65536)]), RangeError);
  t.throws(() => s.receive(0), RangeError);
  t.throws(() => s.receive(2.5), RangeError);
  t.notOk(calls.some((c) => c.startsWith('send') || c === 'recv'), 'nothing reached the binding');
});

t.test('PacketSocket: addon errors gain the socket and keep the errno name', async (t) => {
  const failing = (): never => {
    throw Object.assign(new Error('sendmmsg on fd 7 (frame of 9000 bytes): Message too long'), { code: 'EMSGSIZE' });
  };
  const { binding, fd } = fakeBinding({ sendBatch: failing });
  t.teardown(() => closeSync(fd));
  const s = PacketSocket.open({ ifname: 'p1', namespace: 'ns1', binding });
  const err = t.throws(() => s.send([frame(9000)]));
  t.ok(err instanceof AfPacketError);
  t.match(err, { code: 'EMSGSIZE', message: 'send on p1 in ns1: sendmmsg on fd 7 (frame of 9000 bytes): Message too long' });
});

t.test('PacketSocket.receiveInto and sendFrom: the ring is filled in place; zero counts cost no call', async (t) => {
  const { binding, calls, fd } = fakeBinding();
  t.teardown(() => closeSync(fd));
  const s = PacketSocket.open({ ifname: 'p1', binding });
  const ring = new RxRing({ slots: 4, slotBytes: 128 });
  t.equal(s.receiveInto(ring), 2);
  t.equal(ring.count, 2);
  t.same([ring.frame(0).byteOffset, ring.frame(0).length, ring.frame(1).byteOffset, ring.frame(1).length], [4, 60, 128, 64]);
  t.equal(ring.oversizeDrops, 1);
  t.equal(s.sendFrom(ring, 2), 2);
  t.equal(s.sendFrom(ring, 1, 1), 1);
  t.equal(s.sendFrom(ring, 0), 0);
  t.same(calls.slice(1), ['recvInto 128 4', 'sendFrom 0 2', 'sendFrom 1 1']);
  s.close();
  t.throws(() => s.receiveInto(ring), { message: 'receiveInto on closed packet socket (p1)' });
  t.throws(() => s.sendFrom(ring, 1), /closed packet socket/);
});

t.test('PacketSocket.receiveInto: an addon error leaves an empty ring and names the socket', async (t) => {
  const failing = (): never => {
    throw Object.assign(new Error('recvmmsg on fd 7: Network is down'), { code: 'ENETDOWN' });
  };
  const { binding, fd } = fakeBinding({ recvInto: failing });
  t.teardown(() => closeSync(fd));
  const s = PacketSocket.open({ ifname: 'p1', namespace: 'ns1', binding });
  const ring = new RxRing({ slots: 2 });
  ring.count = 2;
  t.throws(() => s.receiveInto(ring), { name: 'AfPacketError', code: 'ENETDOWN', message: 'receive on p1 in ns1: recvmmsg on fd 7: Network is down' });
  t.equal(ring.count, 0);
});

t.test('PacketSocket.onReadable: one poll per socket, callbacks swap, off and close stop it', async (t) => {
  const fake = fakeBinding();
  t.teardown(() => closeSync(fake.fd));
  const s = PacketSocket.open({ ifname: 'p1', binding: fake.binding });
  const seen: string[] = [];
  s.onReadable(() => seen.push('first'));
  s.onReadable(() => seen.push('second'));
  t.ok(s.isWatched);
  fake.poll?.();
  t.same(seen, ['second'], 'the later callback replaced the earlier one');
  s.offReadable();
  s.offReadable();
  t.notOk(s.isWatched);
  s.onReadable(() => seen.push('third'));
  s.close();
  t.notOk(s.isWatched);
  t.same(fake.calls.slice(1), ['pollStart', 'pollStop', 'pollStart', 'pollStop', 'close'], 'close stops polling before closing the fd');
  t.throws(() => s.onReadable(() => undefined), { message: 'onReadable on closed packet socket (p1)' });
  s.offReadable();
});

t.test('PacketSocket.onReadable: socket errors reach the callback; a stopped poll is released', async (t) => {
  const fake = fakeBinding();
  t.teardown(() => closeSync(fake.fd));
  const s = PacketSocket.open({ ifname: 'p1', namespace: 'ns1', binding: fake.binding });
  const errors: unknown[] = [];
  s.onReadable((e) => errors.push(e));
  fake.poll?.(Object.assign(new Error('socket error on fd 7: Network is down'), { code: 'ENETDOWN' }), false);
  t.ok(s.isWatched, 'polling goes on after a socket error');
  fake.poll?.(Object.assign(new Error('polling fd 7 failed: bad file descriptor'), { code: 'EBADF' }), true);
  t.notOk(s.isWatched, 'a stopped poll is unregistered before the callback runs');
  t.match(errors, [
    { name: 'AfPacketError', code: 'ENETDOWN', message: 'watch p1 in ns1 for frames: socket error on fd 7: Network is down' },
    { name: 'AfPacketError', code: 'EBADF' },
  ]);
  t.same(fake.calls.slice(1), ['pollStart', 'pollStop']);
  s.close();
});

t.test('PacketSocket: closing from inside the readable callback', async (t) => {
  const fake = fakeBinding();
  t.teardown(() => closeSync(fake.fd));
  const s = PacketSocket.open({ ifname: 'p1', binding: fake.binding });
  s.onReadable(() => s.close());
  fake.poll?.();
  t.ok(s.isClosed);
  t.same(fake.calls.slice(1), ['pollStart', 'pollStop', 'close']);
});

const built: string | false = existsSync(AF_PACKET_ADDON_PATH) ? false : `addon not built (${AF_PACKET_ADDON_PATH}); run node scripts/build-native.js`;

t.test('the real addon: argument validation throws TypeError', { skip: built }, async (t) => {
  const b = loadAfPacket();
  t.throws(() => (b.recvBatch as (...a: unknown[]) => unknown)(1), { name: 'TypeError', message: 'too few arguments' });
  t.throws(() => b.recvBatch(-1, 1), { name: 'TypeError', message: 'fd must be a non-negative integer' });
  t.throws(() => b.recvBatch(1.5, 1), TypeError);
  t.throws(() => b.recvBatch(BAD_FD, -2), { message: 'maxFrames must be a non-negative integer' });
  t.throws(() => b.openSocket(null, '', 0), { name: 'TypeError', message: /ifname must be a non-empty string/ });
  t.throws(() => b.openSocket(null, 'x'.repeat(16), 0), { name: 'TypeError', message: /shorter than 16 bytes/ });
  t.throws(() => (b.sendBatch as (...a: unknown[]) => unknown)(BAD_FD, 'frames'), { name: 'TypeError', message: 'frames must be an array of Uint8Array' });
  t.throws(() => b.sendBatch(BAD_FD, [new Uint16Array(30) as unknown as Uint8Array]), TypeError);
});

t.test('the real addon: bad fds give errno errors naming the call', { skip: built }, async (t) => {
  const b = loadAfPacket();
  t.throws(() => b.recvBatch(BAD_FD, 1), { code: 'EBADF', message: `recvmmsg on fd ${BAD_FD}: Bad file descriptor` });
  t.throws(() => b.sendBatch(BAD_FD, [frame(60)]), { code: 'EBADF', message: `sendmmsg on fd ${BAD_FD} (frame of 60 bytes): Bad file descriptor` });
  t.throws(() => b.stats(BAD_FD), { code: 'EBADF', message: `getsockopt PACKET_STATISTICS on fd ${BAD_FD}: Bad file descriptor` });
  t.throws(() => b.closeSocket(BAD_FD), { code: 'EBADF', message: `close fd ${BAD_FD}: Bad file descriptor` });
  t.equal(b.sendBatch(BAD_FD, []), 0, 'nothing to send: no syscall');
});

t.test('the real addon: open failures say what failed', { skip: built }, async (t) => {
  const err = t.throws(() => PacketSocket.open({ ifname: 'p1', namespace: 'rsw-no-such-ns' }));
  t.match(err, {
    name: 'AfPacketError',
    code: 'ENOENT',
    message: 'open AF_PACKET socket on p1 in rsw-no-such-ns: open /run/netns/rsw-no-such-ns: No such file or directory',
  });
  // As root the interface lookup fails; without CAP_NET_RAW, socket() already does.
  const err2 = t.throws(() => PacketSocket.open({ ifname: 'nosuchif9' }));
  t.match(err2, { name: 'AfPacketError', message: /^open AF_PACKET socket on nosuchif9: (SIOCGIFINDEX nosuchif9: No such device|socket\(AF_PACKET\): Operation not permitted)$/ });
});

t.test('the real addon: ring and span arguments are checked before any syscall', { skip: built }, async (t) => {
  const b = loadAfPacket();
  const u8 = new Uint8Array(4 * 128);
  const u32 = (n: number): Uint32Array => new Uint32Array(n);
  const over = new Float64Array(1);
  t.throws(() => b.recvInto(BAD_FD, u8, 128, u32(4), u32(4), new Float32Array(1) as unknown as Float64Array), { name: 'TypeError', message: 'oversize must be a Float64Array' });
  t.throws(() => b.recvInto(BAD_FD, new Uint16Array(4) as unknown as Uint8Array, 128, u32(4), u32(4), over), { name: 'TypeError', message: 'data must be a Uint8Array' });
  t.throws(() => b.recvInto(BAD_FD, u8, 129, u32(4), u32(4), over), { name: 'RangeError', message: /^ring of 4 slots of 129 bytes does not fit \(data 512 bytes/ });
  t.throws(() => b.recvInto(BAD_FD, u8, 128, u32(4), u32(3), over), RangeError, 'too few offsets');
  t.throws(() => b.recvInto(BAD_FD, u8, 18, u32(4), u32(4), over), RangeError, 'slot too small');
  t.throws(() => b.recvInto(BAD_FD, new Uint8Array(1025 * 19), 19, u32(1025), u32(1025), over), RangeError, 'more than 1024 slots');
  t.throws(() => b.recvInto(BAD_FD, u8, 128, u32(0), u32(0), over), RangeError, 'no slots');
  const offsets = Uint32Array.of(0, 100, 500);
  const lengths = Uint32Array.of(60, 60, 60);
  t.throws(() => b.sendFrom(BAD_FD, u8, offsets, lengths, 2, 2), { name: 'RangeError', message: 'frames 2..3 are not all described (3 offsets, 3 lengths; at most 1024 at once)' });
  t.throws(() => b.sendFrom(BAD_FD, u8, offsets, lengths, 0, 3), { name: 'RangeError', message: 'frame 2 (offset 500, 60 bytes) is not 14..65535 bytes inside data (512 bytes)' });
  t.throws(() => b.sendFrom(BAD_FD, u8, offsets, Uint32Array.of(60, 13, 60), 0, 2), { message: /^frame 1 \(offset 100, 13 bytes\)/ });
  t.throws(() => b.sendFrom(BAD_FD, u8, offsets, lengths as unknown as Uint32Array, 0, 1025), RangeError);
  t.throws(() => b.pollStart(BAD_FD, 'cb' as unknown as PollCallback), { name: 'TypeError', message: 'callback must be a function' });
});

t.test('the real addon: ring I/O on a bad fd gives errno errors', { skip: built }, async (t) => {
  const b = loadAfPacket();
  const ring = new RxRing({ slots: 2 });
  t.throws(() => b.recvInto(BAD_FD, ring.data, ring.slotBytes, ring.lengths, ring.offsets, ring.oversizeCounter), {
    code: 'EBADF',
    message: `recvmmsg on fd ${BAD_FD}: Bad file descriptor`,
  });
  ring.offsets.set([0, 2048]);
  ring.lengths.set([60, 60]);
  t.throws(() => b.sendFrom(BAD_FD, ring.data, ring.offsets, ring.lengths, 0, 2), { code: 'EBADF', message: `sendmmsg on fd ${BAD_FD} (frame of 60 bytes): Bad file descriptor` });
  t.equal(b.sendFrom(BAD_FD, ring.data, ring.offsets, ring.lengths, 0, 0), 0, 'nothing to send: no syscall');
  t.equal(b.pollStop(BAD_FD), false, 'stopping a poll that never started');
});
