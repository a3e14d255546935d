/**
 * Idl against a scripted server (a JsonRpcConnection on a unix socket in a
 * temp dir): a server without monitor_cond gets RFC 7047 `monitor`; an
 * update sent together with the monitor reply is applied after the initial
 * contents; an update that cannot apply fails the Idl clearly; a
 * JSON-RPC error reply to transact is an IdlTxnError.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OvsdbClient } from './client.ts';
import { Idl, IdlTxnError } from './idl.ts';
import { JsonRpcConnection } from './jsonrpc.ts';

const SCHEMA = {
  name: 'T', version: '1.0.0',
  tables: { Box: { columns: { name: { type: 'string' }, n: { type: 'integer' } } } },
};
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

type Script = (rpc: JsonRpcConnection, method: string, params: unknown, id: unknown) => void;

async function fakeServer(t: Tap, script: Script): Promise<{ target: string; peers: JsonRpcConnection[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'refswitch-idl-fake-'));
  const path = join(dir, 'sock');
  const peers: JsonRpcConnection[] = [];
  const server: Server = createServer((socket) => {
    const rpc = new JsonRpcConnection(socket);
    peers.push(rpc);
    rpc.onRequest((method, params, id) => script(rpc, method, params, id));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(async () => {
    for (const p of peers) p.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  return { target: `unix:${path}`, peers };
}
type Tap = { teardown(fn: () => unknown): void };

t.test('monitor fallback, held updates, a bad update fails the Idl', async (t) => {
  const methods: string[] = [];
  let monitorId: unknown;
  const { target, peers } = await fakeServer(t, (rpc, method, params, id) => {
    methods.push(method);
    if (method === 'get_schema') rpc.reply(id, SCHEMA);
    else if (method === 'monitor_cond') rpc.replyError(id, 'unknown method');
    else if (method === 'monitor') {
      monitorId = (params as unknown[])[1];
      rpc.reply(id, { Box: { [U1]: { new: { name: 'a', n: 1 } } } });
      rpc.notify('update', [monitorId, { Box: { [U2]: { new: { name: 'b', n: 2 } }, [U1]: { old: { n: 1 }, new: { name: 'a', n: 3 } } } }]);
    } else if (method === 'transact') rpc.replyError(id, { error: 'not allowed' });
  });
  const client = await OvsdbClient.connect(target);
  t.teardown(() => client.close());
  const idl = await Idl.open(client, 'T', { Box: 'all' });
  t.notOk(idl.usesMonitorCond);
  t.same(methods, ['get_schema', 'monitor_cond', 'monitor']);
  await idl.waitFor(() => idl.rows('Box').size === 2, 5000);
  t.same(idl.row('Box', U1)?.columns.get('n'), { keys: [3] }, 'the update sent with the reply applies after it');

  const e = await idl.transact((txn) => txn.update('Box', U1, { n: { keys: [4] } })).catch((x: unknown) => x);
  t.type(e, IdlTxnError);
  t.match(e, { error: { error: 'not allowed' } });

  const pending = idl.waitFor(() => false, 60_000);
  const peer = peers[0];
  if (!peer) throw new Error('no peer');
  peer.notify('update', [monitorId, { Box: { [U2]: { old: { n: 2 } } } }]);
  peer.notify('update', [monitorId, { Box: { [U2]: { old: { n: 2 } } } }]);
  await t.rejects(pending, /cannot apply update from the server: .*cannot delete missing Box row/);
  await t.rejects(idl.transact(() => undefined), /cannot apply update/);
  t.notOk(client.isClosed, 'the client stays open for others');
});
