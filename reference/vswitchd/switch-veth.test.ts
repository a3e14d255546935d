/**
 * `refswitch switch` with a system port (Interface.type "") on a real veth,
 * configured by the real ovs-vsctl without --no-wait. The switch runs in a
 * network namespace of the test's own (IPv6 off, deleted in teardown) that
 * holds the pair v1 ↔ v1h; its database socket is a file, so ovs-vsctl
 * reaches it from outside. Checks ofport, mac_in_use and ifindex read from
 * the device, a frame sent on v1h counted in Interface.statistics (written
 * every 5 s, as OVS does), and removal. Needs root, `ip netns`, Open
 * vSwitch's tools and schema and the AF_PACKET addon; skipped with the
 * reason otherwise. Frames stay inside the namespace.
 */
import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { AF_PACKET_ADDON_PATH } from '../netdev/index.ts';
import { ovsMissing, vsctl } from './testing/ovs-daemons.ts';

const run = promisify(execFile);
const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/refswitch.js');

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespace, veth, AF_PACKET)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  if (!existsSync(AF_PACKET_ADDON_PATH)) return `addon not built (${AF_PACKET_ADDON_PATH}); run node scripts/build-native.js`;
  return ovsMissing();
}

const SEND_PY = 'import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\ns.bind((sys.argv[1],0))\ns.send(bytes.fromhex(sys.argv[2]))';
const FRAME_HEX = 'ffffffffffff' + '020000000001' + '88b5' + '00'.repeat(46);

const skip = skipReason();
if (skip !== undefined) {
  t.test('system port on a veth through OVSDB', { skip }, () => undefined);
} else {
  t.test('system port on a veth through OVSDB', async (t) => {
    const ns = `vsd-${process.pid}-${randomBytes(3).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'swveth-'));
    await run('ip', ['netns', 'add', ns]);
    t.teardown(async () => {
      await run('ip', ['netns', 'del', ns]);
      rmSync(dir, { recursive: true, force: true });
    });
    await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await run('ip', ['-n', ns, 'link', 'add', 'v1', 'type', 'veth', 'peer', 'name', 'v1h']);
    await run('ip', ['-n', ns, 'link', 'set', 'v1', 'up']);
    await run('ip', ['-n', ns, 'link', 'set', 'v1h', 'up']);
    const link = JSON.parse((await run('ip', ['-n', ns, '-j', 'link', 'show', 'v1'])).stdout) as { ifindex: number; address: string }[];

    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'switch', '--rundir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    t.teardown(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    for (let i = 0; !existsSync(join(dir, 'refswitch.pid')); i++) {
      if (child.exitCode !== null || i > 600) throw new Error(`refswitch switch did not start: ${stderr}`);
      await sleep(50);
    }
    const db = `unix:${join(dir, 'db.sock')}`;
    const get = async (...args: string[]): Promise<string> => (await vsctl(db, ['get', ...args])).stdout.trim();

    t.equal((await vsctl(db, ['add-br', 'br0', '--', 'add-port', 'br0', 'v1', '--', 'set', 'interface', 'v1', 'ofport_request=3'])).code, 0);
    t.equal(await get('interface', 'v1', 'ofport'), '3');
    t.equal(await get('interface', 'v1', 'mac_in_use'), `"${link[0]?.address ?? ''}"`);
    t.equal(await get('interface', 'v1', 'ifindex'), String(link[0]?.ifindex));
    t.equal(await get('interface', 'v1', 'link_state'), 'up');

    await run('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', SEND_PY, 'v1h', FRAME_HEX]);
    let rx = '';
    for (let i = 0; i < 80 && rx !== '1'; i++) {
      await sleep(100);
      rx = await get('interface', 'v1', 'statistics:rx_packets');
    }
    t.equal(rx, '1', 'the frame is counted within one statistics period');

    const bad = await vsctl(db, ['add-port', 'br0', 'nosuchdev3']);
    t.match(bad.stderr, 'could not open network device nosuchdev3 (No such device)');
    t.equal((await vsctl(db, ['del-br', 'br0'])).code, 0);
    t.equal((await vsctl(db, ['show'])).stdout.split('\n').length, 2, 'only the Open_vSwitch row is left');
    child.kill('SIGTERM');
    t.equal(await exited, 0);
  });
}
