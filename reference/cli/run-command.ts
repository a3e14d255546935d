/**
 * `refswitch run`: the conformance suite. Not built yet — the veth harness
 * (sandboxes, replay and capture, goldens, reports) is the next piece of
 * work. Until then it says so and fails, so that no CI job mistakes an empty
 * run for a pass.
 */
import type { Command } from './command.ts';

export const runCommand: Command = {
  name: 'run',
  usage: ['run [--target ovs|reference] [--update-golden] [--parallel N]   (not built yet)'],
  async run(): Promise<number> {
    process.stderr.write(
      'refswitch run: the conformance harness is not built yet: there are no scenarios to run.\n' +
        'What exists today: the packet and flow libraries and their CLI (refswitch --help), tested by `npm test`.\n',
    );
    return 2;
  },
};
