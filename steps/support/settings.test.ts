import t from 'tap';
import { readRunSettings } from './settings.ts';

t.test('defaults', async (t) => {
  t.same(readRunSettings({}), { target: 'reference', updateGolden: false, slowFactor: 1 });
});

t.test('values from the environment', async (t) => {
  t.same(readRunSettings({ REFSWITCH_TARGET: 'reference', REFSWITCH_UPDATE_GOLDEN: '1', REFSWITCH_SLOW_FACTOR: '2.5' }), {
    target: 'reference',
    updateGolden: true,
    slowFactor: 2.5,
  });
});

t.test('malformed values are harness errors naming the variable', async (t) => {
  t.throws(() => readRunSettings({ REFSWITCH_UPDATE_GOLDEN: 'yes' }), /REFSWITCH_UPDATE_GOLDEN must be 0 or 1, not "yes"/);
  t.throws(() => readRunSettings({ REFSWITCH_SLOW_FACTOR: 'fast' }), /REFSWITCH_SLOW_FACTOR must be a number from 1 to 100, not "fast"/);
  t.throws(() => readRunSettings({ REFSWITCH_SLOW_FACTOR: '0.5' }), /REFSWITCH_SLOW_FACTOR/);
});
