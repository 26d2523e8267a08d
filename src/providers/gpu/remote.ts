import { invalid, SshError } from './errors.ts';
import { RemoteFiles } from './remote-files.ts';
import {
  joinRemote,
  PATH_SEGMENT,
  remoteBasename,
  SAFE_DIR,
  SIGNALS,
  type Signal,
  shellCommand,
  shellQuote,
} from './shell.ts';

export {
  type FixedCommand,
  type ReadChunk,
  type RemoteStat,
  splitCompleteLines,
  type WriteOptions,
  type WriteSource,
} from './remote-files.ts';

/**
 * A GPU host's operations: RemoteFiles' folders, files and commands, and processes that outlive
 * the connection (started detached, signalled by process group).
 */

export type Launcher = 'systemd' | 'setsid';

export interface DetachOptions {
  /** The transient unit's name under systemd-run (default `finetune-bot-<job folder name>`). */
  unit?: string;
  /** stdout and stderr of the process, appended, in the job folder. Default `stdout.log`. */
  logFile?: string;
  /** Extra environment for the process (names [A-Za-z_][A-Za-z0-9_]*; values are quoted). */
  env?: Readonly<Record<string, string>>;
  /** `auto` (default): systemd-run --user when the host has a lingering user manager, else setsid nohup. */
  launcher?: 'auto' | Launcher;
}

export interface DetachedProcess {
  /** The process group: the process is its leader, and signalGroup(pgid, …) reaches all it started. */
  pgid: number | null;
  launcher: Launcher | 'unknown';
  /** The systemd unit, when launched with systemd-run. */
  unit?: string;
  /**
   * The folder had been launched in before (a repeated start after a crash): nothing new was
   * started, and `pgid` is the earlier process's (null if it never recorded one). Whether it still
   * runs is groupAlive's to say.
   */
  alreadyStarted: boolean;
}

const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.-]{0,190}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export class RemoteHost extends RemoteFiles {
  // ---- processes ----------------------------------------------------------------------------------

  /**
   * Starts `argv` in `jobDir` so that it outlives the SSH connection, the bot, and a restart of
   * either: under `systemd-run --user` where the host has a user manager with lingering on, else
   * `setsid nohup`. Either way the process leads its own process group and writes its id to
   * `<jobDir>/pgid` before it runs `argv`; stdout and stderr go to `<jobDir>/<logFile>`. At most once
   * per folder: a second call finds the first launch (`alreadyStarted`) and starts nothing.
   */
  async startDetached(jobDir: string, argv: readonly string[], opts: DetachOptions = {}): Promise<DetachedProcess> {
    this.checkPath(jobDir);
    if (!SAFE_DIR.test(jobDir))
      throw invalid(this.name, `job folder ${JSON.stringify(jobDir)} holds characters the bot refuses.`);
    if (argv.length === 0) throw invalid(this.name, 'startDetached needs a program to run.');
    const unit = opts.unit ?? `finetune-bot-${remoteBasename(jobDir)}`;
    if (!UNIT_NAME.test(unit)) throw invalid(this.name, `${JSON.stringify(unit)} is not a unit name the bot uses.`);
    const logFile = opts.logFile ?? 'stdout.log';
    if (!PATH_SEGMENT.test(logFile)) throw invalid(this.name, `${JSON.stringify(logFile)} is not a file name.`);
    const env = Object.entries(opts.env ?? {});
    const badEnv = env.find(([name]) => !ENV_NAME.test(name));
    if (badEnv) throw invalid(this.name, `${JSON.stringify(badEnv[0])} is not an environment variable name.`);
    const launcher = opts.launcher ?? 'auto';

    // The process's own first lines: its folder, its output, its process group, then exec.
    const launch = [
      `cd ${shellQuote(jobDir)} || exit 70`,
      `exec </dev/null >>${shellQuote(logFile)} 2>&1`,
      ...env.map(([name, value]) => `export ${name}=${shellQuote(value)}`),
      'echo $$ > pgid.tmp && mv -f pgid.tmp pgid',
      `exec ${shellCommand('', this.checkedArgs(argv))}`,
    ];
    const script = [
      'set -u',
      `cd ${shellQuote(jobDir)} 2>/dev/null || { echo 'the job folder does not exist' >&2; exit 70; }`,
      'wait_pgid() { i=0; while [ ! -s pgid ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done; [ -s pgid ]; }',
      'if ! (set -C; : > .launched) 2>/dev/null; then',
      '  if wait_pgid; then p=$(cat pgid); else p=-; fi',
      '  printf "already %s %s\\n" "$p" "$(cat .launcher 2>/dev/null || echo unknown)"',
      '  exit 0',
      'fi',
      `printf '%s\\n' ${launch.map(shellQuote).join(' ')} > launch.sh`,
      `pref=${shellQuote(launcher)}`,
      'm=',
      'if [ "$pref" != setsid ] && command -v systemd-run >/dev/null 2>&1 &&',
      '   [ "$(loginctl show-user "$(id -un)" --property=Linger --value 2>/dev/null)" = yes ] &&',
      `   systemd-run --user --quiet --collect --unit=${shellQuote(unit)} /bin/sh "$PWD/launch.sh" </dev/null >/dev/null 2>launch.err; then`,
      '  m=systemd',
      'elif [ "$pref" = systemd ]; then',
      '  rm -f .launched',
      "  echo 'systemd-run --user is not usable here: it needs systemd, a user manager and lingering (loginctl enable-linger)' >&2",
      '  exit 71',
      'elif command -v setsid >/dev/null 2>&1; then',
      '  setsid nohup /bin/sh "$PWD/launch.sh" </dev/null >/dev/null 2>&1 &',
      '  m=setsid',
      'else',
      '  rm -f .launched',
      "  echo 'neither systemd-run --user (with lingering) nor setsid is available' >&2",
      '  exit 71',
      'fi',
      'echo "$m" > .launcher',
      "wait_pgid || { echo 'the process did not record its process group within 10 s' >&2; exit 72; }",
      'printf "started %s %s\\n" "$(cat pgid)" "$m"',
    ].join('\n');
    const result = await this.run(shellCommand('exec /bin/sh -c', [script]), { timeoutMs: 30_000 });
    if (result.code === 70) {
      throw new SshError('not_found', this.name, `GPU host "${this.name}" has no folder ${jobDir}.`, {
        hint: 'Create the job folder (mkdirp) before starting the process.',
      });
    }
    if (result.code === 71) {
      throw new SshError('unsupported', this.name, `GPU host "${this.name}": ${result.stderr.trim()}.`, {
        hint: 'Install util-linux (setsid), or enable lingering for the SSH user: loginctl enable-linger USER.',
        stderr: result.stderr,
      });
    }
    const match = /^(started|already) (\d+|-) (\w+)\s*$/m.exec(result.stdout);
    if (result.code !== 0 || !match) throw this.commandFailed('starting a detached process', result);
    const pgid = match[2] === '-' ? null : Number(match[2]);
    const used = match[3] === 'systemd' || match[3] === 'setsid' ? match[3] : 'unknown';
    return {
      pgid,
      launcher: used,
      ...(used === 'systemd' ? { unit } : {}),
      alreadyStarted: match[1] === 'already',
    };
  }

  /** The process group recorded in `<jobDir>/pgid` by startDetached; undefined before it ran. */
  async detachedPgid(jobDir: string): Promise<number | undefined> {
    const path = joinRemote(jobDir, 'pgid');
    try {
      const { bytes } = await this.readFrom(path, 0, 64);
      const pgid = Number(bytes.toString('utf8').trim());
      return Number.isSafeInteger(pgid) && pgid > 1 ? pgid : undefined;
    } catch (error) {
      if (error instanceof SshError && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  /** Sends `signal` to every process in group `pgid`. False when no such group exists (any more). */
  async signalGroup(pgid: number, signal: Signal): Promise<boolean> {
    this.#pgid(pgid);
    if (!SIGNALS.includes(signal)) throw invalid(this.name, `${JSON.stringify(signal)} is not a signal the bot sends.`);
    const result = await this.run(shellCommand('exec /bin/sh -c', [`kill -s ${signal} -- -${pgid}`]));
    if (result.code === 0) return true;
    if (/no such process/i.test(result.stderr)) return false;
    if (/not permitted/i.test(result.stderr)) {
      throw new SshError(
        'permission',
        this.name,
        `GPU host "${this.name}" does not let the bot signal process group ${pgid}.`,
        {
          hint: 'The process belongs to another user; the SSH user must be the one that started it.',
          stderr: result.stderr,
        },
      );
    }
    throw this.commandFailed(`kill -s ${signal}`, result);
  }

  /** Whether any process of group `pgid` is still running (zombies, awaiting their parent, do not count). */
  async groupAlive(pgid: number): Promise<boolean> {
    this.#pgid(pgid);
    // Linux: /proc, with nothing installed (fields after the command name: state ppid pgrp …);
    // elsewhere ps; kill -0 as the last resort (it counts zombies as alive).
    const script = [
      'if [ -r /proc/self/stat ]; then',
      '  for f in /proc/[0-9]*/stat; do',
      '    read -r line 2>/dev/null <"$f" || continue',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
      '    set -f; set -- ${line##*) }',
      `    if [ "$3" = ${pgid} ] && [ "$1" != Z ]; then exit 0; fi`,
      '  done',
      '  exit 1',
      'elif command -v ps >/dev/null 2>&1; then',
      `  ps -eo pgid=,stat= | awk -v g=${pgid} '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'`,
      'else',
      `  kill -s 0 -- -${pgid} 2>/dev/null`,
      'fi',
    ].join('\n');
    const result = await this.run(shellCommand('exec /bin/sh -c', [script]));
    return result.code === 0;
  }

  #pgid(pgid: number): void {
    // Never 0 (our own group), 1 (kill -1: every process) or negative.
    if (!Number.isSafeInteger(pgid) || pgid < 2) throw invalid(this.name, `${pgid} is not a process group id.`);
  }
}
