/**
 * What every `dpctl/*` command shares (lib/dpctl.c): the datapath it talks
 * to, the options parsed off the front of the arguments, the output buffer
 * and the error line format, and datapath-name resolution.
 *
 * Output: normal text and error lines go to one buffer, in order; a command
 * that fails sends the whole buffer as the error reply (ovs-appctl exit
 * code 2), as dpctl_unixctl_handler does. An error line is
 * `PROGRAM: WHAT[ (strerror)]`, PROGRAM being the switch's program name
 * (`refswitch`; ovs-vswitchd prints `ovs-vswitchd`), and a datapath's own
 * message, when it has one, follows on the next line indented by two
 * spaces — more than OVS says, never less.
 *
 * Datapath names: the one datapath is `system@NAME` (the Linux datapath's
 * type and name); an argument names it as `NAME` or `system@NAME`.
 *
 * Left out on purpose: several datapaths, `--read-only` mode.
 */
import type { DpError, Dpif } from '../datapath/index.ts';

/** The datapath the commands act on, and how the switch names itself. */
export interface DpctlTarget {
  readonly dpif: Dpif;
  /** Datapath name without type (`ovs-system`). */
  readonly dpName: string;
  /** The datapath clock (ms), for `used:`. */
  readonly now: () => number;
  /** Prefix of error lines (`refswitch`). */
  readonly programName: string;
}

export interface DpctlOptions {
  /** `-m`/`--more` count. */
  readonly verbosity: number;
  /** `-s`/`--statistics`. */
  readonly statistics: boolean;
  /** `--clear`. */
  readonly zeroStats: boolean;
  /** `--may-create`. */
  readonly mayCreate: boolean;
  /** `--names`/`--no-names`; default on with `-m`. */
  readonly names: boolean;
}

/** glibc's strerror text for the errnos dpctl can report. */
const STRERROR = {
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
  EFBIG: 'File too large',
  E2BIG: 'Argument list too long',
  ENODEV: 'No such device',
  EOPNOTSUPP: 'Operation not supported',
  ENOSPC: 'No space left on device',
  EMSGSIZE: 'Message too long',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EIO: 'Input/output error',
} as const;
export type DpctlErrno = keyof typeof STRERROR;

export function strerror(errno: DpctlErrno): string {
  return STRERROR[errno];
}

/** One command run: options, output so far, and helpers that print OVS's lines. */
export class DpctlRun {
  private text = '';

  constructor(
    readonly target: DpctlTarget,
    readonly opts: DpctlOptions,
  ) {}

  get output(): string {
    return this.text;
  }

  get dpif(): Dpif {
    return this.target.dpif;
  }

  /** `system@NAME`, as dpif_name prints the Linux datapath. */
  get dpFullName(): string {
    return `system@${this.target.dpName}`;
  }

  print(s: string): void {
    this.text += s;
  }

  /** `PROGRAM: what[ (strerror)]` plus the datapath's own message on the next line. */
  error(errno: DpctlErrno | undefined, what: string, detail?: string): void {
    this.text += `${this.target.programName}: ${what}${errno ? ` (${strerror(errno)})` : ''}\n`;
    if (detail) this.text += `  ${detail}\n`;
  }

  /** error() for a refused dpif operation; always false (the command failed). */
  dpError(what: string, e: DpError): false {
    this.error(e.errno, what, e.message);
    return false;
  }

  /** True when `arg` names our datapath (`NAME` or `system@NAME`; dp_parse_name). */
  isDpName(arg: string): boolean {
    const at = arg.indexOf('@');
    const type = at < 0 ? 'system' : arg.slice(0, at);
    const name = at < 0 ? arg : arg.slice(at + 1);
    return type === 'system' && name === this.target.dpName;
  }

  /**
   * opt_dpif_open: `argv[1]` may name the datapath; with no name the only
   * datapath is used, unless `argv` already has `maxArgs` entries (then
   * the first one was meant as a datapath and is unknown). `argv[0]` is
   * the command name. False (error printed) when no datapath is found.
   */
  openOptionalDp(argv: readonly string[], maxArgs: number): boolean {
    if (argv.length > 1 && this.isDpName(argv[1] ?? '')) return true;
    if (argv.length !== maxArgs) return true;
    this.error('EINVAL', 'datapath not found');
    return false;
  }

  /** parsed_dpif_open for a mandatory datapath argument. */
  openDp(arg: string, what = 'opening datapath'): boolean {
    if (this.isDpName(arg)) return true;
    this.error('ENODEV', what);
    return false;
  }

  /** Port number → name, for `--names` output and name lookups in flow text. */
  portNames(): Map<number, string> {
    return new Map(this.dpif.vportDump().map((p) => [p.portNo, p.name]));
  }
}

/**
 * Strips leading options as dpctl_unixctl_handler does (`-m`, `-s`,
 * `--statistics`, `--clear`, `--may-create`, `--more`, `--names`,
 * `--no-names`; short options may be combined), stopping at the first
 * argument not starting with `-` (a lone `-` included). Returns the
 * remaining arguments or OVS's "Unrecognized option" text.
 */
export function parseDpctlOptions(args: readonly string[]): { ok: true; opts: DpctlOptions; rest: string[] } | { ok: false; text: string } {
  let verbosity = 0;
  let statistics = false;
  let zeroStats = false;
  let mayCreate = false;
  let names: boolean | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) {
      if (a === '--statistics') statistics = true;
      else if (a === '--clear') zeroStats = true;
      else if (a === '--may-create') mayCreate = true;
      else if (a === '--more') verbosity++;
      else if (a === '--names') names = true;
      else if (a === '--no-names') names = false;
      else return { ok: false, text: `Unrecognized option ${a}` };
    } else if (a.startsWith('-') && a.length > 1) {
      for (const c of a.slice(1)) {
        if (c === 'm') verbosity++;
        else if (c === 's') statistics = true;
        else return { ok: false, text: `Unrecognized option -${c}` };
      }
    } else break;
  }
  return { ok: true, opts: { verbosity, statistics, zeroStats, mayCreate, names: names ?? verbosity > 0 }, rest: args.slice(i) };
}
