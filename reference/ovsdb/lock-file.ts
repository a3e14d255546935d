/**
 * The lock that keeps two writers off one database file, at Open vSwitch's
 * path: `DIR/.NAME.~lock~` beside `DIR/NAME`.
 *
 * Open vSwitch holds a POSIX record lock (fcntl F_SETLK) on that file. Node
 * has no fcntl lock call, so a holder here keeps the lock file open with its
 * pid written in it, and a would-be holder refuses when
 *  - this process already holds it (a registry by device and inode), or
 *  - /proc/locks shows a POSIX or flock lock on it (a real ovsdb-server or
 *    ovsdb-tool), or
 *  - the pid written in it is a live process that has the file open (another
 *    refswitch). A SIGKILLed holder leaves its pid behind but no open file, so
 *    its lock is stale and is taken over.
 *
 * Left out on purpose: real OVS cannot see our lock (it takes its fcntl lock
 * regardless); two refswitch processes racing within microseconds may both win.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const held = new Set<string>();

/** `DIR/.NAME.~lock~` for `DIR/NAME`. */
export function lockFilePath(dbPath: string): string {
  return join(dirname(dbPath), `.${basename(dbPath)}.~lock~`);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pid holding a kernel lock on device `dev`, inode `ino` per /proc/locks, if any. */
function kernelLockHolder(dev: number, ino: number): number | undefined {
  const text = readText('/proc/locks');
  if (text === undefined) return undefined;
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  for (const line of text.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 18564 fe:00:2277668 0 EOF"
    const f = line.trim().split(/\s+/);
    const id = f[5]?.split(':');
    if (!id || id.length !== 3 || f[1] === '->') continue;
    if (parseInt(id[0] ?? '', 16) === major && parseInt(id[1] ?? '', 16) === minor && Number(id[2]) === ino) {
      const pid = Number(f[4]);
      if (pid !== process.pid) return pid;
    }
  }
  return undefined;
}

/** True when process `pid` has `path` open (via /proc/PID/fd). */
function processHasOpen(pid: number, path: string): boolean {
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(join(dir, fd)) === path) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/** A held lock; `release` it when done. */
export class LockFile {
  readonly path: string;
  readonly #fd: number;
  readonly #key: string;
  #released = false;

  private constructor(path: string, fd: number, key: string) {
    this.path = path;
    this.#fd = fd;
    this.#key = key;
  }

  /**
   * Takes the lock for database file `dbPath`, or throws an Error worded as
   * ovsdb-server's: "DB: failed to lock lockfile (Resource temporarily
   * unavailable)" plus who holds it.
   */
  static acquire(dbPath: string): LockFile {
    const path = lockFilePath(dbPath);
    const fd = openSync(path, 'a+', 0o600);
    try {
      const st = fstatSync(fd);
      const key = `${st.dev}:${st.ino}`;
      const real = realpathSync(path);
      const fail = (who: string): never => {
        throw new Error(`${dbPath}: failed to lock lockfile (Resource temporarily unavailable): ${path} is already locked by ${who}`);
      };
      if (held.has(key)) fail('this process');
      const kernelPid = kernelLockHolder(st.dev, st.ino);
      if (kernelPid !== undefined) fail(`pid ${kernelPid}`);
      const written = Number((readText(path) ?? '').trim());
      if (Number.isInteger(written) && written > 0 && written !== process.pid && processHasOpen(written, real)) fail(`pid ${written}`);
      ftruncateSync(fd, 0);
      writeSync(fd, `${process.pid}\n`, 0);
      held.add(key);
      return new LockFile(path, fd, key);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Empties the lock file (as OVS leaves it) and closes it. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    held.delete(this.#key);
    try {
      ftruncateSync(this.#fd, 0);
    } finally {
      closeSync(this.#fd);
    }
  }
}
