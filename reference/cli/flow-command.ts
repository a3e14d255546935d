/**
 * `refswitch flow extract FILE [--in-port N]`: for each packet of a pcap,
 * the flow Open vSwitch's userspace extracts from it, printed as on the
 * `Flow:` line of `ovs-appctl ofproto/trace br0 in_port=N <packet hex>`.
 * Malformed packets still print (a partial flow); extraction never fails.
 * `--vlan-limit` is ovs-vswitchd's `other_config:vlan-limit` (default 1:
 * tags beyond the first are left in the payload, as a running switch does).
 */
import { FlowKey, extractFlow, formatOfFlow } from '../flow/index.ts';
import { parseCommandArgs, parseCount, UsageError, type Command } from './command.ts';
import { forEachRecord } from './pcap-command.ts';

export const flowCommand: Command = {
  name: 'flow',
  usage: ['flow extract FILE [--in-port N] [--vlan-limit 0|1|2]'],
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { 'in-port': { type: 'string' }, 'vlan-limit': { type: 'string' } });
    const [sub, file, ...extra] = positionals;
    if (sub !== 'extract') throw new UsageError(`expected 'extract', got '${sub ?? ''}'`);
    if (file === undefined || extra.length > 0) throw new UsageError('expected exactly one pcap file');
    const inPort = parseCount('in-port', values['in-port'], 1);
    if (inPort > 0xffff) throw new UsageError(`--in-port: ${inPort} is not an OpenFlow port number (0..65535)`);
    const vlanLimit = parseCount('vlan-limit', values['vlan-limit'], 1);
    if (vlanLimit > 2) throw new UsageError(`--vlan-limit: ${vlanLimit} is more VLAN headers than a flow holds (0..2)`);
    const key = new FlowKey();
    return forEachRecord(file, 'flow extract', (data) => {
      extractFlow(data, key, { inPort }, { vlanLimit });
      return formatOfFlow(key);
    });
  },
};
