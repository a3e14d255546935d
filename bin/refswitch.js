#!/usr/bin/env node
// The `refswitch` command. TypeScript runs through tsx; see reference/cli.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../reference/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
