/**
 * What can go wrong between the bot and a GPU host, as data a caller can act on. Every failure of the
 * SSH transport (src/providers/gpu/ssh-pool.ts, remote.ts) is an SshError with a `kind`; the message
 * names the host and is safe to show (no key material, no passphrase, nothing a person typed), and
 * the hint says what to do about it.
 */

export type SshErrorKind =
  /** The host did not answer: refused, unroutable, DNS, or no SSH handshake in time. Retryable. */
  | 'unreachable'
  /** The host refused the bot's key (or the agent's keys), or the agent failed. */
  | 'auth'
  /** The host presented a key other than the pinned fingerprint; nothing was sent to it. */
  | 'host_key_mismatch'
  /** The connection dropped while an operation was under way. Retryable. */
  | 'disconnected'
  /** An operation ran past its time limit. */
  | 'timeout'
  /** A remote command ran and exited non-zero where the operation needed it to succeed. */
  | 'command_failed'
  /** A remote file or folder does not exist. */
  | 'not_found'
  /** The remote user may not read or write that path. */
  | 'permission'
  /** The host lacks something the operation needs (e.g. `setsid`), or refused a channel. */
  | 'unsupported'
  /** The SSH conversation itself failed (handshake, SFTP protocol). */
  | 'protocol'
  /** A bad argument from the caller: a job id, path, signal or process group the transport refuses. A bug. */
  | 'invalid'
  /** The pool was closed. */
  | 'closed';

export interface SshErrorOptions {
  hint: string;
  retryable?: boolean;
  /** host_key_mismatch: the pinned fingerprint and the one the host presented. */
  expected?: string;
  seen?: string;
  /** command_failed: the exit code (null when the command died of a signal) and the end of its stderr. */
  exitCode?: number | null;
  stderr?: string;
  cause?: unknown;
}

export class SshError extends Error {
  override name = 'SshError';
  readonly kind: SshErrorKind;
  /** The configured name of the host, e.g. `a100-1`. */
  readonly host: string;
  readonly hint: string;
  readonly retryable: boolean;
  readonly expected?: string;
  readonly seen?: string;
  readonly exitCode?: number | null;
  readonly stderr?: string;

  constructor(kind: SshErrorKind, host: string, message: string, opts: SshErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.host = host;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? (kind === 'unreachable' || kind === 'disconnected' || kind === 'timeout');
    if (opts.expected !== undefined) this.expected = opts.expected;
    if (opts.seen !== undefined) this.seen = opts.seen;
    if (opts.exitCode !== undefined) this.exitCode = opts.exitCode;
    if (opts.stderr !== undefined) this.stderr = opts.stderr;
  }
}

export function isSshError(error: unknown, kind?: SshErrorKind): error is SshError {
  return error instanceof SshError && (kind === undefined || error.kind === kind);
}

/** A caller's mistake: refused before anything is sent to the host. */
export function invalid(host: string, message: string): SshError {
  return new SshError('invalid', host, message, {
    hint: 'This is a bug in the bot: the transport only takes job ids, paths and signals the bot made.',
  });
}
