/**
 * UnixctlServer over a real Unix socket in a temp dir: replies and errors
 * in OVS's words, list-commands layout, one request at a time in order,
 * several requests in one write, connections closed on bad JSON, on
 * non-requests and on oversized messages while the server keeps serving,
 * stale socket files, and the real /usr/bin/ovs-appctl as the client
 * (skipped with the reason when it is not installed).
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoverageCounters } from './coverage-format.ts';
import { fail, ok, parseRequest, UnixctlServer } from './unixctl-server.ts';

const APPCTL = '/usr/bin/ovs-appctl';

async function startServer(t: Test, opts: { maxMessageBytes?: number } = {}): Promise<{ server: UnixctlServer; path: string; coverage: CoverageCounters }> {
  const dir = mkdtempSync(join(tmpdir(), 'unixctl-'));
  const path = join(dir, 'test.ctl');
  const coverage = new CoverageCounters();
  const server = new UnixctlServer({ version: 'test 1.0', coverage, ...opts });
  server.register('echo', { usage: 'ARG...', minArgs: 1, maxArgs: 3, handler: (a) => ok(a.join(' ')) });
  server.register('slow', {
    usage: 'MS',
    minArgs: 1,
    maxArgs: 1,
    handler: async (a) => {
      await new Promise((r) => setTimeout(r, Number(a[0])));
      return ok(`slept ${a[0]}`);
    },
  });
  server.register('boom', { usage: undefined, minArgs: 0, maxArgs: 0, handler: () => { throw new Error('kaput'); } });
  server.register('nope', { usage: '', minArgs: 0, maxArgs: 0, handler: () => fail('it failed\n') });
  server.register('quiet', { usage: '', minArgs: 0, maxArgs: 0, handler: () => ok('') });
  await server.listen(path);
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, path, coverage };
}

/** Sends raw text, collects everything until the server closes or `count` replies arrived. */
function talk(path: string, text: string, count: number): Promise<{ replies: unknown[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect(path);
    let buf = '';
    const replies: unknown[] = [];
    s.on('connect', () => s.write(text));
    s.on('data', (d) => {
      buf += d.toString();
      // Replies are single objects without nested braces in text ({ result|error, id }); split on '}{' boundaries via a splitter-free parse.
      for (;;) {
        const end = findEnd(buf);
        if (end < 0) break;
        replies.push(JSON.parse(buf.slice(0, end)));
        buf = buf.slice(end);
      }
      if (replies.length >= count) {
        s.destroy();
        resolve({ replies, closed: false });
      }
    });
    s.on('close', () => resolve({ replies, closed: true }));
    s.on('error', reject);
  });
}

function findEnd(s: string): number {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

const req = (method: string, params: unknown[], id: unknown): string => JSON.stringify({ method, params, id });

t.test('replies, errors and the registry checks in OVS words', async (t) => {
  const { path, coverage } = await startServer(t);
  const r = await talk(path, [
    req('echo', ['a', 'b'], 1),
    req('echo', [], 2),
    req('echo', ['1', '2', '3', '4'], 3),
    req('bogus', [], 'x'),
    req('echo', ['a', 7], 5),
    req('boom', [], 6),
    req('nope', [], 7),
    req('quiet', [], 8),
    req('version', [], 9),
  ].join(''), 9);
  t.same(r.replies, [
    { result: 'a b\n', error: null, id: 1 },
    { error: '"echo" command requires at least 1 arguments\n', result: null, id: 2 },
    { error: '"echo" command takes at most 3 arguments\n', result: null, id: 3 },
    { error: '"bogus" is not a valid command (use "list-commands" to see a list of valid commands)\n', result: null, id: 'x' },
    { error: '"echo" command has non-string argument\n', result: null, id: 5 },
    { error: 'internal error in "boom": kaput\n', result: null, id: 6 },
    { error: 'it failed\n', result: null, id: 7 },
    { result: '', error: null, id: 8 },
    { result: 'test 1.0\n', error: null, id: 9 },
  ]);
  t.equal(coverage.get('unixctl_received'), 9);
  t.equal(coverage.get('unixctl_replied'), 9);
});

t.test('list-commands: sorted, %-23s, hidden commands left out', async (t) => {
  const { server } = await startServer(t);
  t.equal(server.listCommands(), [
    'The available commands are:',
    '  echo                    ARG...',
    '  list-commands           ',
    '  nope                    ',
    '  quiet                   ',
    '  slow                    MS',
    '  version                 ',
    '',
  ].join('\n'));
  t.throws(() => server.register('echo', { usage: '', minArgs: 0, maxArgs: 0, handler: () => ok('') }), /registered twice/);
});

t.test('one request at a time, in order, even when the first is slow', async (t) => {
  const { path } = await startServer(t);
  const r = await talk(path, req('slow', ['30'], 1) + req('echo', ['fast'], 2), 2);
  t.same(r.replies.map((x) => (x as { id: number }).id), [1, 2]);
});

t.test('bad input closes that connection only', async (t) => {
  const { path } = await startServer(t, { maxMessageBytes: 4096 });
  for (const bad of [
    'not json at all',
    '{"method":"echo","params":["a"],"id":1,"extra":true}',
    '{"method":"echo","params":["a"]}', // notification
    '{"method":"echo","params":"a","id":1}',
    '{"result":"x","error":null,"id":1}',
    '{"method":"echo", "params": [tru]}',
    '[1,2,3]',
    '{"method":"echo","params":["' + 'x'.repeat(5000) + '"],"id":1}',
  ]) {
    const r = await talk(path, bad, 1);
    t.ok(r.closed, `closed after ${bad.slice(0, 40)}`);
    t.same(r.replies, []);
  }
  const good = await talk(path, req('echo', ['still', 'here'], 42), 1);
  t.same(good.replies, [{ result: 'still here\n', error: null, id: 42 }]);
});

t.test('parseRequest accepts nulls as absent, like lib/jsonrpc.c', async (t) => {
  t.same(parseRequest('{"method":"m","params":[],"id":0,"result":null,"error":null}'), { method: 'm', params: [], id: 0 });
  t.equal(parseRequest('{"method":"m","params":[],"id":null}'), 'received unexpected notification message');
  t.equal(parseRequest('{"method":3,"params":[],"id":1}'), 'request must have "method" (a JSON string)');
});

t.test('a stale socket file is replaced; a live one is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'unixctl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.ctl');
  writeFileSync(path, '');
  const a = new UnixctlServer({ version: 'a' });
  await a.listen(path);
  const b = new UnixctlServer({ version: 'b' });
  await t.rejects(b.listen(path), { code: 'EADDRINUSE' });
  await a.close();
  await a.close();
  t.notOk(existsSync(path), 'socket file removed on close');
});

function appctl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(APPCTL, args, { timeout: 10000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('the real ovs-appctl as client', { skip: existsSync(APPCTL) ? false : `${APPCTL} not installed (apt-get install openvswitch-common)` }, async (t) => {
  const { path } = await startServer(t);
  t.same(await appctl(['-t', path, 'echo', 'hello', 'world']), { code: 0, stdout: 'hello world\n', stderr: '' });
  t.same(await appctl(['-t', path, 'version']), { code: 0, stdout: 'test 1.0\n', stderr: '' });
  const e = await appctl(['-t', path, 'nope']);
  t.equal(e.code, 2);
  t.equal(e.stdout, '');
  t.equal(e.stderr, `it failed\novs-appctl: ${path}: server returned an error\n`);
  const l = await appctl(['-t', path, 'list-commands']);
  t.match(l.stdout, /^The available commands are:\n {2}echo {20}ARG\.\.\.\n/);
});
