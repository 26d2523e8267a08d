import { createHash, timingSafeEqual } from 'node:crypto';
import type { GpuHost, HostKeyType } from '../../config/gpu.ts';
import type { SshError } from './errors.ts';

/** The SSH transport's shapes and settings, shared by ssh-connection.ts and ssh-pool.ts. */

/** The part of a GpuHost the transport needs. */
export type SshEndpoint = Pick<GpuHost, 'name' | 'address' | 'port' | 'user' | 'auth' | 'hostKey'>;

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'waiting' | 'closed';

export interface PoolLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface PoolOptions {
  /** SSH keepalive every this many ms (ssh2's default is 0, off). Default 15 000. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as dropped. Default 4. */
  keepaliveCountMax?: number;
  /** TCP connect + handshake + auth must finish within this. Default 20 000. */
  readyTimeoutMs?: number;
  /** Reconnect delays: attempt n waits random(0, min(maxMs, initialMs·2ⁿ)). Defaults 1 000 and 60 000. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Exec channels open at once on one connection; more wait their turn. OpenSSH allows 10 sessions
   * per connection (MaxSessions) and the SFTP session is one of them. Default 8.
   */
  maxChannels?: number;
  /** The jitter source, 0 ≤ x < 1 (tests pass a fixed one). */
  random?: () => number;
  logger?: PoolLogger;
  /** Told of every state change, e.g. to say "monitoring degraded" once and "back" once. */
  onStateChange?: (host: string, state: ConnectionState, error?: SshError) => void;
}

export interface ConnectionStats {
  state: ConnectionState;
  /** Successful connects so far: 1 while the first connection lasts. */
  connects: number;
  /** Connections lost after they were ready. */
  drops: number;
  /** Failed attempts in a row (0 once connected). */
  failures: number;
  openChannels: number;
  queuedChannels: number;
  lastError?: SshError;
  /** When the next attempt is due, while waiting (epoch ms). */
  nextAttemptAt?: number;
}

export interface ExecOptions {
  /** Default 60 000. The channel is closed (and sent KILL) when it runs past this. */
  timeoutMs?: number;
  /** Keep at most this much of stdout, from the start. Default 1 MiB. */
  maxStdoutBytes?: number;
  /** Keep at most this much of stderr, from the end (where tracebacks finish). Default 64 KiB. */
  maxStderrBytes?: number;
  /** Written to the command's stdin, then EOF. */
  stdin?: Buffer | string;
}

export interface ExecResult {
  /** The exit status; null when the command died of a signal or the server sent none. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

export const DEFAULTS = {
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 4,
  readyTimeoutMs: 20_000,
  initialMs: 1_000,
  maxMs: 60_000,
  maxChannels: 8,
};

export const HOST_KEY_ALGORITHMS: Record<HostKeyType, string[]> = {
  ED25519: ['ssh-ed25519'],
  ECDSA: ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'],
  RSA: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  DSA: ['ssh-dss'],
};

/** The OpenSSH fingerprint of a raw host key blob: `SHA256:` + base64 of its SHA-256, without padding. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of an SSH public key blob (`ssh-ed25519`, …). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  if (length > 64 || key.length < 4 + length) return 'unknown';
  return key.subarray(4, 4 + length).toString('latin1');
}

/** Constant-time comparison of two fingerprints. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type Settings = typeof DEFAULTS & Pick<PoolOptions, 'logger' | 'onStateChange'> & { random: () => number };
