import t from 'tap';
import { ovsHashOrder, ovsHashString } from './ovs-hash-order.ts';

t.test('member order of JSON objects as ovsdb-server 3.1 writes them', async (t) => {
  // A JSON-RPC reply: jsonrpc_msg_to_json inserts result, error, id; the wire shows id, result, error.
  t.same(ovsHashOrder(['result', 'error', 'id']), ['id', 'result', 'error']);
  // An error object: inserted error, details, syntax.
  t.same(ovsHashOrder(['error', 'details', 'syntax']), ['syntax', 'details', 'error']);
  t.same(ovsHashOrder(['a']), ['a']);
});

t.test('hash_string is deterministic and covers tails of 1-3 bytes', async (t) => {
  t.equal(ovsHashString('abcd'), ovsHashString('abcd'));
  t.not(ovsHashString('abc'), ovsHashString('abd'));
  t.not(ovsHashString('a'), ovsHashString('a\u0000'));
});
