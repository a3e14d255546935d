// Cucumber configuration for the refswitch conformance scenarios (cucumber-js 12.9).
//
// What: scenarios in features/**/*.feature, glue in steps/support and
// steps/definitions (TypeScript), the refswitch summary formatter on stdout
// (one verdict line per scenario, then reports/summary.txt and
// reports/verdicts.json), and the HTML, JUnit and message reports in
// reports/.
//
// TypeScript: `refswitch run` starts cucumber with NODE_OPTIONS=--import tsx,
// so the coordinator and every --parallel worker load .ts files. When
// cucumber-js is started by hand (`npx cucumber-js`) without it, this file
// registers tsx in the coordinator and adds `--import tsx` to NODE_OPTIONS
// so the workers it forks inherit it (cucumber hands workers process.env).
// Setting NODE_OPTIONS='--import tsx' yourself is the documented way and
// makes this a no-op.
//
// Invariant: nothing here talks to the network: publishing stays off
// (`publishQuiet` no longer exists in cucumber 12; `refswitch run` also
// drops CUCUMBER_PUBLISH_* from the environment, which would turn it on).
// Left out: the run's switch target, retries and parallelism, which
// `refswitch run` passes on the command line and in REFSWITCH_* variables.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

const nodeOptions = process.env.NODE_OPTIONS ?? '';
if (!/(^|\s)--(import|loader|require)(=|\s+)tsx(\s|$)/.test(nodeOptions)) {
  register();
  process.env.NODE_OPTIONS = `${nodeOptions} --import tsx`.trim();
}

// The glue files, without the unit tests that sit beside them (a glob
// cannot exclude, and importing a tap test would run it).
const glue = ['steps/support', 'steps/definitions'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f)),
);

const reportsDir = 'reports';
const reports = {
  html: `${reportsDir}/cucumber.html`,
  junit: `${reportsDir}/junit.xml`,
  message: `${reportsDir}/messages.ndjson`,
};

export default {
  // No `paths`: cucumber's default (features/**/*.feature) applies when the
  // command line names none, and paths given on the command line replace it
  // (a `paths` entry here would be added to them instead).
  import: glue,
  format: ['./steps/report/summary-formatter.ts', ...Object.entries(reports)],
  formatOptions: {
    junit: { suiteName: 'refswitch' },
    refswitch: { reportsDir, reportFiles: Object.values(reports) },
  },
  publish: false,
};
