import type { ClientChannel } from 'ssh2';
import type { SshError } from './errors.ts';
import { Capped } from './ssh-buffers.ts';
import type { ExecOptions, ExecResult } from './ssh-types.ts';

/**
 * One exec channel's life: its output collected within caps, its exit status, and the ways it can
 * end without one (past its time limit; the connection gone). HostConnection.exec opens the channel
 * and hands it here.
 */
export interface ChannelHooks {
  /** The error for a command past its time limit. */
  timedOut: () => SshError;
  /** Called once when the channel has closed (the slot it held is free). */
  closed: () => void;
  /** The error when the connection the channel ran on is gone, or undefined while it lives. */
  lost: () => SshError | undefined;
}

export function collect(stream: ClientChannel, opts: ExecOptions, hooks: ChannelHooks): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout = new Capped(opts.maxStdoutBytes ?? 1024 * 1024, 'head');
    const stderr = new Capped(opts.maxStderrBytes ?? 64 * 1024, 'tail');
    let code: number | null = null;
    let signal: string | undefined;
    let exited = false;
    let answered = false;
    stream.on('data', (chunk: Buffer) => stdout.push(chunk));
    stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    stream.on('exit', (exitCode: number | null, exitSignal?: string) => {
      exited = true;
      code = typeof exitCode === 'number' ? exitCode : null;
      if (exitSignal) signal = exitSignal;
    });
    const timer = setTimeout(() => {
      answered = true;
      reject(hooks.timedOut());
      // OpenSSH may ignore the signal request, and then closes the channel only once the command
      // ends: the caller has its answer already.
      stream.signal('KILL');
      stream.close();
    }, timeoutMs);
    stream.on('close', () => {
      clearTimeout(timer);
      hooks.closed();
      if (answered) return;
      const lost = exited ? undefined : hooks.lost();
      if (lost) {
        reject(lost);
        return;
      }
      resolve({
        code,
        ...(signal ? { signal } : {}),
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
      });
    });
    stream.on('error', () => {}); // surfaced through 'close'
    if (opts.stdin !== undefined) stream.end(opts.stdin);
    else stream.end();
  });
}
