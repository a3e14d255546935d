/**
 * Text the adapters exchange with a switch's datapath, shared by the `ovs`
 * and `reference` adapters: a scenario's datapath flow (dump-flows syntax
 * with port names) turned into the two arguments of `dpctl/add-flow`, the
 * `lookups:` counters of `dpctl/show`, and the meter specifications both
 * switches take.
 *
 * Invariant: pure functions that never throw; a flow the scenario wrote
 * badly comes back as `{ ok: false, error }` quoting line/column/token so
 * the step can call it a scenario error (HarnessError), not the switch's.
 *
 * Choices: the flow is parsed with the reference's ODP reader (names
 * accepted in `in_port(…)` and outputs) and re-printed non-verbose with
 * datapath port numbers: both switches read that text, and neither needs to
 * know our port names. Stats (`packets:…`) and `ufid:` in the scenario's
 * line are ignored; the switch starts every flow at zero.
 * Left out on purpose: mod-flow/del-flow (scenarios only add), meters with
 * other band types (no datapath has them).
 */
import { formatOdpActions, formatOdpKey, parseOdpFlow } from '../../reference/flow/index.ts';
import type { DatapathMeter } from './adapter.ts';

export type TextResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The two `dpctl/add-flow` arguments, key and actions, with datapath port numbers. */
export interface DpctlFlowArgs {
  readonly key: string;
  readonly actions: string;
}

/**
 * `in_port(p1),eth(),…, actions:p2` → `{ key: 'in_port(3),eth(),…', actions: '2' }`
 * using `portNames` (datapath number → name). A line without `actions:`, or
 * that does not parse, is an error naming the column and token.
 */
export function dpctlFlowArgs(line: string, portNames: ReadonlyMap<number, string>): TextResult<DpctlFlowArgs> {
  if (!/(^|[\s,])actions:/.test(line)) return { ok: false, error: `no "actions:" in datapath flow ${JSON.stringify(line)}` };
  const r = parseOdpFlow(line, { portNames });
  if (!r.ok) {
    const e = r.error;
    return { ok: false, error: `datapath flow ${JSON.stringify(line)}: column ${e.column}: ${e.message} at ${JSON.stringify(e.token)}` };
  }
  if (r.flow.key.attrs.length === 0) return { ok: false, error: `datapath flow ${JSON.stringify(line)} has an empty key` };
  return { ok: true, value: { key: formatOdpKey(r.flow.key, { verbose: true }), actions: formatOdpActions(r.flow.actions) } };
}

/**
 * Actions text as Open vSwitch 3.1's own parser (odp_actions_from_string)
 * reads it: it prints `recirc(0x1)` but scans the id as decimal only, so
 * `recirc(0x…)` becomes `recirc(N)`. Nothing else needs changing.
 */
export function ovsParsableActions(actions: string): string {
  return actions.replace(/recirc\(0x([0-9a-fA-F]+)\)/g, (_, hex: string) => `recirc(${Number.parseInt(hex, 16)})`);
}

/** `dpctl/show`'s `lookups: hit:H missed:M lost:L` line. */
export interface DatapathLookups {
  readonly hit: number;
  readonly missed: number;
  readonly lost: number;
}

/** The lookups counters of a one-datapath `dpctl/show`; an error when the line is absent. */
export function parseDpctlLookups(text: string): TextResult<DatapathLookups> {
  const m = /^\s*lookups: hit:(\d+) missed:(\d+) lost:(\d+)\s*$/m.exec(text);
  if (m === null) return { ok: false, error: `no "lookups: hit:N missed:N lost:N" line in dpctl/show output ${JSON.stringify(text.slice(0, 200))}` };
  return { ok: true, value: { hit: Number(m[1]), missed: Number(m[2]), lost: Number(m[3]) } };
}

/** Total packets the datapath has looked up (each frame it received counts once). */
export function lookupTotal(l: DatapathLookups): number {
  return l.hit + l.missed + l.lost;
}

/**
 * Reads the step's meter text: `pktps band=drop rate=1 burst=10`
 * (`kbps` or `pktps`, then one or more bands `band=drop rate=R [burst=B]`).
 */
export function parseMeterSpec(text: string): TextResult<DatapathMeter> {
  const words = text.trim().split(/\s+/);
  const unit = words.shift();
  if (unit !== 'kbps' && unit !== 'pktps') return { ok: false, error: `meter ${JSON.stringify(text)}: expected kbps or pktps first` };
  const bands: { type: 'drop'; rate: number; burst: number }[] = [];
  for (const w of words) {
    const m = /^(band|rate|burst)=(\S+)$/.exec(w);
    if (m === null) return { ok: false, error: `meter ${JSON.stringify(text)}: unexpected ${JSON.stringify(w)}` };
    const [, name, value] = m;
    if (name === 'band') {
      if (value !== 'drop') return { ok: false, error: `meter ${JSON.stringify(text)}: band type ${JSON.stringify(value)} (only drop exists)` };
      bands.push({ type: 'drop', rate: 0, burst: 0 });
      continue;
    }
    const band = bands[bands.length - 1];
    const n = Number(value);
    if (band === undefined) return { ok: false, error: `meter ${JSON.stringify(text)}: ${name}= before band=` };
    if (!/^\d+$/.test(value ?? '') || n > 0xffffffff) return { ok: false, error: `meter ${JSON.stringify(text)}: ${name}=${value ?? ''} is not a 32-bit count` };
    if (name === 'rate') band.rate = n;
    else band.burst = n;
  }
  if (bands.length === 0) return { ok: false, error: `meter ${JSON.stringify(text)}: no band=drop` };
  const noRate = bands.find((b) => b.rate === 0);
  if (noRate !== undefined) return { ok: false, error: `meter ${JSON.stringify(text)}: every band needs rate=R (R > 0)` };
  return { ok: true, value: { unit, bands } };
}

/**
 * The meter in `ovs-ofctl add-meter` syntax for OpenFlow meter `ofMeterId`:
 * `meter=1,pktps,burst,band=type=drop,rate=1,burst_size=10`. The `burst`
 * flag is given only when some band has a burst size.
 */
export function ofctlMeterSpec(ofMeterId: number, meter: DatapathMeter): string {
  const hasBurst = meter.bands.some((b) => b.burst > 0);
  const bands = meter.bands.map((b) => `type=drop,rate=${b.rate}${b.burst > 0 ? `,burst_size=${b.burst}` : ''}`);
  return [`meter=${ofMeterId}`, meter.unit, ...(hasBurst ? ['burst'] : []), ...bands.map((b) => `band=${b}`)].join(',');
}

/**
 * The arguments of the reference switch's `dpif/meter-set` command:
 * `ID UNIT band=drop,rate=R,burst=B ...` (one argument per band).
 */
export function refMeterSetArgs(id: number, meter: DatapathMeter): string[] {
  return [String(id), meter.unit, ...meter.bands.map((b) => `band=${b.type},rate=${b.rate},burst=${b.burst}`)];
}
