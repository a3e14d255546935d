/**
 * The addon's readiness callbacks (pollStart/pollStop) on real fds without
 * root: a FIFO stands in for the packet socket (libuv polls both the same
 * way). Covers level-triggered calls, stopping and closing from inside the
 * callback, the process staying alive exactly while polling (in child
 * processes), callback-scope semantics (ticks and promise jobs right after
 * the callback, a throw as an uncaught exception) and the error path.
 * Packet sockets themselves are polled in af-packet-veth.test.ts (root).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AF_PACKET_ADDON_PATH, loadAfPacket } from './index.ts';

const built: string | false = existsSync(AF_PACKET_ADDON_PATH) ? false : `addon not built (${AF_PACKET_ADDON_PATH}); run node scripts/build-native.js`;
const CHILD_GUARD_MS = 30_000; // only so a hung child fails the test instead of hanging it

/** A FIFO opened read-write and non-blocking (so opening never waits for a peer). */
function makeFifo(t: { teardown(fn: () => void): void }): { path: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'af-packet-poll-'));
  const path = join(dir, 'fifo');
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr.toString()}`);
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  t.teardown(() => {
    try {
      closeSync(fd);
    } catch {
      // closed by the test
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, fd };
}

/** Runs `body` (CommonJS) in a child node with `b` = the addon, `fifo` = a FIFO path, `fs` loaded. */
function runChild(fifo: string, body: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const prelude = [
    `const fs = require('node:fs');`,
    `const b = require(process.argv[1]);`,
    `const fifo = process.argv[2];`,
    `const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);`,
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', `${prelude}\n${body}`, AF_PACKET_ADDON_PATH, fifo], { timeout: CHILD_GUARD_MS, encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

t.test('readiness callbacks on a FIFO', { skip: built }, async (t) => {
  const b = loadAfPacket();

  t.test('level-triggered: called while bytes are left, not after; stop inside the callback', async (t) => {
    const { fd } = makeFifo(t);
    const reads: number[] = [];
    await new Promise<void>((resolve) => {
      b.pollStart(fd, (error) => {
        t.equal(error, undefined);
        const buf = Buffer.alloc(1);
        reads.push(readSync(fd, buf, 0, 1, null));
        if (reads.length === 3) {
          t.equal(b.pollStop(fd), true);
          resolve();
        }
      });
      writeSync(fd, Buffer.from('abc'));
    });
    t.same(reads, [1, 1, 1], 'one byte per call, three calls');
    t.equal(b.pollStop(fd), false, 'already stopped');
  });

  t.test('ticks and promise jobs queued in the callback run before the next phase', async (t) => {
    const { fd } = makeFifo(t);
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      b.pollStart(fd, () => {
        b.pollStop(fd);
        readSync(fd, Buffer.alloc(8), 0, 8, null);
        setImmediate(() => {
          order.push('immediate');
          resolve();
        });
        void Promise.resolve().then(() => order.push('promise'));
        process.nextTick(() => order.push('tick'));
        order.push('callback');
      });
      writeSync(fd, Buffer.from('x'));
    });
    t.same(order, ['callback', 'tick', 'promise', 'immediate']);
  });

  t.test('one poll per fd; a regular file cannot be polled', async (t) => {
    const { fd } = makeFifo(t);
    b.pollStart(fd, () => undefined);
    t.throws(() => b.pollStart(fd, () => undefined), { code: 'EBUSY', message: `pollStart on fd ${fd}: Device or resource busy` });
    t.equal(b.pollStop(fd), true);
    const file = openSync(AF_PACKET_ADDON_PATH, 'r');
    t.teardown(() => closeSync(file));
    t.throws(() => b.pollStart(file, () => undefined), { code: 'EPERM', message: `uv_poll_init on fd ${file}: Operation not permitted` });
  });

  t.test('a poll error without a socket error stops polling and says so', async (t) => {
    const { path, fd: reader } = makeFifo(t);
    const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    t.teardown(() => closeSync(writer));
    const got = await new Promise<[Error | undefined, boolean | undefined]>((resolve) => {
      // A FIFO's write end reports POLLERR once no reader is left.
      b.pollStart(writer, (error, stopped) => {
        b.pollStop(writer);
        resolve([error, stopped]);
      });
      closeSync(reader);
    });
    t.match(got[0], { code: 'EBADF', message: `polling fd ${writer} failed: bad file descriptor` });
    t.equal(got[1], true);
  });
});

t.test('readiness callbacks and the life of the process (child processes)', { skip: built }, async (t) => {
  t.test('stopping inside the callback lets the process exit', async (t) => {
    const { path } = makeFifo(t);
    const r = runChild(path, `b.pollStart(fd, () => { console.log('called'); b.pollStop(fd); fs.closeSync(fd); }); fs.writeSync(fd, 'x');`);
    t.same([r.status, r.signal, r.stdout, r.stderr], [0, null, 'called\n', '']);
  });

  t.test('closeSocket inside the callback stops polling first, then closes', async (t) => {
    const { path } = makeFifo(t);
    const r = runChild(
      path,
      `b.pollStart(fd, () => { b.closeSocket(fd); console.log('closed', b.pollStop(fd)); setImmediate(() => console.log('loop still fine')); }); fs.writeSync(fd, 'x');`,
    );
    t.same([r.status, r.signal, r.stdout, r.stderr], [0, null, 'closed false\nloop still fine\n', '']);
  });

  t.test('a polled fd keeps the process alive until polling stops', async (t) => {
    const { path } = makeFifo(t);
    // The unref'd timer cannot keep the process alive; only the poll can.
    const r = runChild(path, `b.pollStart(fd, () => {}); setTimeout(() => { console.log('alive'); b.pollStop(fd); }, 50).unref();`);
    t.same([r.status, r.signal, r.stdout], [0, null, 'alive\n']);
  });

  t.test('an exception in the callback is an uncaught exception of the process', async (t) => {
    const { path } = makeFifo(t);
    const r = runChild(
      path,
      `process.on('uncaughtException', (e) => { console.log('uncaught', e.message); b.pollStop(fd); });
       b.pollStart(fd, () => { throw new Error('boom'); }); fs.writeSync(fd, 'x');`,
    );
    t.same([r.status, r.signal, r.stdout], [0, null, 'uncaught boom\n']);
    const r2 = runChild(path, `b.pollStart(fd, () => { throw new Error('boom'); }); fs.writeSync(fd, 'x');`);
    t.equal(r2.status, 1, 'unhandled, it ends the process like any other');
    t.match(r2.stderr, /Error: boom/);
  });

  t.test('a worker that exits while polling closes its handles', async (t) => {
    const { path } = makeFifo(t);
    const r = runChild(
      path,
      `const { Worker } = require('node:worker_threads');
       const w = new Worker("const b = require(require('node:worker_threads').workerData.addon); const fs = require('node:fs');" +
         "const fd = fs.openSync(require('node:worker_threads').workerData.fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);" +
         "b.pollStart(fd, () => {}); setImmediate(() => process.exit(0));", { eval: true, workerData: { addon: process.argv[1], fifo } });
       w.on('exit', (code) => console.log('worker exit', code));`,
    );
    t.same([r.status, r.signal, r.stdout, r.stderr], [0, null, 'worker exit 0\n', '']);
  });
});
