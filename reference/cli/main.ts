/**
 * The `refswitch` command line: a thin dispatcher over the libraries.
 * Each subcommand lives in its own file and returns an exit code; usage
 * errors exit 2, failures of the work itself exit 1.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd] = argv;
  process.stderr.write(`refswitch: unknown command '${cmd ?? ''}'\n`);
  return 2;
}
