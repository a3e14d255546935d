import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, fail, UnixctlServer } from '../reference/vswitchd/index.ts';
import { JsonObjectSplitter, UnixctlPipe } from './unixctl-pipe.ts';

t.test('the splitter finds whole objects across chunks, braces in strings included', async (t) => {
  const s = new JsonObjectSplitter();
  t.same(s.push('{"a":"}{\\"x"'), []);
  t.same(s.push(',"b":[1,{"c":2}]} {"d":'), ['{"a":"}{\\"x","b":[1,{"c":2}]}']);
  t.same(s.push('3}{"e":4}'), ['{"d":3}', '{"e":4}']);
});

t.test('pipelined requests to a unixctl server: replies in order, errors counted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unixctl-pipe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = new UnixctlServer({ version: 'test 1.0' });
  const seen: string[] = [];
  server.register('echo', {
    usage: 'ARG', minArgs: 1, maxArgs: 1,
    handler: async (args) => {
      await new Promise((r) => setImmediate(r));
      seen.push(args[0]!);
      return args[0] === 'bad' ? fail('no good') : ok(`got ${args[0]}`);
    },
  });
  const path = join(dir, 'x.ctl');
  await server.listen(path);
  t.teardown(() => server.close());
  const pipe = await UnixctlPipe.connect(path);
  t.teardown(() => pipe.close());
  t.same(await pipe.request('echo', ['one']), { ok: true, text: 'got one\n' });
  t.same(await pipe.request('nope', []), { ok: false, text: '"nope" is not a valid command (use "list-commands" to see a list of valid commands)\n' });
  const requests = Array.from({ length: 2000 }, (_, i) => ['echo', [i === 700 || i === 1500 ? 'bad' : `n${i}`]] as const);
  const r = await pipe.runAll(requests, 64);
  t.same(r, { failed: 2, firstError: 'no good' });
  t.same(seen.slice(1), requests.map(([, [a]]) => a), 'the server ran them in order');
});

t.test('a closed connection rejects what is pending and what comes after', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unixctl-pipe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = new UnixctlServer({ version: 'test 1.0' });
  server.register('hang', { usage: '', minArgs: 0, maxArgs: 0, handler: () => new Promise(() => undefined) });
  const path = join(dir, 'x.ctl');
  await server.listen(path);
  const pipe = await UnixctlPipe.connect(path);
  const pending = pipe.request('hang', []);
  await new Promise((r) => setTimeout(r, 20));
  await server.close();
  await t.rejects(pending, /connection closed/);
  await t.rejects(pipe.request('version', []), /connection closed/);
  await t.rejects(UnixctlPipe.connect(join(dir, 'nobody.ctl')), /ENOENT|ECONNREFUSED/);
});
