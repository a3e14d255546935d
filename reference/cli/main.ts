/**
 * The `refswitch` command line: a thin dispatcher over the libraries.
 *
 * Each subcommand lives in its own file as a `Command` and returns an exit
 * code: 0 success, 1 the work itself failed (a parse error in the input, a
 * mismatch), 2 usage errors. Output goes to stdout; diagnostics to stderr.
 * Commands that are not built yet say so and exit 2 instead of pretending.
 */
import { flowCommand } from './flow-command.ts';
import { odpCommand } from './odp-command.ts';
import { ovsdbServerCommand } from './ovsdb-server-command.ts';
import { ovsdbToolCommand } from './ovsdb-tool-command.ts';
import { packetCommand } from './packet-command.ts';
import { pcapCommand } from './pcap-command.ts';
import { runCommand } from './run-command.ts';
import { switchCommand } from './switch-command.ts';
import type { Command } from './command.ts';

const commands: readonly Command[] = [packetCommand, pcapCommand, flowCommand, odpCommand, runCommand, switchCommand, ovsdbToolCommand, ovsdbServerCommand];

function usage(): string {
  const lines = ['usage: refswitch <command> [options]', '', 'commands:'];
  for (const c of commands) for (const u of c.usage) lines.push(`  refswitch ${u}`);
  return lines.join('\n') + '\n';
}

/** Runs one command line; returns the process exit code. Never throws for bad user input. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`refswitch: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`refswitch ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

export { UsageError } from './command.ts';
import { UsageError } from './command.ts';
