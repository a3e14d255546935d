/** WarpClock over a hand-driven source: follows it, stops, warps, never goes back or reads 0. */
import t from 'tap';
import { WarpClock } from './warp-clock.ts';

t.test('follows the source, then stop and warp', async (t) => {
  let real = 1000.7;
  const c = new WarpClock(() => real);
  t.equal(c.now(), 1000);
  real = 1500.2;
  t.equal(c.now(), 1500);
  c.warp(250);
  t.equal(c.now(), 1750);
  c.stop();
  t.ok(c.isStopped);
  real = 9000;
  t.equal(c.now(), 1750, 'stopped: real time no longer counts');
  c.warp(1000);
  t.equal(c.now(), 2750);
  c.stop();
  t.equal(c.now(), 2750, 'stopping twice keeps the first reading');
  t.throws(() => c.warp(-1), RangeError);
});

t.test('never 0, never backwards', async (t) => {
  let real = 0;
  const c = new WarpClock(() => real);
  t.equal(c.now(), 1);
  real = 50;
  t.equal(c.now(), 50);
  real = 10;
  t.equal(c.now(), 50);
});
