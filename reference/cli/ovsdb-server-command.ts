/**
 * `refswitch ovsdb-server DB... [--remote=punix:PATH|ptcp:PORT[:IP]]...
 * [--pidfile=FILE] [--log-file=FILE]`: the reference OVSDB server alone,
 * in the foreground, like Open vSwitch's `ovsdb-server` for standalone
 * database files (create one with `refswitch ovsdb-tool create`).
 *
 * It opens each DB file (a torn tail left by a crash is cut off and
 * logged), serves them with `_Server` on every remote until SIGTERM or
 * SIGINT, then closes the files and removes the pidfile and unix sockets.
 * Without --remote nothing listens (as with ovsdb-server). ptcp binds to
 * 127.0.0.1 unless an IP is given. Log lines go to --log-file (appended)
 * or stderr, in OVS's `TIME|MODULE|LEVEL|text` shape.
 *
 * Left out: --detach, --unixctl, SSL options, remotes read from a
 * database column, --run.
 */
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseFile, OvsdbServer } from '../ovsdb/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';

function logger(logFile: string | undefined): (level: string, message: string) => void {
  let n = 0;
  return (level, message) => {
    const line = `${new Date().toISOString().slice(0, 19)}Z|${String(++n).padStart(5, '0')}|ovsdb_server|${level.toUpperCase()}|${message}\n`;
    if (logFile === undefined) process.stderr.write(line);
    else appendFileSync(logFile, line);
  };
}

type Opened = { db: ReturnType<typeof DatabaseFile.open>['db']; file: DatabaseFile };

function openAll(paths: readonly string[], log: (level: string, message: string) => void): Opened[] | string {
  const out: Opened[] = [];
  for (const p of paths) {
    try {
      const { file, db, truncatedBytes } = DatabaseFile.open(p);
      if (truncatedBytes > 0) log('warn', `${p}: dropped ${truncatedBytes} bytes of a torn or corrupt tail`);
      out.push({ db, file });
    } catch (err) {
      for (const o of out) o.file.close();
      return err instanceof Error ? err.message : String(err);
    }
  }
  return out;
}

export const ovsdbServerCommand: Command = {
  name: 'ovsdb-server',
  usage: ['ovsdb-server DB... [--remote=punix:PATH|ptcp:PORT[:IP]]... [--pidfile=FILE] [--log-file=FILE]'],
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      remote: { type: 'string', multiple: true },
      pidfile: { type: 'string' },
      'log-file': { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('expected at least one database file');
    const logFile = values['log-file'] === undefined ? undefined : resolve(values['log-file']);
    const log = logger(logFile);
    const opened = openAll(positionals, log);
    if (typeof opened === 'string') {
      process.stderr.write(`ovsdb-server: ${opened}\n`);
      return 1;
    }
    let server: OvsdbServer;
    try {
      server = await OvsdbServer.start({ databases: opened, remotes: values.remote ?? [], log });
    } catch (err) {
      for (const o of opened) o.file.close();
      process.stderr.write(`ovsdb-server: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const pidfile = values.pidfile === undefined ? undefined : resolve(values.pidfile);
    if (pidfile !== undefined) writeFileSync(pidfile, `${process.pid}\n`);
    log('info', `serving ${opened.map((o) => o.db.schema.name).join(', ')} on ${server.addresses.join(', ') || 'no remotes'}`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        done();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    await server.close();
    if (pidfile !== undefined) rmSync(pidfile, { force: true });
    log('info', 'exiting');
    return 0;
  },
};
