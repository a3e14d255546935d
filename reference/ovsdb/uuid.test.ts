/**
 * uuid.ts: new UUIDs are lowercase version-4 text, distinct across pool
 * refills; isUuid accepts any hex case and nothing else.
 */
import t from 'tap';
import { isUuid, randomUuid, ZERO_UUID } from './uuid.ts';

t.test('randomUuid: v4, lowercase, distinct over several pool refills', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const u = randomUuid();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u)) t.fail(`not a lowercase v4 uuid: ${u}`);
    seen.add(u);
  }
  t.equal(seen.size, 2000);
});

t.test('isUuid', async (t) => {
  t.ok(isUuid(ZERO_UUID));
  t.ok(isUuid('5AC1D0A7-5b07-4f4a-8d0a-5a0c1d0a75b0'));
  t.notOk(isUuid('5ac1d0a7-5b07-4f4a-8d0a-5a0c1d0a75b'));
  t.notOk(isUuid('5ac1d0a7-5b07-4f4a-8d0a-5a0c1d0a75bg'));
  t.notOk(isUuid('5ac1d0a75b074f4a8d0a5a0c1d0a75b0xxxx'));
});
