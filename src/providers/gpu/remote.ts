import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { DEFAULT_WORK_DIR } from '../../config-gpu.ts';
import { invalid, SshError } from './errors.ts';
import {
  isJobId,
  joinRemote,
  PATH_SEGMENT,
  remoteBasename,
  remoteDirname,
  remotePathProblem,
  SAFE_DIR,
  SIGNALS,
  type Signal,
  shellCommand,
  shellQuote,
} from './shell.ts';
import type { ExecOptions, ExecResult, HostConnection } from './ssh-pool.ts';

/**
 * The operations a GPU adapter needs on one host, over that host's shared connection: folders,
 * streamed uploads, reading a growing file from an offset, commands with capped output, and a
 * process that outlives the connection. Generic on purpose: what to run and where is the adapter's
 * business. Every command is fixed text from this repository with single-quoted words after it;
 * paths must be absolute and free of `.`/`..`; job ids must match JOB_ID.
 */

/** A string literal written in the code, never a runtime string (which might hold what a person typed). */
export type FixedCommand<C extends string> = C & (string extends C ? never : unknown);

export type WriteSource =
  | Uint8Array
  | string
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | NodeJS.ReadableStream;

export interface WriteOptions {
  /** File mode; default 0o600 (training data is private). */
  mode?: number;
  /** Called with the bytes sent so far, as they go. */
  onProgress?: (bytes: number) => void;
}

export interface ReadChunk {
  bytes: Buffer;
  /** Where the next read starts: the old offset plus bytes.length. */
  offset: number;
  /** The file's size when read. Below the offset asked for, the file was truncated or replaced. */
  size: number;
}

export interface RemoteStat {
  size: number;
  mtimeMs: number;
  isFile: boolean;
  isDirectory: boolean;
  mode: number;
}

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

const MAX_READ_BYTES = 64 * 1024 * 1024;
const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9:_.-]{0,190}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// SFTP status codes (draft-ietf-secsh-filexfer-02).
const SFTP_EOF = 1;
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

function call<T>(start: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)));
  });
}

function done(start: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    start((err) => (err ? reject(err) : resolve()));
  });
}

/** An error of the caller's own source stream, passed through #sftp's mapping untouched. */
class SourceFailure {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** Splits at the last newline: whole lines, and how many bytes they took (the rest waits for more). */
export function splitCompleteLines(bytes: Buffer): { lines: string[]; consumed: number } {
  const end = bytes.lastIndexOf(0x0a);
  if (end < 0) return { lines: [], consumed: 0 };
  const lines = bytes.subarray(0, end).toString('utf8').split('\n');
  return { lines: lines.map((line) => line.replace(/\r$/, '')), consumed: end + 1 };
}

export class RemoteHost {
  readonly name: string;
  readonly connection: HostConnection;
  readonly #configuredWorkDir: string;
  #workDir: Promise<string> | undefined;

  /** `workDir` as in GpuHost.workDir: absolute, or `~`/`~/…` resolved on the host. */
  constructor(connection: HostConnection, workDir: string = DEFAULT_WORK_DIR) {
    this.connection = connection;
    this.name = connection.host.name;
    this.#configuredWorkDir = workDir;
  }

  // ---- paths --------------------------------------------------------------------------------------

  /** The work directory as an absolute path on the host (`~` resolved through SFTP once, then cached). */
  async workDir(): Promise<string> {
    this.#workDir ??= this.#resolveWorkDir();
    try {
      return await this.#workDir;
    } catch (error) {
      this.#workDir = undefined;
      throw error;
    }
  }

  /** `<workDir>/<jobId>` for one of our job ids; `invalid` for anything else. */
  async jobDir(jobId: string): Promise<string> {
    if (!isJobId(jobId)) throw invalid(this.name, `${JSON.stringify(jobId)} is not a job id of ours.`);
    return joinRemote(await this.workDir(), jobId);
  }

  async #resolveWorkDir(): Promise<string> {
    const configured = this.#configuredWorkDir;
    let dir = configured;
    if (configured === '~' || configured.startsWith('~/')) {
      const home = await this.#sftp((sftp) => call<string>((cb) => sftp.realpath('.', cb)), 'find the home folder');
      dir = configured === '~' ? home : `${home.replace(/\/+$/, '')}/${configured.slice(2)}`;
    }
    dir = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
    if (remotePathProblem(dir) || !SAFE_DIR.test(dir)) {
      throw new SshError(
        'invalid',
        this.name,
        `GPU host "${this.name}": the work directory resolves to a path the bot refuses.`,
        {
          hint: 'Set an absolute work_dir of letters, digits and ._+@/- (no spaces, $ or %).',
        },
      );
    }
    return dir;
  }

  // ---- commands -----------------------------------------------------------------------------------

  /**
   * Runs fixed command text (a string literal in the code) with `args` single-quoted after it, e.g.
   * `exec('nvidia-smi --query-gpu=name,memory.free --format=csv,noheader')` or
   * `exec('test -d', [dir])`. A non-zero exit is a result; see execOk for one that must succeed.
   */
  exec<C extends string>(
    command: FixedCommand<C>,
    args: readonly string[] = [],
    opts?: ExecOptions,
  ): Promise<ExecResult> {
    return this.#exec(shellCommand(command, this.#args(args)), opts);
  }

  /** Runs a program with arguments, every word quoted: `execArgv([python, '/…/train_lora.py', '--check', spec])`. */
  execArgv(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    if (argv.length === 0) throw invalid(this.name, 'execArgv needs a program to run.');
    return this.#exec(shellCommand('', this.#args(argv)), opts);
  }

  /** As exec, but a non-zero exit throws `command_failed` with the end of stderr; returns stdout. */
  async execOk<C extends string>(
    command: FixedCommand<C>,
    args: readonly string[] = [],
    opts?: ExecOptions,
  ): Promise<string> {
    const result = await this.exec(command, args, opts);
    if (result.code !== 0) throw this.#failed(`\`${command}\``, result);
    return result.stdout;
  }

  // ---- files --------------------------------------------------------------------------------------

  /** `mkdir -p` with umask 077: every folder it creates is the SSH user's alone. */
  async mkdirp(path: string): Promise<void> {
    this.#path(path);
    const result = await this.#exec(shellCommand('umask 077 && mkdir -p --', [path]));
    if (result.code !== 0) {
      if (/permission denied/i.test(result.stderr)) {
        throw new SshError('permission', this.name, `GPU host "${this.name}" does not let the bot create ${path}.`, {
          hint: 'Give the SSH user write access to the work directory, or configure another work_dir.',
          stderr: result.stderr,
        });
      }
      throw this.#failed(`mkdir ${path}`, result);
    }
  }

  /**
   * Streams `source` to `path` over SFTP, never holding it whole: written to a hidden temporary file
   * beside it, then renamed over `path`, so a reader never sees half a file. Returns the bytes written.
   */
  async writeFile(path: string, source: WriteSource, opts: WriteOptions = {}): Promise<{ bytes: number }> {
    this.#path(path);
    const temp = joinRemote(remoteDirname(path), `.${remoteBasename(path)}.part-${randomBytes(4).toString('hex')}`);
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        opts.onProgress?.(bytes);
        done(null, chunk);
      },
    });
    const input =
      typeof source === 'string' || source instanceof Uint8Array
        ? Readable.from([Buffer.from(source)])
        : Readable.from(source as AsyncIterable<Uint8Array>);
    let sourceError: unknown;
    input.once('error', (error) => {
      sourceError = error;
    });
    return this.#sftp(async (sftp) => {
      try {
        const out = sftp.createWriteStream(temp, { flags: 'w', mode: opts.mode ?? 0o600 });
        const closed = once(out, 'close');
        closed.catch(() => {});
        await pipeline(input, count, out);
        await closed;
        await this.#rename(sftp, temp, path);
        return { bytes };
      } catch (error) {
        input.destroy();
        await done((cb) => sftp.unlink(temp, cb)).catch(() => {});
        // The data's own failure (a Slack download cut short) is the caller's to handle, as it was.
        if (sourceError !== undefined) throw new SourceFailure(sourceError);
        throw error;
      }
    }, `write ${path}`);
  }

  /**
   * Up to `maxBytes` of `path` from byte `offset`, and the offset to read from next: for tailing
   * `events.jsonl`. Pair with splitCompleteLines and store `offset + consumed`, so a line still being
   * written is read whole next time; nothing is lost or read twice across drops and restarts.
   * A missing file is `not_found`.
   */
  async readFrom(path: string, offset: number, maxBytes = 1024 * 1024): Promise<ReadChunk> {
    this.#path(path);
    if (!Number.isSafeInteger(offset) || offset < 0) throw invalid(this.name, `offset ${offset} is not a byte offset.`);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_READ_BYTES) {
      throw invalid(this.name, `maxBytes must be from 1 to ${MAX_READ_BYTES}.`);
    }
    return this.#sftp(async (sftp) => {
      const handle = await call<Buffer>((cb) => sftp.open(path, 'r', cb));
      try {
        const { size } = await call<Stats>((cb) => sftp.fstat(handle, cb));
        const want = Math.max(0, Math.min(maxBytes, size - offset));
        const buffer = Buffer.alloc(want);
        let got = 0;
        while (got < want) {
          const n = await new Promise<number>((resolve, reject) => {
            sftp.read(handle, buffer, got, want - got, offset + got, (err, bytesRead) => {
              if (err && (err as { code?: number }).code === SFTP_EOF) resolve(0);
              else if (err) reject(err);
              else resolve(bytesRead);
            });
          });
          if (n === 0) break;
          got += n;
        }
        return { bytes: buffer.subarray(0, got), offset: offset + got, size };
      } finally {
        await done((cb) => sftp.close(handle, cb)).catch(() => {});
      }
    }, `read ${path}`);
  }

  /** The file's size, time and type; undefined when there is nothing at `path`. */
  async stat(path: string): Promise<RemoteStat | undefined> {
    this.#path(path);
    return this.#sftp(async (sftp) => {
      try {
        const s = await call<Stats>((cb) => sftp.stat(path, cb));
        return {
          size: s.size,
          mtimeMs: s.mtime * 1000,
          isFile: s.isFile(),
          isDirectory: s.isDirectory(),
          mode: s.mode,
        };
      } catch (error) {
        if ((error as { code?: number }).code === SFTP_NO_SUCH_FILE) return undefined;
        throw error;
      }
    }, `look at ${path}`);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.stat(path)) !== undefined;
  }

  // ---- processes ----------------------------------------------------------------------------------

  /**
   * Starts `argv` in `jobDir` so that it outlives the SSH connection, the bot, and a restart of
   * either: under `systemd-run --user` where the host has a user manager with lingering on, else
   * `setsid nohup`. Either way the process leads its own process group and writes its id to
   * `<jobDir>/pgid` before it runs `argv`; stdout and stderr go to `<jobDir>/<logFile>`. At most once
   * per folder: a second call finds the first launch (`alreadyStarted`) and starts nothing.
   */
  async startDetached(jobDir: string, argv: readonly string[], opts: DetachOptions = {}): Promise<DetachedProcess> {
    this.#path(jobDir);
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
      `exec ${shellCommand('', this.#args(argv))}`,
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
    const result = await this.#exec(shellCommand('exec /bin/sh -c', [script]), { timeoutMs: 30_000 });
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
    if (result.code !== 0 || !match) throw this.#failed('starting a detached process', result);
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
    const result = await this.#exec(shellCommand('exec /bin/sh -c', [`kill -s ${signal} -- -${pgid}`]));
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
    throw this.#failed(`kill -s ${signal}`, result);
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
    const result = await this.#exec(shellCommand('exec /bin/sh -c', [script]));
    return result.code === 0;
  }

  // ---- internals ----------------------------------------------------------------------------------

  #exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.connection.exec(command, opts);
  }

  #args(args: readonly string[]): readonly string[] {
    for (const arg of args) {
      if (typeof arg !== 'string' || arg.includes('\0')) throw invalid(this.name, 'an argument holds a NUL byte.');
    }
    return args;
  }

  #path(path: string): void {
    const problem = typeof path === 'string' ? remotePathProblem(path) : 'is not a string';
    if (problem) throw invalid(this.name, `remote path ${JSON.stringify(path)} ${problem}.`);
  }

  #pgid(pgid: number): void {
    // Never 0 (our own group), 1 (kill -1: every process) or negative.
    if (!Number.isSafeInteger(pgid) || pgid < 2) throw invalid(this.name, `${pgid} is not a process group id.`);
  }

  async #rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    try {
      await done((cb) => sftp.ext_openssh_rename(from, to, cb));
    } catch {
      // No posix-rename@openssh.com: SFTP's plain rename does not replace, so remove the old file first.
      await done((cb) => sftp.unlink(to, cb)).catch(() => {});
      await done((cb) => sftp.rename(from, to, cb));
    }
  }

  /** Runs `fn` on the shared SFTP session; SFTP failures come out as SshErrors naming the path. */
  async #sftp<T>(fn: (sftp: SFTPWrapper) => Promise<T>, what: string): Promise<T> {
    const client = await this.connection.client();
    const sftp = await this.connection.sftp();
    try {
      return await fn(sftp);
    } catch (error) {
      if (error instanceof SourceFailure) throw error.error;
      if (error instanceof SshError) throw error;
      const code = (error as { code?: number }).code;
      if (this.connection.state !== 'ready' || (await this.#dropped(client))) {
        throw new SshError(
          'disconnected',
          this.name,
          `GPU host "${this.name}" dropped the connection during: ${what}.`,
          {
            hint: 'The bot reconnects by itself; the operation can be repeated. Jobs on the host keep running.',
            cause: error,
          },
        );
      }
      if (code === SFTP_NO_SUCH_FILE) {
        throw new SshError(
          'not_found',
          this.name,
          `GPU host "${this.name}" could not ${what}: no such file or folder.`,
          {
            hint: 'The path does not exist on the host (yet).',
          },
        );
      }
      if (code === SFTP_PERMISSION_DENIED) {
        throw new SshError('permission', this.name, `GPU host "${this.name}" could not ${what}: permission denied.`, {
          hint: 'Give the SSH user access to the work directory, or configure another work_dir.',
        });
      }
      throw new SshError(
        'protocol',
        this.name,
        `GPU host "${this.name}" could not ${what} (${(error as Error).message}).`,
        {
          hint: 'Check free disk space and the SFTP server on the host.',
          retryable: true,
          cause: error,
        },
      );
    }
  }

  /** Whether `client` stopped being the live connection while an operation ran. */
  async #dropped(client: unknown): Promise<boolean> {
    const state = this.connection.state;
    if (state !== 'ready') return true;
    return (await this.connection.client()) !== client;
  }

  #failed(what: string, result: ExecResult): SshError {
    const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
    return new SshError(
      'command_failed',
      this.name,
      `GPU host "${this.name}": ${what} exited with ${result.code === null ? `signal ${result.signal ?? 'unknown'}` : `code ${result.code}`}${tail ? `: ${tail}` : ''}`,
      { hint: 'See the host’s message above.', exitCode: result.code, stderr: result.stderr },
    );
  }
}
