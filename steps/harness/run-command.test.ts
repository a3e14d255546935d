/**
 * runCommand and HarnessError: results, and failures that name the command,
 * its exit code and its stderr. No root needed.
 */
import t from 'tap';
import { HarnessError } from './errors.ts';
import { runCommand } from './run-command.ts';

t.test('a successful command returns stdout and stderr; stdin is fed', async (t) => {
  const r = await runCommand(['sh', '-c', 'cat; echo warn >&2', 'sh'], { input: 'hello\n' });
  t.equal(r.exitCode, 0);
  t.equal(r.stdout, 'hello\n');
  t.equal(r.stderr, 'warn\n');
});

t.test('a failing command is a HarnessError with argv, exit code and stderr', async (t) => {
  const argv = ['sh', '-c', 'echo "no such device" >&2; exit 3'];
  const e = await runCommand(argv, { what: 'create veth' }).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(e instanceof HarnessError);
  if (!(e instanceof HarnessError)) return;
  t.same(e.argv, argv);
  t.equal(e.exitCode, 3);
  t.equal(e.stderr, 'no such device\n');
  t.equal(e.message, `harness error: create veth: \`${argv.join(' ')}\` failed (exit code 3): "no such device"`);
});

t.test('allowFailure returns the non-zero result', async (t) => {
  const r = await runCommand(['sh', '-c', 'exit 7'], { allowFailure: true });
  t.equal(r.exitCode, 7);
});

t.test('a missing program is a HarnessError with exit code null', async (t) => {
  await t.rejects(runCommand(['refswitch-no-such-program-xyz']), {
    name: 'HarnessError',
    exitCode: null,
    message: /did not start.*ENOENT/,
  });
});

t.test('a command that outlives its timeout is killed and reported', async (t) => {
  const started = Date.now();
  await t.rejects(runCommand(['sleep', '5'], { timeoutMs: 100, allowFailure: true }), {
    name: 'HarnessError',
    message: /killed by SIGKILL.*timed out after 100 ms/,
  });
  t.ok(Date.now() - started < 2000, 'did not wait for sleep to finish');
});

t.test('an empty argv is harness misuse', async (t) => {
  t.throws(() => runCommand([]), { name: 'HarnessError' });
});
