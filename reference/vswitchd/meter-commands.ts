/**
 * Datapath meter commands: a refswitch extension, since Open vSwitch has no
 * unixctl command for datapath meters (ovs-vswitchd creates them from
 * OpenFlow meter mods). They drive the dpif METER family directly, so
 * scenarios can exercise the `meter(N)` action before the OpenFlow layer
 * exists:
 *
 *   dpif/meter-set ID kbps|pktps band=drop,rate=R[,burst=B]...
 *   dpif/meter-get ID        → `meter ID: packets_in:N bytes_in:N` + one `band K: packets:N bytes:N` line per band
 *   dpif/meter-del ID
 *
 * Errors are error replies naming the culprit (ovs-appctl exits 2).
 * Left out on purpose: band types other than drop (the datapath has none).
 */
import type { DpMeterBand, DpMeterStats, Dpif } from '../datapath/index.ts';
import type { UnixctlServer } from './unixctl-server.ts';
import { fail, ok } from './unixctl-server.ts';

const U32_MAX = 0xffffffff;

function parseU32(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  const v = Number(text);
  return v <= U32_MAX ? v : undefined;
}

/** Parses one `band=drop,rate=R[,burst=B]` argument. */
export function parseMeterBand(text: string): { ok: true; band: DpMeterBand } | { ok: false; error: string } {
  let type: string | undefined;
  let rate: number | undefined;
  let burst = 0;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? undefined : part.slice(eq + 1);
    if (k === 'band' || k === 'type') type = v;
    else if (k === 'rate') rate = parseU32(v);
    else if (k === 'burst') {
      const b = parseU32(v);
      if (b === undefined) return { ok: false, error: `band ${JSON.stringify(text)}: burst ${JSON.stringify(v ?? '')} is not a 32-bit unsigned integer` };
      burst = b;
    } else return { ok: false, error: `band ${JSON.stringify(text)}: unknown key ${JSON.stringify(k)} (band=drop, rate=, burst=)` };
  }
  if (type !== 'drop') return { ok: false, error: `band ${JSON.stringify(text)}: band type must be drop, not ${JSON.stringify(type ?? '')}` };
  if (rate === undefined || rate === 0) return { ok: false, error: `band ${JSON.stringify(text)}: rate must be a positive 32-bit integer` };
  return { ok: true, band: { type: 'drop', rate, burst } };
}

function formatMeterStats(id: number, s: DpMeterStats): string {
  const lines = [`meter ${id}: packets_in:${s.packetsIn} bytes_in:${s.bytesIn}`];
  s.bands.forEach((b, i) => lines.push(`  band ${i}: packets:${b.packets} bytes:${b.bytes}`));
  return lines.join('\n') + '\n';
}

/** Registers dpif/meter-set, dpif/meter-get and dpif/meter-del over `dpif`. */
export function registerMeterCommands(server: UnixctlServer, dpif: Dpif): void {
  server.register('dpif/meter-set', {
    usage: 'id kbps|pktps band=drop,rate=R[,burst=B]...',
    minArgs: 3,
    maxArgs: 17,
    handler: (args) => {
      const [idText, unit, ...bandTexts] = args;
      const id = parseU32(idText);
      if (id === undefined) return fail(`meter id ${JSON.stringify(idText ?? '')} is not a 32-bit unsigned integer\n`);
      if (unit !== 'kbps' && unit !== 'pktps') return fail(`meter unit ${JSON.stringify(unit ?? '')} must be kbps or pktps\n`);
      const bands: DpMeterBand[] = [];
      for (const t of bandTexts) {
        const b = parseMeterBand(t);
        if (!b.ok) return fail(b.error + '\n');
        bands.push(b.band);
      }
      const r = dpif.meterSet(id, { unit, bands });
      return r.ok ? ok('') : fail(`meter ${id}: ${r.error.message} (${r.error.errno})\n`);
    },
  });
  for (const [name, get] of [['get', (id: number) => dpif.meterGet(id)], ['del', (id: number) => dpif.meterDel(id)]] as const) {
    server.register(`dpif/meter-${name}`, {
      usage: 'id',
      minArgs: 1,
      maxArgs: 1,
      handler: (args) => {
        const id = parseU32(args[0]);
        if (id === undefined) return fail(`meter id ${JSON.stringify(args[0] ?? '')} is not a 32-bit unsigned integer\n`);
        const r = get(id);
        return r.ok ? ok(formatMeterStats(id, r.value)) : fail(`meter ${id}: ${r.error.message} (${r.error.errno})\n`);
      },
    });
  }
}
