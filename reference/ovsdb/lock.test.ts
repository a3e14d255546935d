/**
 * LockTable as ovsdb/server.c keeps locks: queue order, steal keeping a
 * waiting victim queued but pushing out a victim that had stolen, the
 * owner named again whenever any waiter leaves, and a session leaving
 * every lock at once.
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
  t.ok(locks.isWaiting('a', 'L'), 'a waiting victim stays queued');
  t.equal(locks.unlock('a', 'L'), 'c', 'a waiter leaving names the owner again (OVS tells it "locked")');
  t.equal(locks.unlock('c', 'L'), 'b', 'the owner leaving hands the lock to the next');
  t.ok(locks.isOwner('b', 'L'));
  t.equal(locks.unlock('b', 'L'), undefined, 'the last waiter leaving ends the lock');
  t.notOk(locks.isWaiting('b', 'L'));
  t.equal(locks.unlock('zz', 'L'), undefined);
});

t.test('a victim that had stolen the lock leaves the queue but keeps its waiter', async (t) => {
  const locks = new LockTable<string>();
  locks.lock('a', 'L', true);
  t.same(locks.lock('b', 'L', true), { owner: true, victim: 'a' });
  t.ok(locks.isWaiting('a', 'L'), 'a must still unlock');
  t.equal(locks.unlock('a', 'L'), undefined, 'nobody is told anything');
  t.equal(locks.unlock('b', 'L'), undefined, 'b was alone');
});

t.test('unlockAll reports each lock whose queue goes on', async (t) => {
  const locks = new LockTable<string>();
  locks.lock('a', 'X', false);
  locks.lock('a', 'Y', false);
  locks.lock('b', 'X', false);
  locks.lock('b', 'Z', false);
  locks.lock('a', 'Z', false);
  t.same(locks.unlockAll('a'), [['X', 'b'], ['Z', 'b']]);
  t.ok(locks.isOwner('b', 'X'));
  t.ok(locks.isOwner('b', 'Z'));
  t.notOk(locks.isWaiting('a', 'Y'));
});
