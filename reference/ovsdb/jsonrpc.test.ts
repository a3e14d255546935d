/**
 * JsonRpcConnection over a real unix socket: requests both ways, replies
 * and error replies, notifications, echo answered by the layer, and every
 * kind of bad input closing the connection the way lib/jsonrpc.c does
 * (oversized: an error reply first).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcConnection, JsonRpcError, jsonRpcText, parseJsonRpcMessage } from './jsonrpc.ts';

const dir = mkdtempSync(join(tmpdir(), 'jsonrpc-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A listening server; each accepted socket is handed to `onSocket`. */
async function listen(onSocket: (s: Socket) => void): Promise<{ path: string; server: Server }> {
  const path = join(dir, `s${n++}.sock`);
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(path, r));
  t.teardown(() => server.close());
  return { path, server };
}

/** Raw client: sends `text`, collects everything until the server closes. */
function rawExchange(path: string, text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(path);
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.end(text);
  });
}

t.test('requests, replies, errors and notifications both ways', async (t) => {
  let serverConn: JsonRpcConnection | undefined;
  const notes: unknown[] = [];
  const { path } = await listen((s) => {
    const c = new JsonRpcConnection(s);
    serverConn = c;
    c.onRequest((method, params, id) => {
      if (method === 'add') {
        const [a, b] = params as number[];
        c.reply(id, (a ?? 0) + (b ?? 0));
      } else c.replyError(id, { error: 'unknown method' });
    });
    c.onNotification((method, params) => notes.push([method, params]));
  });
  const client = await JsonRpcConnection.connect(`unix:${path}`);
  t.equal(await client.request('add', [2, 3]), 5);
  t.same(await client.request('echo', ['x', { y: 1 }]), ['x', { y: 1 }], 'echo answered by the layer');
  await t.rejects(client.request('nope', []), JsonRpcError);
  try {
    await client.request('nope', []);
  } catch (e) {
    t.same((e as JsonRpcError).error, { error: 'unknown method' });
  }
  client.notify('hello', [1]);
  t.same(await serverConn?.request('echo', [7]), [7], 'the server end can send requests too');
  t.same(notes, [['hello', [1]]]);
  const closed = new Promise<string | undefined>((r) => serverConn?.onClose(r));
  client.close();
  t.ok(client.isClosed);
  t.ok(await closed, 'the other end sees the close');
  await t.rejects(client.request('add', [1, 1]), /connection closed/);
});

t.test('pending requests reject when the peer goes away', async (t) => {
  const { path } = await listen((s) => s.on('data', () => s.destroy()));
  const client = await JsonRpcConnection.connect(`unix:${path}`);
  await t.rejects(client.request('x', []), /connection closed/);
});

t.test('bad input closes the connection without a reply', async (t) => {
  const reasons: string[] = [];
  const { path } = await listen((s) => new JsonRpcConnection(s).onClose((r) => reasons.push(r ?? '')));
  const bad = [
    '{"method":"echo","params":[],"id":1',
    '{"method":"echo",,}',
    '"just a string"',
    '[1,2,3]',
    '{"method":1,"params":[],"id":1}',
    '{"method":"x","params":{},"id":1}',
    '{"method":"x","params":[],"id":1,"extra":0}',
    '{"params":[],"id":1}',
    '{"method":"x","id":1}',
    '{"result":1,"id":12345}',
    '{"id":1,"result":null,"error":null}',
    '['.repeat(1001) + ']'.repeat(1001),
    Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1'),
  ];
  for (const text of bad) {
    const got = await rawExchange(path, text);
    t.equal(got, '', `no reply to ${text.slice(0, 40)}`);
  }
  t.ok(reasons.length >= bad.length - 1, 'each closed');
  t.ok(reasons.some((r) => r.includes('maximum nesting depth 1000')));
  t.ok(reasons.some((r) => r.includes('unexpected member "extra"')));
});

t.test('a message before the bad byte in the same chunk is still answered', async (t) => {
  const { path } = await listen((s) => new JsonRpcConnection(s));
  const got = await rawExchange(path, '{"method":"echo","params":[1],"id":"a"} oops');
  t.same(JSON.parse(got), { id: 'a', result: [1], error: null });
});

t.test('an oversized message gets an error reply, then the connection closes', async (t) => {
  const { path } = await listen((s) => new JsonRpcConnection(s, { maxMessageBytes: 1000 }));
  const got = await rawExchange(path, `{"method":"echo","params":["${'x'.repeat(5000)}"],"id":1}`);
  const reply = JSON.parse(got) as { id: unknown; result: unknown; error: { error: string; details: string } };
  t.equal(reply.id, null);
  t.equal(reply.result, undefined);
  t.equal(reply.error.error, 'resources exhausted');
  t.match(reply.error.details, /longer than 1000 bytes/);
  const ok = await rawExchange(path, '{"method":"echo","params":["small"],"id":2}{"method":"echo","params":["y"],"id":3}' + 'z');
  t.match(ok, /"result":\["small"\]/, 'other connections unaffected');
});

t.test('message classification follows jsonrpc_msg_from_json', async (t) => {
  t.same(parseJsonRpcMessage({ method: 'm', params: [], id: null }), { type: 'notify', method: 'm', params: [] });
  t.same(parseJsonRpcMessage({ id: 'echo', result: [], error: null }), { type: 'reply', result: [], id: 'echo' });
  t.same(parseJsonRpcMessage({ id: 3, result: null, error: 'e' }), { type: 'error', error: 'e', id: 3 });
  t.same(parseJsonRpcMessage({ method: 'm', params: [], id: 0 }), { type: 'request', method: 'm', params: [], id: 0 });
  t.equal(parseJsonRpcMessage({ method: 'm' }), 'notify must have "params"');
  t.equal(parseJsonRpcMessage({ result: 1, error: 2, id: 1 }), 'reply must not have "error"');
  t.equal(parseJsonRpcMessage(null), 'message is not a JSON object');
});

t.test('connect to nothing rejects', async (t) => {
  await t.rejects(JsonRpcConnection.connect(`unix:${join(dir, 'missing.sock')}`), /ENOENT/);
  await t.rejects(JsonRpcConnection.connect('http://x'), /not a unix:PATH/);
});

t.test('reals go out as %.15g, as ovsdb-server writes them; strings untouched', async (t) => {
  t.equal(jsonRpcText({ a: [1 / 3, 0.1 + 0.2, -2.5e-7, 1e21, 12, -3], s: 'x 0.3333333333333333 "1.50" \\ 2e5' }), '{"a":[0.333333333333333,0.3,-2.5e-07,1e+21,12,-3],"s":"x 0.3333333333333333 \\"1.50\\" \\\\ 2e5"}');
  t.equal(jsonRpcText(['a', 1, true, null, 9007199254740991]), '["a",1,true,null,9007199254740991]');
  t.equal(jsonRpcText([-333333333333333300000]), '[-3.33333333333333e+20]', 'beyond 2^53 only a real can be');
});
