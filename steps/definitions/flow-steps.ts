/**
 * Steps that check the switch's flow tables:
 *
 *   Then the datapath flows match golden "<name>"
 *   Then the datapath flows are:          + doc string in dump-flows syntax (port names allowed)
 *   Then the OpenFlow flow stats on "br0" are:   + table | rule | n_packets | n_bytes |
 *   Then tracing "<flow>" on "br0" gives megaflow "<megaflow>" and datapath actions "<actions>"
 *   Then the trace of "<flow>" on "br0" matches golden "<name>"
 *
 * Every check first waits for the traffic to settle and the switch to
 * quiesce. Datapath flows compare as sets of (masked key, mask, actions), with
 * datapath port numbers shown as port names and floods as sets; the stats
 * table must list every rule of the bridge. A golden or doc string that does
 * not parse is a HarnessError (the scenario is wrong); a dump from the switch
 * that does not parse fails the scenario (the switch is wrong). Datapath
 * flows a scenario did not install itself (`Given the datapath flows:`) are
 * the work of the switch's OpenFlow pipeline, so judging them needs the
 * `openflow` capability: without it the scenario is UNSUPPORTED.
 */
import type { DataTable } from '@cucumber/cucumber';
import type { FlowStat } from '../adapters/index.ts';
import { compareFlowDumps, type FlowStatsPolicy, goldenPath, HarnessError, readGoldenText, writeGoldenFlows, writeGoldenTrace } from '../harness/index.ts';
import { step } from '../support/define-step.ts';
import type { SwitchWorld } from '../support/world.ts';
import { requireBridge } from './bridge-steps.ts';

step(/^the datapath flows match golden "([^"]+)"$/, ['dp-dump'], async function (this: SwitchWorld, name) {
  const { featureFile, settings } = this.context;
  const { dump, portNames } = await dumpFlows(this);
  if (settings.updateGolden) {
    const path = await writeGoldenFlows(featureFile, String(name), dump, { updateGolden: true, portNames });
    this.log(`recorded datapath flows in ${path}`);
    return;
  }
  const expected = await readGoldenText(featureFile, String(name), 'flows');
  checkFlows(this, expected, dump, portNames, goldenPath(featureFile, String(name), 'flows'));
});

step(/^the datapath flows are:$/, ['dp-dump'], async function (this: SwitchWorld, doc) {
  const { dump, portNames } = await dumpFlows(this);
  checkFlows(this, String(doc), dump, portNames, 'the step\'s doc string');
});

step(/^the OpenFlow flow stats on "([^"]+)" are:$/, ['of-stats'], async function (this: SwitchWorld, bridge, table) {
  requireBridge(this, String(bridge));
  await this.quiesce();
  const stats = await this.requireSwitch().dumpFlowStats(String(bridge));
  const expected = (table as DataTable).hashes().map(parseStatRow);
  const actual = stats.map((s) => ({ key: statKey(s.table, s.rule), packets: s.nPackets, bytes: s.nBytes }));
  const lines: string[] = [];
  let bad = 0;
  for (const e of expected) {
    const a = actual.find((x) => x.key === e.key);
    if (a === undefined) {
      lines.push(`- ${e.key}  n_packets=${e.packets} n_bytes=${e.bytes}   (no such rule)`);
      bad++;
    } else if (a.packets !== e.packets || a.bytes !== e.bytes) {
      lines.push(`- ${e.key}  n_packets=${e.packets} n_bytes=${e.bytes}`, `+ ${a.key}  n_packets=${a.packets} n_bytes=${a.bytes}`);
      bad++;
    } else lines.push(`  ${e.key}  n_packets=${e.packets} n_bytes=${e.bytes}`);
  }
  for (const a of actual) {
    if (expected.some((e) => e.key === a.key)) continue;
    lines.push(`+ ${a.key}  n_packets=${a.packets} n_bytes=${a.bytes}   (rule not in the table)`);
    bad++;
  }
  if (bad === 0) return;
  const diff = [`--- expected (the step's table)`, `+++ actual (flow stats of ${bridge})`, ...lines].join('\n');
  this.attach(diff, 'text/plain');
  throw new Error(`OpenFlow flow stats on ${bridge} differ in ${bad} rule(s):\n${diff}`);
});

step(/^tracing "([^"]+)" on "([^"]+)" gives megaflow "([^"]*)" and datapath actions "([^"]*)"$/, ['trace'], async function (this: SwitchWorld, flow, bridge, megaflow, actions) {
  requireBridge(this, String(bridge));
  await this.quiesce();
  const t = await this.requireSwitch().trace(String(bridge), String(flow));
  checkTrace(this, { megaflow: String(megaflow), actions: String(actions) }, t.megaflow, t.datapathActions, t.text, 'the step');
});

step(/^the trace of "([^"]+)" on "([^"]+)" matches golden "([^"]+)"$/, ['trace'], async function (this: SwitchWorld, flow, bridge, name) {
  requireBridge(this, String(bridge));
  await this.quiesce();
  const t = await this.requireSwitch().trace(String(bridge), String(flow));
  const { featureFile, settings } = this.context;
  if (settings.updateGolden) {
    const body = [`Megaflow: ${t.megaflow}`, `Datapath actions: ${t.datapathActions}`, '', `# The whole trace from ${settings.target}, for review (only the two lines above are compared):`];
    const path = await writeGoldenTrace(featureFile, String(name), [...body, ...t.text.split('\n').map((l) => `# ${l}`)].join('\n'), { updateGolden: true });
    this.log(`recorded trace in ${path}`);
    return;
  }
  const path = goldenPath(featureFile, String(name), 'trace');
  const golden = await readGoldenText(featureFile, String(name), 'trace');
  const pick = (prefix: string): string => {
    const line = golden.split('\n').find((l) => l.startsWith(prefix));
    if (line === undefined) throw new HarnessError(`golden trace ${path} has no "${prefix}" line`);
    return line.slice(prefix.length).trim();
  };
  checkTrace(this, { megaflow: pick('Megaflow:'), actions: pick('Datapath actions:') }, t.megaflow, t.datapathActions, t.text, path);
});

/** Scenarios (worlds) that installed datapath flows themselves. */
const installedDatapathFlows = new WeakSet<SwitchWorld>();

/** Records that this scenario installed datapath flows (`Given the datapath flows:`). */
export function noteInstalledDatapathFlows(world: SwitchWorld): void {
  installedDatapathFlows.add(world);
}

/**
 * Quiesces, then the switch's datapath flow dump and its port number → name
 * map. When the scenario installed no datapath flows, the flows are the
 * OpenFlow pipeline's: a switch without `openflow` makes it UNSUPPORTED
 * (world.supports records why; the error only stops the scenario).
 */
export async function dumpFlows(world: SwitchWorld): Promise<{ dump: string; portNames: Map<number, string> }> {
  if (!installedDatapathFlows.has(world) && !world.supports('openflow')) {
    throw new Error(`not judged: without datapath flows of its own the scenario judges the flows of the switch's OpenFlow pipeline, which switch adapter "${world.context.adapter.name}" lacks`);
  }
  await world.quiesce();
  const sut = world.requireSwitch();
  return { dump: await sut.dumpDatapathFlows(), portNames: await sut.datapathPortNames() };
}

/** Compares a dump with expected flows (stats compared as `stats` says); throws the diff. */
export function checkFlows(world: SwitchWorld, expected: string, dump: string, portNames: Map<number, string>, source: string, stats: FlowStatsPolicy = 'none'): void {
  const r = compareFlowDumps(expected, dump, { portNames, expectedSource: source, actualSource: 'dpctl/dump-flows', stats });
  if (!r.ok) {
    if (r.side === 'expected') throw new HarnessError(`expected datapath flows do not parse: ${r.message}`);
    world.attach(dump, 'text/plain');
    throw new Error(`the switch's datapath flow dump does not parse: ${r.message}`);
  }
  if (r.equal) return;
  world.attach(r.diffText, 'text/plain');
  throw new Error(`datapath flows differ from ${source}:\n${r.diffText}`);
}

function parseStatRow(row: Record<string, string>): { key: string; packets: number; bytes: number } {
  const rule = row['rule'];
  const packets = Number(row['n_packets']);
  const bytes = Number(row['n_bytes']);
  if (rule === undefined || !Number.isInteger(packets) || !Number.isInteger(bytes)) {
    throw new HarnessError(`flow stats table row ${JSON.stringify(row)} needs | rule | n_packets | n_bytes | with integer counts`);
  }
  const m = /^table=(\d+),\s*(.*)$/.exec(rule.trim());
  return { key: statKey(m ? Number(m[1]) : 0, m ? (m[2] ?? '') : rule), packets, bytes };
}

function statKey(table: number, rule: FlowStat['rule']): string {
  const r = rule.replace(/\s+/g, '');
  return table === 0 ? r : `table=${table},${r}`;
}

/** A plain list of outputs (a flood) compares as a set; anything else as text. */
function normalizeActions(actions: string): string {
  const parts = actions.trim().split(/\s*,\s*/);
  return parts.every((p) => /^[A-Za-z0-9_.-]+$/.test(p)) ? [...parts].sort().join(',') : actions.trim();
}

function checkTrace(
  world: SwitchWorld,
  expected: { megaflow: string; actions: string },
  megaflow: string,
  actions: string,
  text: string,
  source: string,
): void {
  const okMega = expected.megaflow.trim() === megaflow.trim();
  const okActions = normalizeActions(expected.actions) === normalizeActions(actions);
  if (okMega && okActions) return;
  const diff = [
    `--- expected (${source})`,
    `+++ actual (trace)`,
    ...(okMega ? [`  Megaflow: ${megaflow}`] : [`- Megaflow: ${expected.megaflow}`, `+ Megaflow: ${megaflow}`]),
    ...(okActions ? [`  Datapath actions: ${actions}`] : [`- Datapath actions: ${expected.actions}`, `+ Datapath actions: ${actions}`]),
  ].join('\n');
  world.attach(diff, 'text/plain');
  world.attach(text, 'text/plain');
  throw new Error(`trace differs:\n${diff}`);
}
