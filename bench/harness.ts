/**
 * bench/harness: what one scenario costs the harness, on a switch under test.
 *
 *  1. overhead: sandbox (netns + 3 veth pairs) + switch start + bridge with
 *     3 ports + teardown, no traffic — the fixed cost of every scenario;
 *  2. replay: the same plus 1,000 packets replayed into p1 through a flow
 *     `in_port=1 actions=output:2`, captured on p2 until quiet, checked
 *     complete; its time and the replay's own rate.
 *  3. the same paced replay with no switch (p1-h → p1, read on the switch
 *     end), so the ratio harness-with-switch ÷ no-switch says whether the
 *     switch or the harness's send pacing sets the pace. (bench/veth gives
 *     the unpaced veth ceiling.)
 * Each figure is the median of N runs (default 5). Root only. The switch is
 * Open vSwitch (`--target ovs`, the only adapter so far); the reference joins
 * when it exists. Asserts nothing.
 *
 * Usage: node --import tsx bench/harness.ts [--runs N] [--packets N] [--target ovs]
 */
import { parseArgs } from 'node:util';
import { PacketSocket } from '../reference/netdev/index.ts';
import { encodePacket } from '../reference/packet/index.ts';
import { adapterByName } from '../steps/adapters/index.ts';
import { Sandbox, SandboxTraffic } from '../steps/harness/index.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, packets: { type: 'string', default: '1000' }, target: { type: 'string', default: 'ovs' } } });
const runs = Number(values.runs);
const packets = Number(values.packets);
const adapter = adapterByName(values.target);
if (adapter === undefined) throw new Error(`unknown target ${values.target}`);
if (process.geteuid?.() !== 0) {
  console.log('bench/harness needs root (network namespaces); skipped');
  process.exit(0);
}
const why = await adapter.checkAvailable();
if (why !== undefined) {
  console.log(`bench/harness: ${adapter.name} unavailable: ${why}`);
  process.exit(0);
}

function frames(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    encodePacket([
      { name: 'Ether', fields: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } },
      { name: 'IP', fields: { src: '10.0.0.1', dst: '10.0.0.2' } },
      { name: 'UDP', fields: { sport: 1000 + (i % 50), dport: 2000 } },
      { name: 'Raw', fields: { load: 'x'.repeat(18) } },
    ]),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function scenario(traffic: Uint8Array[] | undefined): Promise<{ totalMs: number; replayMs: number }> {
  const t0 = performance.now();
  const sandbox = await Sandbox.create({ scenarioId: 'bench/harness', ports: ['p1', 'p2', 'p3'] });
  let replayMs = 0;
  try {
    const sut = await adapter!.start(sandbox, { slowFactor: 1 });
    await sut.addBridge({ name: 'br0', failMode: 'secure', ports: [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 2 }, { name: 'p3', ofport: 3 }] });
    if (traffic !== undefined) {
      await sut.addFlows('br0', ['in_port=1 actions=output:2']);
      const io = SandboxTraffic.open(sandbox);
      const r0 = performance.now();
      await io.send('p1', traffic);
      await io.waitQuiet();
      replayMs = performance.now() - r0;
      const got = io.take('p2').length;
      if (got !== traffic.length) throw new Error(`replay lost packets: sent ${traffic.length}, p2 emitted ${got}`);
      io.close();
    }
    await sut.tearDown();
  } finally {
    const report = await sandbox.destroy();
    if (report.errors.length > 0) throw new Error(`teardown: ${report.errors.join('; ')}`);
  }
  return { totalMs: performance.now() - t0, replayMs };
}

async function rawVeth(traffic: Uint8Array[]): Promise<number> {
  const sandbox = await Sandbox.create({ scenarioId: 'bench/harness raw', ports: ['p1'] });
  try {
    const io = SandboxTraffic.open(sandbox);
    // The switch's end, read directly: what a switch would see, with no switch.
    const sink = PacketSocket.open({ namespace: sandbox.namespace, ifname: 'p1' });
    try {
      const r0 = performance.now();
      await io.send('p1', traffic);
      let got = 0;
      let lastFrameAt = performance.now();
      while (performance.now() - lastFrameAt < 100) {
        const n = sink.receive().length;
        if (n > 0) lastFrameAt = performance.now();
        got += n;
        await new Promise((r) => setTimeout(r, 1));
      }
      if (got !== traffic.length) throw new Error(`raw veth lost packets: sent ${traffic.length}, got ${got}`);
      return performance.now() - r0; // with the same 100 ms settle window as a capture
    } finally {
      sink.close();
    }
  } finally {
    await sandbox.destroy();
  }
}

const load = frames(packets);
const overhead: number[] = [];
const replay: number[] = [];
const replayOnly: number[] = [];
const raw: number[] = [];
for (let i = 0; i < runs; i++) {
  overhead.push((await scenario(undefined)).totalMs);
  const r = await scenario(load);
  replay.push(r.totalMs);
  replayOnly.push(r.replayMs);
  raw.push(await rawVeth(load));
}
const settle = 'includes the settle window (100 ms) that ends every capture';
console.log(`bench/harness on ${adapter.name}, median of ${runs} runs`);
console.log(`  scenario overhead (sandbox + switch start + bridge + teardown, no traffic): ${median(overhead).toFixed(0)} ms`);
console.log(`  scenario replaying ${packets} packets:                                   ${median(replay).toFixed(0)} ms`);
console.log(`    of which replay + capture until quiet: ${median(replayOnly).toFixed(0)} ms (${settle})`);
console.log(`    same replay with no switch (raw veth):  ${median(raw).toFixed(0)} ms`);
console.log(`  ratio replay through ${adapter.name} ÷ raw veth: ${(median(replayOnly) / median(raw)).toFixed(2)}× (near 1: the send pacing, not the switch, sets the replay's pace)`);
