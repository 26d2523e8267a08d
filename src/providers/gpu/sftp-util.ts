import { SshError } from './errors.ts';

/** Promise wrappers for ssh2's SFTP callbacks, and SFTP failures in the transport's words. */

// SFTP status codes (draft-ietf-secsh-filexfer-02).
export const SFTP_EOF = 1;
export const SFTP_NO_SUCH_FILE = 2;
export const SFTP_PERMISSION_DENIED = 3;

export function call<T>(start: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)));
  });
}

export function done(start: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    start((err) => (err ? reject(err) : resolve()));
  });
}

/** An error of the caller's own source stream, passed through #sftp's mapping untouched. */
export class SourceFailure {
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

/** An SFTP failure as an SshError naming the path; `dropped`: the connection went meanwhile. */
export function sftpFailure(host: string, what: string, error: unknown, dropped: boolean): SshError {
  const code = (error as { code?: number }).code;
  if (dropped) {
    return new SshError('disconnected', host, `GPU host "${host}" dropped the connection during: ${what}.`, {
      hint: 'The bot reconnects by itself; the operation can be repeated. Jobs on the host keep running.',
      cause: error,
    });
  }
  if (code === SFTP_NO_SUCH_FILE) {
    return new SshError('not_found', host, `GPU host "${host}" could not ${what}: no such file or folder.`, {
      hint: 'The path does not exist on the host (yet).',
    });
  }
  if (code === SFTP_PERMISSION_DENIED) {
    return new SshError('permission', host, `GPU host "${host}" could not ${what}: permission denied.`, {
      hint: 'Give the SSH user access to the work directory, or configure another work_dir.',
    });
  }
  return new SshError('protocol', host, `GPU host "${host}" could not ${what} (${(error as Error).message}).`, {
    hint: 'Check free disk space and the SFTP server on the host.',
    retryable: true,
    cause: error,
  });
}
