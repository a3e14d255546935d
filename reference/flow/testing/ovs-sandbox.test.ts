import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { OVS_INSTALL_HINT, findOvs, startOvsSandbox, traceFlowLine, traceMegaflowLine } from './ovs-sandbox.ts';

t.test('a missing installation is reported with the install hint', (t) => {
  const r = findOvs(['/nonexistent-dir-for-test']);
  t.notOk(r.ok);
  if (!r.ok) t.match(r.reason, OVS_INSTALL_HINT);
  t.end();
});

t.test('trace output lines are picked out', (t) => {
  const out = 'Flow: ip,in_port=1\n\nbridge("br0")\n-------------\n 0. No match.\n\nFinal flow: unchanged\nMegaflow: recirc_id=0,eth,ip,in_port=1,nw_frag=no\nDatapath actions: drop';
  t.equal(traceFlowLine(out), 'ip,in_port=1');
  t.equal(traceMegaflowLine(out), 'recirc_id=0,eth,ip,in_port=1,nw_frag=no');
  t.equal(traceFlowLine('error'), null);
  t.end();
});

const ovs = findOvs();
t.test('start, use and stop a private Open vSwitch', { skip: ovs.ok ? false : ovs.reason, timeout: 60_000 }, async (t) => {
  const sandbox = await startOvsSandbox({ bridges: [{ name: 'br0', ports: [{ name: 'p1', ofport: 1 }, { name: 'p7', ofport: 7 }] }] });
  const pids = ['ovsdb-server.pid', 'ovs-vswitchd.pid'].map((f) => Number(readFileSync(join(sandbox.dir, f), 'utf8').trim()));
  try {
    t.ok(pids.every((p) => p > 1), `daemon pids ${pids.join(', ')}`);
    const ports = await sandbox.vsctl(['--bare', '--columns=ofport', 'list', 'interface', 'p7']);
    t.equal(ports.stdout.trim(), '7', 'ofport_request honoured');
    const mode = await sandbox.vsctl(['get', 'bridge', 'br0', 'fail_mode']);
    t.equal(mode.stdout.trim(), 'secure');
    const tr = await sandbox.trace('br0', 'in_port=7,tcp,nw_dst=10.0.0.1,tp_dst=80');
    t.equal(tr.code, 0, tr.stderr);
    t.match(traceFlowLine(tr.stdout) ?? '', /^tcp,in_port=7,/);
    t.equal(traceMegaflowLine(tr.stdout), 'recirc_id=0,eth,ip,in_port=7,nw_frag=no', 'empty secure bridge: drop megaflow');
  } finally {
    await sandbox.stop();
    await sandbox.stop();
  }
  t.notOk(existsSync(sandbox.dir), 'run directory removed');
  for (const pid of pids) {
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    t.notOk(alive, `pid ${pid} stopped`);
  }
});
