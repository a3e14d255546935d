/**
 * Live cross-check against a private Open vSwitch 3.1 (dummy datapath):
 * every flow of fixtures/odp-ovs-input.txt is added with
 * `ovs-appctl dpctl/add-flow`, dumped with `dpctl/dump-flows` (plain and
 * `-m`), and our normalisation of OVS's dump must equal our canonical form
 * of what we added; OVS must accept or refuse each flow as recorded in
 * fixtures/odp-ovs-dump.txt. Skipped, with the reason, when OVS is absent.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeOdpFlow } from './odp-flow-canonical.ts';
import { findOvs, startOvsSandbox } from './testing/ovs-sandbox.ts';

const here = dirname(fileURLToPath(import.meta.url));
const PORTS = new Map([[0, 'ovs-dummy'], [1, 'p1'], [2, 'p2'], [100, 'br0']]);

function norm(text: string, opts = {}): string {
  const r = normalizeOdpFlow(text, { dropUfid: true, ...opts });
  return r.ok ? r.text.replace(/, packets:.*, actions:/, ', actions:') : `PARSE ERROR ${JSON.stringify(r.error)}`;
}

const inputs = readFileSync(join(here, 'fixtures', 'odp-ovs-input.txt'), 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string]);
const refused = new Set(readFileSync(join(here, 'fixtures', 'odp-ovs-dump.txt'), 'utf8').split('\n')
  .filter((l) => l.startsWith('add-error\t'))
  .map((l) => l.split('\t').slice(1, 3).join('\t')));

const found = findOvs();
if (!found.ok) {
  t.test('live Open vSwitch cross-check', { skip: found.reason }, () => undefined);
} else {
  t.test('dpctl/add-flow then dpctl/dump-flows normalise to what we added', async (t) => {
    const ovs = await startOvsSandbox({ bridges: [{ name: 'br0', ports: [{ name: 'p1', ofport: 1 }, { name: 'p2', ofport: 2 }] }] });
    t.teardown(() => ovs.stop());
    // vlan-limit=0 for QinQ; keep the revalidator (which would delete flows no OpenFlow rule explains) from running.
    await ovs.vsctl(['set', 'Open_vSwitch', '.', 'other_config:vlan-limit=0', 'other_config:max-revalidator=3600000', 'other_config:max-idle=3600000']);
    let compared = 0;
    for (const [key, actions] of inputs) {
      const add = await ovs.appctl(['dpctl/add-flow', key, actions]);
      t.equal(add.code !== 0, refused.has(`${key}\t${actions}`), `OVS ${add.code ? 'refused' : 'accepted'} ${key} ${actions} as recorded`);
      if (add.code !== 0) continue;
      const added = `${key.includes('recirc_id(') ? '' : 'recirc_id(0),'}${key}, actions:${actions}`;
      const ours = norm(added);
      // The dummy datapath now and then dumps nothing right after an add (the
      // flow is gone or not yet visible); add it again, up to three times.
      let plain: string[] = [];
      let verbose: string[] = [];
      for (let attempt = 0; attempt < 3 && (plain.length !== 1 || verbose.length !== 1); attempt++) {
        if (attempt) await ovs.appctl(['dpctl/add-flow', key, actions]);
        plain = (await ovs.appctl(['dpctl/dump-flows'])).stdout.split('\n').filter((l) => l && !l.startsWith('flow-dump'));
        verbose = (await ovs.appctl(['dpctl/dump-flows', '-m'])).stdout.split('\n').filter((l) => l && !l.startsWith('flow-dump'));
        await ovs.appctl(['dpctl/del-flows']);
      }
      t.equal(plain.length, 1, `one flow dumped for ${key}`);
      t.equal(norm(plain[0] ?? ''), ours, `dump of ${key} ${actions}`);
      t.equal(norm(verbose[0] ?? '', { portNames: PORTS }), norm(added, { portNames: PORTS }), `dump -m of ${key} ${actions}`);
      compared++;
    }
    t.ok(compared >= 40, `${compared} flows compared with live OVS`);
  });
}
