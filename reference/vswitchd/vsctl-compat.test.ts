/**
 * Acceptance: the real `ovs-vsctl`, WITHOUT --no-wait (so every changing
 * command waits for the switch's next_cfg → cur_cfg handshake), runs the
 * same command sequence against
 *  (a) Open vSwitch 3.1: ovsdb-server + ovs-vswitchd --enable-dummy=override,
 *  (b) `refswitch switch` with its own OVSDB server (DIR/db.sock),
 *  (c) `refswitch switch --db` on Open vSwitch's ovsdb-server,
 * and the transcripts (stdout, stderr, exit code of every command) must be
 * equal after these normalisations, each needed because the value
 * legitimately differs between runs or implementations:
 *  1. UUIDs → <uuid1>, <uuid2>… in order of first appearance: random per run.
 *  2. mac_in_use → <mac>: OVS numbers dummy MACs by a process-wide counter
 *     that its own start-up already advanced; internal ports' MACs come
 *     from the bridge UUID (rule 1).
 *  3. datapath_id not set through other-config → <dpid>: derived from the
 *     bridge MAC, so from its UUID (rule 1). (The derivation itself is
 *     checked in bridge-config.test.ts against a value OVS produced.)
 *  4. statistics → <statistics>: live counters, and OVS in dummy-override
 *     mode reports netdev-dummy's debugging counters for internal ports.
 *  5. Open_vSwitch datapath_types / iface_types → <types>: each switch
 *     advertises what it implements.
 *  6. `show` and `find`: sibling blocks sorted. ovs-vsctl prints rows in
 *     hash-table order, which follows the UUIDs (rule 1).
 * Skips with the reason when not root or when Open vSwitch is not installed.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ovsMissing, RealOvsdb, RealVswitchd } from './testing/ovs-daemons.ts';
import { normalise, runSequence } from './testing/vsctl-compat.ts';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/refswitch.js');
const skip = process.getuid?.() !== 0 ? 'needs root (runs ovs-vswitchd)' : ovsMissing(true);

async function startRefswitch(dir: string, db?: string): Promise<{ db: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'switch', '--rundir', dir, ...(db ? ['--db', db] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; !existsSync(join(dir, 'refswitch.pid')); i++) {
    if (child.exitCode !== null || i > 600) {
      child.kill('SIGKILL');
      throw new Error(`refswitch switch did not start: ${stderr}`);
    }
    await sleep(50);
  }
  return {
    db: db ?? `unix:${join(dir, 'db.sock')}`,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

if (skip !== undefined) {
  t.test('ovs-vsctl against Open vSwitch and refswitch', { skip }, () => undefined);
} else {
  t.test('ovs-vsctl without --no-wait: Open vSwitch and refswitch print the same', async (t) => {
    const base = mkdtempSync(join(tmpdir(), 'vsctl-'));
    t.teardown(() => rmSync(base, { recursive: true, force: true }));
    const dirs = ['ovs', 'ref', 'refdb'].map((d) => join(base, d));
    for (const d of dirs) mkdirSync(d);
    const [ovsDir = '', refDir = '', refDbDir = ''] = dirs;

    const ovsdb = await RealOvsdb.start(ovsDir, { init: false });
    t.teardown(() => ovsdb.stop());
    const vswitchd = await RealVswitchd.start(ovsdb);
    t.teardown(() => vswitchd.stop());
    const expected = normalise(await runSequence(ovsdb.db));
    await vswitchd.stop();

    const ref = await startRefswitch(refDir);
    const got = normalise(await runSequence(ref.db));
    t.equal(await ref.stop(), 0, 'refswitch switch exits cleanly');
    t.equal(got, expected, 'refswitch switch with its own OVSDB server');

    const realDb = await RealOvsdb.start(refDbDir, { init: false });
    t.teardown(() => realDb.stop());
    const ref2 = await startRefswitch(refDbDir, realDb.db);
    const got2 = normalise(await runSequence(ref2.db));
    t.equal(await ref2.stop(), 0);
    t.equal(got2, expected, 'refswitch switch --db on Open vSwitch\'s ovsdb-server');
  });
}
