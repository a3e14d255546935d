/**
 * LockTable: queue order, steal keeping the victim queued, hand-over on
 * unlock and on a session leaving every lock at once.
 */
import t from 'tap';
import { LockTable } from './lock.ts';

t.test('lock, steal, unlock hand the lock along the queue', async (t) => {
  const locks = new LockTable<string>();
  t.same(locks.lock('a', 'L', false), { owner: true, victim: undefined });
  t.same(locks.lock('b', 'L', false), { owner: false, victim: undefined });
  t.ok(locks.isOwner('a', 'L'));
  t.ok(locks.isWaiting('b', 'L'));
  t.same(locks.lock('c', 'L', true), { owner: true, victim: 'a' }, 'steal names the previous owner');
  t.ok(locks.isWaiting('a', 'L'), 'the victim stays queued');
  t.equal(locks.unlock('a', 'L'), undefined, 'a waiter leaving hands nothing over');
  t.equal(locks.unlock('c', 'L'), 'b', 'the owner leaving hands the lock to the next');
  t.ok(locks.isOwner('b', 'L'));
  t.equal(locks.unlock('b', 'L'), undefined);
  t.notOk(locks.isWaiting('b', 'L'));
  t.equal(locks.unlock('zz', 'L'), undefined);
});

t.test('unlockAll reports each lock that changed owner', async (t) => {
  const locks = new LockTable<string>();
  locks.lock('a', 'X', false);
  locks.lock('a', 'Y', false);
  locks.lock('b', 'X', false);
  locks.lock('b', 'Z', false);
  locks.lock('a', 'Z', false);
  t.same(locks.unlockAll('a'), [['X', 'b']]);
  t.ok(locks.isOwner('b', 'X'));
  t.ok(locks.isOwner('b', 'Z'));
  t.notOk(locks.isWaiting('a', 'Y'));
});
