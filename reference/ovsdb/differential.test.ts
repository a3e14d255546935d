/**
 * Differential test: one generated sequence of transactions (testing/
 * txn-generator.ts: every operation, condition function, mutator and
 * error class, on testing/diff.ovsschema) against Open vSwitch's
 * ovsdb-server and against the reference OvsdbServer (on a database
 * file), replies compared after UUID normalisation, then the final
 * contents of every table; then both servers are restarted on their own
 * files and on each other's (checkFiles).
 *
 * Skips visibly when ovsdb-server is not installed. Also checks that the
 * sequence draws every error class from ovsdb-server (the generator's
 * coverage). Up to 15 mismatches are printed in full (transaction, both
 * replies, first differing path), then a count by kind.
 * DIFF_SEED and DIFF_COUNT choose another sequence (default 5 and 300).
 */
import t, { type Test } from 'tap';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMismatch, type DiffTarget, dumpTables, persistedColumns, rpcTarget, runDifferential } from './testing/differential-runner.ts';
import { firstDifference, type UuidNormaliser } from './testing/normalise.ts';
import { RealOvsdbServer, realOvsdbServerMissing } from './testing/real-ovsdb-server.ts';
import { startReferenceServer } from './testing/reference-target.ts';
import { DIFF_SCHEMA_PATH } from './testing/txn-generator.ts';

const SEED = Number(process.env['DIFF_SEED'] ?? 5);
const COUNT = Number(process.env['DIFF_COUNT'] ?? 300);
const ERROR_CLASSES = [
  'syntax error', 'unknown column', 'unknown database', 'constraint violation', 'referential integrity violation',
  'duplicate uuid-name', 'duplicate uuid', 'domain error', 'range error', 'timed out', 'not owner', 'aborted',
];
const MAX_PRINTED = 15;

const missing = realOvsdbServerMissing();

t.test(`${COUNT} transactions (seed ${SEED}): ovsdb-server and the reference reply alike`, { skip: missing ?? false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovsdb-diff-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const real = await RealOvsdbServer.start(dir, DIFF_SCHEMA_PATH);
  t.teardown(() => real.stop());
  const refDb = join(dir, 'ref.db');
  const ref = await startReferenceServer(dir, DIFF_SCHEMA_PATH, { dbPath: refDb });
  t.teardown(() => ref.close());
  const targets: DiffTarget[] = [rpcTarget('ovsdb-server', real.address), rpcTarget('reference', ref.address)];

  const report = await runDifferential(targets, SEED, COUNT);
  t.equal(report.transactions, COUNT, 'every transaction ran');
  const errs = [...report.oracleErrors].map(([k, v]) => `${k} ×${v}`).join(', ');
  t.comment(`ovsdb-server's errors: ${errs}`);
  t.same(ERROR_CLASSES.filter((e) => !report.oracleErrors.has(e)), [], 'the sequence draws every error class from ovsdb-server');

  for (const m of report.mismatches.slice(0, MAX_PRINTED)) t.comment(describeMismatch(m, targets));
  const byLabel = new Map<string, number>();
  for (const m of report.mismatches) byLabel.set(m.txn.label, (byLabel.get(m.txn.label) ?? 0) + 1);
  if (byLabel.size > 0) t.comment(`mismatches by kind: ${[...byLabel].map(([k, v]) => `${k} ×${v}`).join('; ')}`);
  t.equal(report.mismatches.length, 0, `replies equal after UUID normalisation (${report.mismatches.length} of ${COUNT} differ)`);
  if (report.dumpMismatch !== undefined) {
    t.comment(`final dumps differ at ${report.dumpMismatch.path}`);
    report.dumpMismatch.dumps.forEach((d, i) => t.comment(`  ${targets[i]?.name}: ${JSON.stringify(d)}`));
  }
  t.equal(report.dumpMismatch, undefined, 'final contents of every table equal');

  const cols = persistedColumns(readFileSync(DIFF_SCHEMA_PATH, 'utf8'));
  const [normReal, normRef] = report.normalisers;
  if (normReal === undefined || normRef === undefined) throw new Error('two normalisers expected');
  const served = await dumpTables(targets[1] as DiffTarget, normRef, cols);
  await real.stop();
  await ref.close();
  await checkFiles(t, dir, { real: real.dbPath, ref: refDb }, { real: normReal, ref: normRef }, served);
});

/**
 * Restarts each server on its own file and on a copy of the other's, and
 * compares what they serve (persisted columns only): the reference
 * replays its own file to what it served, reads Open vSwitch's file as it
 * reads its own, and Open vSwitch reads the reference's file as it reads
 * its own. (Open vSwitch on its own file against what it served is only
 * reported: 3.1.0 loses some records, see below.)
 */
async function checkFiles(
  t: Test,
  dir: string,
  files: { readonly real: string; readonly ref: string },
  norms: { readonly real: UuidNormaliser; readonly ref: UuidNormaliser },
  served: unknown,
): Promise<void> {
  const cols = persistedColumns(readFileSync(DIFF_SCHEMA_PATH, 'utf8'));
  copyFileSync(files.real, join(dir, 'real-copy.db'));
  copyFileSync(files.ref, join(dir, 'ref-copy.db'));
  /** What a server started on `db` serves, or undefined (reported as a failure) when it does not start. */
  const serve = async (who: string, db: string, norm: UuidNormaliser, isReal: boolean): Promise<unknown> => {
    const name = who.replace(/[^a-z]+/g, '-');
    try {
      const s = isReal ? await RealOvsdbServer.open(dir, db, name) : await startReferenceServer(dir, DIFF_SCHEMA_PATH, { name, dbPath: db });
      t.teardown(() => ('stop' in s ? s.stop() : s.close()));
      return await dumpTables(rpcTarget(who, s.address), norm, cols);
    } catch (e) {
      t.fail(`${who} does not start: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };
  const dumps = {
    realOwn: await serve('ovsdb-server on its file', files.real, norms.real, true),
    realOnRef: await serve("ovsdb-server on the reference's file", join(dir, 'ref-copy.db'), norms.ref, true),
    refOwn: await serve('reference on its file', files.ref, norms.ref, false),
    refOnReal: await serve("reference on ovsdb-server's file", join(dir, 'real-copy.db'), norms.real, false),
  };
  const same = (a: unknown, b: unknown, what: string): void => {
    if (a === undefined || b === undefined) return;
    const path = firstDifference(a, b);
    if (path !== undefined) t.comment(`${what}: first difference at ${path}\n  ${JSON.stringify(pick(a, path))}\n  ${JSON.stringify(pick(b, path))}`);
    t.equal(path, undefined, what);
  };
  same(dumps.refOwn, served, 'the reference replays its own file to what it served');
  // Open vSwitch 3.1.0 skips some records of its own files (below), so its reading of ours is compared with its reading of its own.
  same(dumps.realOnRef, dumps.realOwn, "ovsdb-server reads the reference's file as it reads its own");
  same(dumps.refOnReal, dumps.refOwn, "the reference reads ovsdb-server's file as it reads its own");
  const lost = dumps.realOwn === undefined ? undefined : firstDifference(dumps.realOwn, served);
  if (lost !== undefined) {
    t.comment(
      `ovsdb-server does not restore from its own file what it served (first difference at ${lost}): 3.1.0 skips a record ` +
        'whose set diff has more elements than the column allows and replaces a default value by the diff, both fixed in 3.1.3 ' +
        '("ovsdb: file: Fix inability to read diffs that violate type size", "ovsdb: file: Fix diff application to a default column value").',
    );
  }
}

/** The value at a path firstDifference printed (`.result[0].rows[3].r`), for the report. */
function pick(json: unknown, path: string): unknown {
  let at: unknown = json;
  for (const m of path.matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (at === null || typeof at !== 'object') return at;
    at = m[1] !== undefined ? (at as Record<string, unknown>)[m[1]] : (at as unknown[])[Number(m[2])];
  }
  return at;
}
