/**
 * Sandbox naming rules (pure; no root): names fit IFNAMSIZ, namespace names
 * carry the worker id and parse back, foreign names are not ours.
 */
import t from 'tap';
import { checkPortName, checkWorkerId, harnessEnd, newNamespaceName, parseNamespaceName } from './netns.ts';

t.test('port names: up to 13 characters so that <port>-h fits 15', async (t) => {
  for (const ok of ['p1', 'eth0', 'a_b.c', 'x'.repeat(13)]) t.doesNotThrow(() => checkPortName(ok), ok);
  for (const bad of ['', 'x'.repeat(14), 'lo', 'p 1', 'p/1', '-p', 'p-1', 'pé']) {
    t.throws(() => checkPortName(bad), { name: 'HarnessError' }, JSON.stringify(bad));
  }
  t.equal(harnessEnd('x'.repeat(13)).length, 15);
  t.equal(harnessEnd('p1'), 'p1-h');
});

t.test('namespace names carry the worker id and parse back', async (t) => {
  const a = newNamespaceName('3');
  t.match(a, /^rsw-3-[0-9a-f]{6}$/);
  t.same(parseNamespaceName(a), { workerId: '3' });
  t.not(newNamespaceName('3'), a, 'random suffix');
  t.throws(() => checkWorkerId('a-b'), { name: 'HarnessError' });
  t.throws(() => checkWorkerId('123456789'), { name: 'HarnessError' });
});

t.test('names that are not sandbox names are never ours', async (t) => {
  for (const foreign of ['rsw-probe-g', 'rsw-0-ABCDEF', 'rsw-0-abc', 'xrsw-0-abcdef', 'rsw--abcdef', 'rsw-0-abcdef0', 'ovs-netdev']) {
    t.equal(parseNamespaceName(foreign), undefined, foreign);
  }
});
