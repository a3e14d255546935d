/**
 * Registers the `dpctl/*` commands on a unixctl server, with Open vSwitch
 * 3.1's names, usage strings and argument counts (lib/dpctl.c
 * all_commands). As in OVS, the counts include the options, which are then
 * stripped off the front (`-m`, `-s`, `--names`…; see dpctl-context.ts),
 * and the whole output becomes an error reply when the command fails.
 *
 * Commands: show, dump-dps, dump-flows, add-flow, mod-flow, get-flow,
 * del-flow, add-flows, mod-flows, del-flows, add-if, del-if.
 *
 * Left out on purpose: the conntrack, ipf, cache-size, offload and
 * parse-actions/normalize-actions commands, set-if, add-dp/del-dp; they
 * answer "is not a valid command" like any unknown name.
 */
import type { UnixctlServer } from './unixctl-server.ts';
import { fail, ok } from './unixctl-server.ts';
import { DpctlRun, parseDpctlOptions, type DpctlTarget } from './dpctl-context.ts';
import { addFlow, delFlow, delFlows, dumpFlows, getFlow, modFlow, processFlowFile } from './dpctl-flows.ts';
import { addIf, delIf, dumpDps, show } from './dpctl-ports.ts';

export type { DpctlTarget } from './dpctl-context.ts';

/** `argv[0]` is the command name without `dpctl/`; true on success (output printed to `run`). */
type DpctlHandler = (argv: readonly string[], run: DpctlRun) => boolean | Promise<boolean>;

interface DpctlCommand {
  readonly name: string;
  readonly usage: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly handler: DpctlHandler;
}

const MANY = Number.MAX_SAFE_INTEGER;

const DPCTL_COMMANDS: readonly DpctlCommand[] = [
  { name: 'add-if', usage: 'dp iface...', minArgs: 2, maxArgs: MANY, handler: addIf },
  { name: 'del-if', usage: 'dp iface...', minArgs: 2, maxArgs: MANY, handler: delIf },
  { name: 'dump-dps', usage: '', minArgs: 0, maxArgs: 0, handler: dumpDps },
  { name: 'show', usage: '[-s] [dp...]', minArgs: 0, maxArgs: MANY, handler: show },
  { name: 'dump-flows', usage: '[-m] [--names] [dp] [filter=..] [type=..] [pmd=..]', minArgs: 0, maxArgs: 6, handler: dumpFlows },
  { name: 'add-flow', usage: '[dp] flow actions', minArgs: 2, maxArgs: 3, handler: addFlow },
  { name: 'mod-flow', usage: '[dp] flow actions', minArgs: 2, maxArgs: 3, handler: modFlow },
  { name: 'get-flow', usage: '[dp] ufid', minArgs: 1, maxArgs: 2, handler: getFlow },
  { name: 'del-flow', usage: '[dp] flow', minArgs: 1, maxArgs: 2, handler: delFlow },
  { name: 'add-flows', usage: '[dp] file', minArgs: 1, maxArgs: 2, handler: processFlowFile },
  { name: 'mod-flows', usage: '[dp] file', minArgs: 1, maxArgs: 2, handler: processFlowFile },
  { name: 'del-flows', usage: '[dp] [file]', minArgs: 0, maxArgs: 2, handler: delFlows },
];

/** Runs one dpctl command line (options first), as dpctl_unixctl_handler does. */
export async function runDpctl(target: DpctlTarget, name: string, args: readonly string[]): Promise<{ ok: boolean; text: string }> {
  const cmd = DPCTL_COMMANDS.find((c) => c.name === name);
  if (!cmd) return { ok: false, text: `unknown command '${name}'; use --help for help\n` };
  const parsed = parseDpctlOptions(args);
  if (!parsed.ok) return { ok: false, text: parsed.text };
  const run = new DpctlRun(target, parsed.opts);
  const success = await cmd.handler([name, ...parsed.rest], run);
  return { ok: success, text: run.output };
}

/** Adds `dpctl/<name>` for every command above. */
export function registerDpctlCommands(server: UnixctlServer, target: DpctlTarget): void {
  for (const c of DPCTL_COMMANDS) {
    server.register(`dpctl/${c.name}`, {
      usage: c.usage,
      minArgs: c.minArgs,
      maxArgs: c.maxArgs,
      handler: async (args) => {
        const r = await runDpctl(target, c.name, args);
        return r.ok ? ok(r.text) : fail(r.text);
      },
    });
  }
}
