import t from 'tap';
import { parseOdpFlow } from '../flow/index.ts';
import type { OdpKey } from '../flow/index.ts';
import { isUfid, normalizeUfid, ufidFromKey } from './ufid.ts';

function keyOf(text: string): OdpKey {
  const r = parseOdpFlow(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.flow.key;
}

t.test('ufidFromKey: stable, UUID v4 text, key values only', (t) => {
  const a = ufidFromKey(keyOf('in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,frag=no)'));
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'lowercase, version 4, RFC 4122 variant');
  t.equal(ufidFromKey(keyOf('in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,frag=no)')), a, 'same key, same ufid');
  t.equal(ufidFromKey(keyOf('eth_type(0x0800),eth(),ipv4(frag=no,src=10.0.0.0/255.0.0.0),in_port(1)')), a, 'attribute and field order do not matter');
  t.equal(ufidFromKey(keyOf('in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.255.0.0,frag=no)')), a, 'masks do not count (as odp_flow_key_hash)');
  t.not(ufidFromKey(keyOf('in_port(2),eth(),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,frag=no)')), a, 'another value, another ufid');
  t.not(
    ufidFromKey(keyOf('in_port(1),eth(),eth_type(0x8100),vlan(vid=1),encap(eth_type(0x0800))')),
    ufidFromKey(keyOf('in_port(1),eth(),eth_type(0x8100),vlan(vid=1),encap(),eth_type(0x0800)')),
    'nesting counts',
  );
  t.not(ufidFromKey(keyOf('in_port(1),eth(),eth_type(0/0xffff)')), ufidFromKey(keyOf('in_port(1),eth()')), 'a mask-only eth_type counts');
  t.end();
});

t.test('isUfid and normalizeUfid', (t) => {
  t.ok(isUfid('0A1b2c3d-0000-4000-8000-00000000000f'));
  t.notOk(isUfid('ufid:0a1b2c3d-0000-4000-8000-00000000000f'), 'no prefix');
  t.notOk(isUfid('0a1b2c3d-0000-4000-8000-00000000000'), 'too short');
  t.notOk(isUfid('0a1b2c3d00004000800000000000000f'), 'dashes required');
  t.equal(normalizeUfid(' ufid:0A1B2C3D-0000-4000-8000-00000000000F '), '0a1b2c3d-0000-4000-8000-00000000000f');
  t.equal(normalizeUfid('0a1b2c3d-0000-4000-8000-00000000000f'), '0a1b2c3d-0000-4000-8000-00000000000f');
  t.equal(normalizeUfid('not-a-ufid'), undefined);
  t.end();
});
