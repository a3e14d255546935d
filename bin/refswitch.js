#!/usr/bin/env node
// The `refswitch` command. TypeScript runs through tsx; see reference/cli.
import { register } from 'tsx/esm/api';
register();
// A reader that stops early (`refswitch pcap show f.pcap | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../reference/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
