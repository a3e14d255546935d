/**
 * Fuzz: mutated `dpctl/add-flow` argument pairs through the whole request
 * path — argument splitting, the ODP key and action parsers, the kernel's
 * match and action validation (parseFlowRequest runs flowMatchFromOdp and
 * validateActions) — and, for accepted ones, the dump form, its re-install
 * and the ufid. The contract: nothing throws, every refusal names a line
 * and column inside the text, every accepted match is masked.
 *
 * Seeded (FUZZ_SEED) so a failure can be replayed; ADD_FLOW_FUZZ_COUNT
 * (default 100,000) sets the volume.
 */
import t from 'tap';
import { FlowOffset } from '../flow/index.ts';
import { flowMatchFromOdp, odpKeyFromMatch } from './flow-match.ts';
import { parseFlowRequest } from './flow-request.ts';
import { ufidFromKey } from './ufid.ts';
import { ADD_FLOW_CORPUS, ADD_FLOW_REFUSED, FuzzRandom, mutateAddFlow } from './testing/fuzz-flow-text.ts';

const seed = Number(process.env.FUZZ_SEED ?? 0xadd4f10);
const total = Number(process.env.ADD_FLOW_FUZZ_COUNT ?? 100_000);
const PORTS = new Map([[1, 'p1'], [2, 'p2']]);
t.comment(`add-flow fuzz seed ${seed} (FUZZ_SEED=${seed} replays it), ${total} strings`);

t.test('the corpus is accepted, the refused donors are refused', (t) => {
  for (const text of ADD_FLOW_CORPUS) {
    const r = parseFlowRequest(text, { portNames: PORTS });
    t.ok(r.ok, `${text}${r.ok ? '' : ` → ${r.error.column}: ${r.error.message}`}`);
  }
  for (const text of ADD_FLOW_REFUSED) t.notOk(parseFlowRequest(text, { portNames: PORTS }).ok, text);
  t.end();
});

/** Checks one request; returns a failure description or undefined. */
function check(text: string, outcome: Map<string, number>): string | undefined {
  const r = parseFlowRequest(text, { portNames: PORTS });
  if (!r.ok) {
    const e = r.error;
    const lines = text.split('\n');
    const lineText = lines[e.line - 1];
    if (!(e.line >= 1 && e.column >= 1) || lineText === undefined || e.column > lineText.length + 1) {
      return `error at ${e.line}:${e.column} outside the text`;
    }
    const kind = `${e.stage} ${e.errno}`;
    outcome.set(kind, (outcome.get(kind) ?? 0) + 1);
    return undefined;
  }
  const { match, key } = r.request;
  if (!match.key.clone().andWith(match.mask).equals(match.key)) return 'match key not masked';
  const again = flowMatchFromOdp(odpKeyFromMatch(match));
  // Dumps the kernel does not take back as they were: a wildcarded in_port (in_port(0/0xffff0000)) or eth_type
  // (eth_type(0/0)), and a ct tuple whose proto is 0 (not dumped at all).
  const m = match.mask.view;
  const ctTupleLost = match.key.view.getUint8(FlowOffset.ct_nw_proto) === 0 && m.getUint32(FlowOffset.ct_tp_src) !== 0;
  const exact = m.getUint32(FlowOffset.in_port) === 0xffffffff && m.getUint16(FlowOffset.dl_type) === 0xffff && !ctTupleLost;
  if (exact && !(again.ok && again.match.key.equals(match.key) && again.match.mask.equals(match.mask))) {
    return `dump form did not install back: ${again.ok ? 'different match' : again.error.message}`;
  }
  ufidFromKey(key);
  outcome.set('accepted', (outcome.get('accepted') ?? 0) + 1);
  return undefined;
}

t.test(`${total} mutated add-flow strings: nothing throws, every refusal has a position`, (t) => {
  const rng = new FuzzRandom(seed);
  const seeds = [...ADD_FLOW_CORPUS, ...ADD_FLOW_REFUSED];
  const outcome = new Map<string, number>();
  let failure: string | undefined;
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < total && failure === undefined; i++) {
    const text = mutateAddFlow(rng, rng.pick(seeds), seeds);
    try {
      const f = check(text, outcome);
      if (f) failure = `#${i} ${JSON.stringify(text)}: ${f}`;
    } catch (err) {
      failure = `#${i} ${JSON.stringify(text)}: ${(err as Error).stack ?? String(err)}`;
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuMs = process.cpuUsage(cpu).user / 1000;
  t.equal(failure, undefined, 'no exception escaped, every refusal lies inside the text, accepted matches are sound');
  t.comment(`${total} strings in ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU): ${[...outcome].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  t.ok((outcome.get('accepted') ?? 0) > 0, 'some mutations are still accepted');
  for (const stage of ['arguments', 'key', 'actions']) {
    t.ok([...outcome.keys()].some((k) => k.startsWith(stage)), `some mutations are refused at the ${stage} stage`);
  }
  t.end();
});
