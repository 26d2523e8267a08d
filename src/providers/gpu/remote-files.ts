import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { DEFAULT_WORK_DIR } from '../../config/gpu.ts';
import { invalid, SshError } from './errors.ts';
import { call, done, SFTP_EOF, SFTP_NO_SUCH_FILE, SourceFailure, sftpFailure } from './sftp-util.ts';
import {
  isJobId,
  joinRemote,
  remoteBasename,
  remoteDirname,
  remotePathProblem,
  SAFE_DIR,
  shellCommand,
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

const MAX_READ_BYTES = 64 * 1024 * 1024;

export { splitCompleteLines } from './sftp-util.ts';

export class RemoteFiles {
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
    return this.run(shellCommand(command, this.checkedArgs(args)), opts);
  }

  /** Runs a program with arguments, every word quoted: `execArgv([python, '/…/train_lora.py', '--check', spec])`. */
  execArgv(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
    if (argv.length === 0) throw invalid(this.name, 'execArgv needs a program to run.');
    return this.run(shellCommand('', this.checkedArgs(argv)), opts);
  }

  /** As exec, but a non-zero exit throws `command_failed` with the end of stderr; returns stdout. */
  async execOk<C extends string>(
    command: FixedCommand<C>,
    args: readonly string[] = [],
    opts?: ExecOptions,
  ): Promise<string> {
    const result = await this.exec(command, args, opts);
    if (result.code !== 0) throw this.commandFailed(`\`${command}\``, result);
    return result.stdout;
  }

  // ---- files --------------------------------------------------------------------------------------

  /** `mkdir -p` with umask 077: every folder it creates is the SSH user's alone. */
  async mkdirp(path: string): Promise<void> {
    this.checkPath(path);
    const result = await this.run(shellCommand('umask 077 && mkdir -p --', [path]));
    if (result.code !== 0) {
      if (/permission denied/i.test(result.stderr)) {
        throw new SshError('permission', this.name, `GPU host "${this.name}" does not let the bot create ${path}.`, {
          hint: 'Give the SSH user write access to the work directory, or configure another work_dir.',
          stderr: result.stderr,
        });
      }
      throw this.commandFailed(`mkdir ${path}`, result);
    }
  }

  /**
   * Streams `source` to `path` over SFTP, never holding it whole: written to a hidden temporary file
   * beside it, then renamed over `path`, so a reader never sees half a file. Returns the bytes written.
   */
  async writeFile(path: string, source: WriteSource, opts: WriteOptions = {}): Promise<{ bytes: number }> {
    this.checkPath(path);
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
    this.checkPath(path);
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
    this.checkPath(path);
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

  // ---- internals ----------------------------------------------------------------------------------

  protected run(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.connection.exec(command, opts);
  }

  protected checkedArgs(args: readonly string[]): readonly string[] {
    for (const arg of args) {
      if (typeof arg !== 'string' || arg.includes('\0')) throw invalid(this.name, 'an argument holds a NUL byte.');
    }
    return args;
  }

  protected checkPath(path: string): void {
    const problem = typeof path === 'string' ? remotePathProblem(path) : 'is not a string';
    if (problem) throw invalid(this.name, `remote path ${JSON.stringify(path)} ${problem}.`);
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
      const dropped = this.connection.state !== 'ready' || (await this.#dropped(client));
      throw sftpFailure(this.name, what, error, dropped);
    }
  }

  /** Whether `client` stopped being the live connection while an operation ran. */
  async #dropped(client: unknown): Promise<boolean> {
    const state = this.connection.state;
    if (state !== 'ready') return true;
    return (await this.connection.client()) !== client;
  }

  protected commandFailed(what: string, result: ExecResult): SshError {
    const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
    return new SshError(
      'command_failed',
      this.name,
      `GPU host "${this.name}": ${what} exited with ${result.code === null ? `signal ${result.signal ?? 'unknown'}` : `code ${result.code}`}${tail ? `: ${tail}` : ''}`,
      { hint: 'See the host’s message above.', exitCode: result.code, stderr: result.stderr },
    );
  }
}
