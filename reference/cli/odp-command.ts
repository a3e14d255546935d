/**
 * `refswitch odp normalize [--sort]`: reads datapath flow lines
 * (`dpctl/dump-flows` output of either the kernel or the userspace
 * datapath; `flow-dump from …` headers and blank lines skipped) on stdin
 * and prints each in canonical kernel style. The first parse error stops
 * the run with `line L, column C: …` on stderr and exit code 1.
 */
import { normalizeOdpFlow } from '../flow/index.ts';
import { parseCommandArgs, readStdin, UsageError, type Command } from './command.ts';

export const odpCommand: Command = {
  name: 'odp',
  usage: ['odp normalize [--sort] < dump-flows.txt'],
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { sort: { type: 'boolean' } });
    const [sub, ...extra] = positionals;
    if (sub !== 'normalize' || extra.length > 0) throw new UsageError(`expected 'normalize', got '${positionals.join(' ')}'`);
    const lines = (await readStdin()).split('\n');
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!.replace(/\r$/, '');
      if (text.trim() === '' || /^flow-dump from /.test(text.trim())) continue;
      const r = normalizeOdpFlow(text, { line: i + 1 });
      if (!r.ok) {
        const e = r.error;
        process.stderr.write(`refswitch odp normalize: line ${e.line}, column ${e.column}: ${e.message}${e.token ? ` (at '${e.token}')` : ''}\n  ${text}\n  ${' '.repeat(Math.max(0, e.column - 1))}^\n`);
        return 1;
      }
      out.push(r.text);
    }
    if (values.sort) out.sort();
    if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};
