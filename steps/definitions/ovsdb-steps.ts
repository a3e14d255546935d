/**
 * Steps that drive the switch's OVSDB server with JSON-RPC and judge the
 * transcript against a golden recorded from Open vSwitch's ovsdb-server:
 *
 *   Given a switch serving OVSDB                       (sandbox without ports, switch started)
 *   When the OVSDB client "a" sends:                   + doc string of JSON-RPC messages
 *   When the OVSDB client "b" sends without waiting:   + doc string (replies come later)
 *   When the OVSDB client "a" disconnects
 *   When the OVSDB client "a" waits for a notification  (one the server sends on its own time, e.g. after a disconnect)
 *   Then the OVSDB transcript matches golden "<name>"  (`<name>.jsonrpc`)
 *
 * How a transcript is made (steps/harness/ovsdb-transcript.ts): clients are
 * named, connected on first use. `sends:` sends each message in turn and,
 * for a request (non-null id), waits for its reply; `without waiting` only
 * sends. After either, every client is synchronised with an echo (client
 * name order) so notifications one client's request caused on another
 * connection land in the transcript at a fixed place. Each message sent or
 * received is one line, UUIDs labelled `<0>`, `<1>`, … in order of first
 * appearance; a request may name a row by the label of its UUID
 * (`["uuid","<0>"]`).
 *
 * Invariants: a message the scenario wrote badly, or a server that never
 * answers or closes the connection while a reply is awaited, is a
 * HarnessError; a transcript that differs from its golden is a FAIL with a
 * line diff. A disconnect is not followed by a sync: the server notices it
 * on its own time, so what it causes is awaited with `waits for a
 * notification`. A connection the server closes while a reply is awaited is
 * a transcript line (`a: closed by the server`); the next use of that
 * client name connects anew. Clients are closed with the sandbox.
 */
import { goldenPath, HarnessError, readGoldenText, Sandbox, writeGoldenTrace } from '../harness/index.ts';
import { OvsdbTestClient } from '../harness/ovsdb-test-client.ts';
import { diffTranscripts, orderMonitorUpdates, parseMessages, transcriptLine, UuidLabels, type Json } from '../harness/ovsdb-transcript.ts';
import { step } from '../support/define-step.ts';
import type { SwitchWorld } from '../support/world.ts';

const REPLY_TIMEOUT_MS = 10_000;

/** One scenario's OVSDB clients and transcript. */
interface OvsdbSession {
  readonly labels: UuidLabels;
  readonly clients: Map<string, OvsdbTestClient>;
  readonly lines: string[];
}

const sessions = new WeakMap<SwitchWorld, OvsdbSession>();

function session(world: SwitchWorld): OvsdbSession {
  let s = sessions.get(world);
  if (s === undefined) {
    s = { labels: new UuidLabels(), clients: new Map(), lines: [] };
    sessions.set(world, s);
  }
  return s;
}

function timeoutMs(world: SwitchWorld): number {
  return REPLY_TIMEOUT_MS * world.context.settings.slowFactor;
}

async function client(world: SwitchWorld, name: string): Promise<OvsdbTestClient> {
  const s = session(world);
  const existing = s.clients.get(name);
  if (existing !== undefined) return existing;
  const sut = world.requireSwitch();
  const sandbox = world.sandbox;
  if (sandbox === undefined) throw new HarnessError('no sandbox: the scenario must start with `Given a switch serving OVSDB` or `Given a bridge`');
  const c = await OvsdbTestClient.connect(sut.ovsdbEndpoint(), timeoutMs(world));
  s.clients.set(name, c);
  sandbox.defer(`close OVSDB client ${name}`, () => c.close());
  return c;
}

function record(world: SwitchWorld, name: string, direction: 'sent' | 'received', messages: readonly Json[]): void {
  const s = session(world);
  const ordered = direction === 'received' ? orderMonitorUpdates(messages) : messages;
  for (const m of ordered) s.lines.push(transcriptLine(name, direction, s.labels.normalize(m)));
}

/** Echo-synchronises every open client, in name order, recording what each received. */
async function syncAll(world: SwitchWorld): Promise<void> {
  const s = session(world);
  for (const name of [...s.clients.keys()].sort()) {
    const c = s.clients.get(name);
    if (c === undefined) continue;
    record(world, name, 'received', await c.sync(timeoutMs(world)));
  }
}

function parseDoc(doc: unknown): Json[] {
  let messages: Json[];
  try {
    messages = parseMessages(String(doc));
  } catch (e) {
    throw new HarnessError(`bad JSON-RPC doc string: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (messages.length === 0) throw new HarnessError('no JSON-RPC messages in the doc string');
  for (const m of messages) {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new HarnessError(`a JSON-RPC message must be an object: ${JSON.stringify(m)}`);
  }
  return messages;
}

async function sendAll(world: SwitchWorld, name: string, doc: unknown, waitForReplies: boolean): Promise<void> {
  const messages = parseDoc(doc);
  const c = await client(world, name);
  const labels = session(world).labels;
  for (const raw of messages) {
    const m = labels.resolve(raw) as { [key: string]: Json };
    c.send(m);
    record(world, name, 'sent', [m]);
    const id = m['id'];
    if (!waitForReplies || id === null || id === undefined) continue;
    const r = await c.untilReply(id, timeoutMs(world));
    record(world, name, 'received', r.messages);
    if (!r.closed) continue;
    session(world).lines.push(`${name}: closed by the server`);
    session(world).clients.delete(name);
    if (raw !== messages[messages.length - 1]) throw new HarnessError(`the server closed client ${JSON.stringify(name)}'s connection; the messages after ${JSON.stringify(raw)} cannot be sent`);
  }
  await syncAll(world);
}

step(/^a switch serving OVSDB$/, ['ovsdb'], async function (this: SwitchWorld) {
  if (this.sandbox !== undefined) throw new HarnessError('the switch is already started (`Given a switch serving OVSDB` comes first and once)');
  const ctx = this.context;
  this.sandbox = await Sandbox.create({ scenarioId: ctx.scenarioId, ports: [] });
  this.sut = await ctx.adapter.start(this.sandbox, { slowFactor: ctx.settings.slowFactor });
});

step(/^the OVSDB client "([A-Za-z0-9_-]+)" sends:$/, ['ovsdb'], async function (this: SwitchWorld, name, doc) {
  await sendAll(this, String(name), doc, true);
});

step(/^the OVSDB client "([A-Za-z0-9_-]+)" sends without waiting:$/, ['ovsdb'], async function (this: SwitchWorld, name, doc) {
  await sendAll(this, String(name), doc, false);
});

step(/^the OVSDB client "([A-Za-z0-9_-]+)" disconnects$/, ['ovsdb'], async function (this: SwitchWorld, name) {
  const s = session(this);
  const c = s.clients.get(String(name));
  if (c === undefined) throw new HarnessError(`no OVSDB client ${JSON.stringify(name)} has connected`);
  record(this, String(name), 'received', c.takeAll());
  c.close();
  s.clients.delete(String(name));
  s.lines.push(`${String(name)}: disconnected`);
});

step(/^the OVSDB client "([A-Za-z0-9_-]+)" waits for a notification$/, ['ovsdb'], async function (this: SwitchWorld, name) {
  const c = session(this).clients.get(String(name));
  if (c === undefined) throw new HarnessError(`no OVSDB client ${JSON.stringify(name)} has connected`);
  record(this, String(name), 'received', await c.untilNotification(timeoutMs(this)));
});

step(/^the OVSDB transcript matches golden "([^"]+)"$/, ['ovsdb'], async function (this: SwitchWorld, name) {
  await syncAll(this);
  const { featureFile, settings } = this.context;
  const actual = session(this).lines;
  if (settings.updateGolden) {
    const path = await writeGoldenTrace(featureFile, String(name), actual.join('\n'), { updateGolden: true }, 'jsonrpc');
    this.log(`recorded ${actual.length} transcript line(s) in ${path}`);
    return;
  }
  const expected = (await readGoldenText(featureFile, String(name), 'jsonrpc')).split('\n').filter((l) => l !== '');
  if (expected.length === actual.length && expected.every((l, i) => l === actual[i])) return;
  this.attach(actual.join('\n') + '\n', { mediaType: 'text/plain', fileName: `${String(name)}.actual.jsonrpc` });
  throw new Error(`the OVSDB transcript differs from ${goldenPath(featureFile, String(name), 'jsonrpc')}:\n${diffTranscripts(expected, actual)}`);
});
