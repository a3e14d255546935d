/**
 * Differential test: one generated sequence of transactions (testing/
 * txn-generator.ts: every operation, condition function, mutator and
 * error class, on testing/diff.ovsschema) against Open vSwitch's
 * ovsdb-server and against the reference OvsdbServer, replies compared
 * after UUID normalisation, then the final contents of every table.
 *
 * Skips visibly when ovsdb-server is not installed. Also checks that the
 * sequence draws every error class from ovsdb-server (the generator's
 * coverage). Up to 15 mismatches are printed in full (transaction, both
 * replies, first differing path), then a count by kind.
 * DIFF_SEED and DIFF_COUNT choose another sequence (default 5 and 300).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMismatch, type DiffTarget, rpcTarget, runDifferential } from './testing/differential-runner.ts';
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
  const ref = await startReferenceServer(dir, DIFF_SCHEMA_PATH);
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
});
