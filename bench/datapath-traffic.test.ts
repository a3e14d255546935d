import t from 'tap';
import { Datapath } from '../reference/datapath/index.ts';
import { parseOdpFlow } from '../reference/flow/index.ts';
import { buildFrames, MASKS, megaflowSet } from './datapath-traffic.ts';

t.test('frames have the asked size and the spans wrap around', async (t) => {
  for (const size of [64, 1500]) {
    const f = buildFrames(size, 100, 1000);
    t.equal(f.offsets.length, 100 + 256, 'the first batch repeated after the distinct frames');
    t.ok([...f.lengths].every((l) => l === size));
    t.same(f.data.subarray(100 * size, 101 * size), f.data.subarray(0, size), 'span 100 is frame 0 again');
  }
  t.throws(() => buildFrames(40, 10, 1), /cannot hold/);
});

t.test('megaflow sets: 10 masks, N flows, every frame hits exactly its flow (no miss, no overlap)', async (t) => {
  for (const flows of [10, 1000, 20_000]) {
    const dp = new Datapath();
    for (const [name, portNo] of [['p1', 1], ['p2', 2]] as const) {
      const r = await dp.vportNew({ name, type: 'dummy', portNo });
      if (!r.ok) throw new Error(r.error.message);
    }
    for (const [key, actions] of megaflowSet(flows, 1, 2)) {
      const p = parseOdpFlow(`${key}, actions:${actions}`);
      if (!p.ok) throw new Error(`${key}: ${p.error.message}`);
      const put = dp.flowPut({ key: p.flow.key, actions: p.flow.actions, create: true, modify: false });
      if (!put.ok) throw new Error(`${key}: ${put.error.message}`);
    }
    const info = dp.datapathGet().stats;
    t.equal(info.flows, flows, `${flows}: all installed (none overlapped another)`);
    t.equal(info.masksTotal, MASKS, `${flows}: over ${MASKS} masks`);
    const distinct = 500;
    const frames = buildFrames(64, distinct, flows);
    for (let i = 0; i < distinct; i++) dp.receive('p1', frames.data.subarray(frames.offsets[i], frames.offsets[i]! + 64));
    const s = dp.datapathGet().stats;
    t.same([s.hit, s.missed], [distinct, 0], `${flows}: every frame hit`);
    const hitFlows = dp.flowDump().filter((f) => f.stats.packets > 0).length;
    t.equal(hitFlows, Math.min(flows, distinct), `${flows}: the frames spread over ${Math.min(flows, distinct)} flows`);
    await dp.close();
  }
});
