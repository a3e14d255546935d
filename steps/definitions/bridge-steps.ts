/**
 * Steps that build the switch: the bridge with its ports (which also creates
 * the sandbox and starts the switch under test), its fail mode, and its
 * OpenFlow flows.
 *
 *   Given a bridge "br0" with ports p1, p2, p3      (OpenFlow ports 1, 2, 3 in that order)
 *   Given the bridge "br0" has fail mode "standalone"
 *   Given the OpenFlow flows on "br0":  + doc string, one ovs-ofctl flow per line
 *
 * One bridge per scenario for now: a second `Given a bridge` is a HarnessError
 * saying so (the sandbox's veths are created with the first bridge).
 */
import { Sandbox, SandboxTraffic, HarnessError } from '../harness/index.ts';
import { step } from '../support/define-step.ts';
import { flowLines, parsePortList } from '../support/step-args.ts';
import type { SwitchWorld } from '../support/world.ts';

step(/^a bridge "([^"]+)" with ports? (.+)$/, ['veth'], async function (this: SwitchWorld, bridge, portText) {
  const ports = parsePortList(String(portText));
  if (this.sandbox !== undefined) throw new HarnessError('only one bridge per scenario is supported so far');
  const ctx = this.context;
  this.sandbox = await Sandbox.create({ scenarioId: ctx.scenarioId, ports });
  this.sut = await ctx.adapter.start(this.sandbox, { slowFactor: ctx.settings.slowFactor });
  await this.sut.addBridge({
    name: String(bridge),
    ports: ports.map((name, i) => ({ name, ofport: i + 1 })),
    failMode: 'secure',
  });
  this.bridges.set(String(bridge), ports);
  this.traffic = SandboxTraffic.open(this.sandbox, { slowFactor: ctx.settings.slowFactor });
});

step(/^the bridge "([^"]+)" has fail mode "(secure|standalone)"$/, ['fail-mode'], async function (this: SwitchWorld, bridge, mode) {
  requireBridge(this, String(bridge));
  await this.requireSwitch().setFailMode(String(bridge), mode === 'standalone' ? 'standalone' : 'secure');
});

step(/^the OpenFlow flows on "([^"]+)":$/, ['openflow'], async function (this: SwitchWorld, bridge, doc) {
  requireBridge(this, String(bridge));
  const flows = flowLines(String(doc));
  if (flows.length === 0) throw new HarnessError(`no flows in the doc string for ${JSON.stringify(bridge)}`);
  await this.requireSwitch().addFlows(String(bridge), flows);
});

export function requireBridge(world: SwitchWorld, bridge: string): void {
  if (!world.bridges.has(bridge)) {
    throw new HarnessError(`no bridge ${JSON.stringify(bridge)} in this scenario (bridges: ${[...world.bridges.keys()].join(', ') || 'none'})`);
  }
}
