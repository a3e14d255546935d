/**
 * Steps that send traffic into the switch:
 *
 *   When the pcap "captures/<area>/<name>.pcap" is replayed into port "p1"
 *   When the packet "<builder expression>" is sent into port "p1"
 *   When these packets are sent:   + table | port | packet |
 *
 * Frames go in order from the port's harness end; what comes out is captured
 * on every port until the switch is quiet (at the next Then step).
 */
import type { DataTable } from '@cucumber/cucumber';
import { HarnessError } from '../harness/index.ts';
import { step } from '../support/define-step.ts';
import { buildFrame, readReplayPcap } from '../support/step-args.ts';
import type { SwitchWorld } from '../support/world.ts';

step(/^the pcap "([^"]+)" is replayed into port "([^"]+)"$/, ['veth'], async function (this: SwitchWorld, path, port) {
  const frames = readReplayPcap(String(path));
  if (frames.length === 0) throw new HarnessError(`pcap ${JSON.stringify(path)} holds no packets`);
  await this.send(String(port), frames);
});

step(/^the packet "(.+)" is sent into port "([^"]+)"$/, ['veth'], async function (this: SwitchWorld, expression, port) {
  await this.send(String(port), [buildFrame(String(expression))]);
});

step(/^these packets are sent:$/, ['veth'], async function (this: SwitchWorld, table) {
  const rows = (table as DataTable).hashes();
  if (rows.length === 0) throw new HarnessError('the packet table is empty');
  for (const row of rows) {
    const port = row['port'];
    const packet = row['packet'];
    if (port === undefined || packet === undefined) throw new HarnessError('the packet table needs the columns | port | packet |');
    await this.send(port, [buildFrame(packet)]);
  }
});
