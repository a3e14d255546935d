/**
 * get_schema against the installed ovsdb-server: for the vswitch schema (not
 * vendored here) the reference's reply bytes must equal the real server's,
 * member order included. Skips visibly when Open vSwitch is not installed.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseSchemaToJson, parseDatabaseSchema, VSWITCH_SCHEMA_PATH } from './schema.ts';
import { ovsdbJsonToString } from './json-text.ts';
import { RealOvsdbServer, realOvsdbServerMissing } from './testing/real-ovsdb-server.ts';

/** One raw JSON-RPC exchange: the reply's bytes as the server wrote them. */
function rawRequest(sockPath: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ path: sockPath }, () => s.write(request));
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      try {
        JSON.parse(buf);
        s.destroy();
        resolve(buf);
      } catch {
        // incomplete: wait for more
      }
    });
    s.on('error', reject);
  });
}

const skip = realOvsdbServerMissing() ?? (existsSync(VSWITCH_SCHEMA_PATH) ? false : `${VSWITCH_SCHEMA_PATH} absent`);

t.test('vswitch get_schema reply: same bytes as ovsdb-server', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovsdb-schema-live-'));
  const real = await RealOvsdbServer.start(dir, VSWITCH_SCHEMA_PATH);
  try {
    const reply = await rawRequest(real.address.replace(/^unix:/, ''), '{"method":"get_schema","params":["Open_vSwitch"],"id":0}');
    // The server serves the schema as ovsdb-tool wrote it into the file (line 2).
    const fileSchema = JSON.parse(readFileSync(real.dbPath, 'utf8').split('\n')[1] as string) as unknown;
    const mine = ovsdbJsonToString({ result: databaseSchemaToJson(parseDatabaseSchema(fileSchema)), error: null, id: 0 });
    t.equal(mine, reply.trim());
  } finally {
    await real.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
