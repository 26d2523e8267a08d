import { createHash, timingSafeEqual } from 'node:crypto';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { GpuHost, HostKeyType } from '../../config-gpu.ts';
import { SshError } from './errors.ts';

/**
 * One SSH connection per GPU host, shared by every job on it: operations open channels (exec
 * sessions, one long-lived SFTP session) on that connection, never connections of their own. The
 * host key is verified against the pinned fingerprint before anything else is sent; keepalive is on;
 * a connection that drops is opened again at once and then with exponential backoff and full jitter.
 *
 * Connections open lazily, on the first operation. While a connection is being opened, operations
 * wait for it; while the pool waits to retry after a failure, they fail fast with that failure (a
 * retryable `unreachable` for a host that is down), so a poll never hangs on a dead host.
 */

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

const DEFAULTS = {
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 4,
  readyTimeoutMs: 20_000,
  initialMs: 1_000,
  maxMs: 60_000,
  maxChannels: 8,
};

const HOST_KEY_ALGORITHMS: Record<HostKeyType, string[]> = {
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

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class Slots {
  #free: number;
  #inUse = 0;
  #waiting: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  get queued(): number {
    return this.#waiting.length;
  }
  get inUse(): number {
    return this.#inUse;
  }
  async take(): Promise<void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inUse++;
  }
  give(): void {
    this.#inUse--;
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/** Keeps the first (`head`) or last (`tail`) `max` bytes of a stream. */
class Capped {
  #chunks: Buffer[] = [];
  #bytes = 0;
  truncated = false;
  readonly max: number;
  readonly keep: 'head' | 'tail';
  constructor(max: number, keep: 'head' | 'tail') {
    this.max = max;
    this.keep = keep;
  }
  push(chunk: Buffer): void {
    if (this.keep === 'head') {
      const room = this.max - this.#bytes;
      if (room <= 0) {
        this.truncated ||= chunk.length > 0;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) this.truncated = true;
      this.#chunks.push(part);
      this.#bytes += part.length;
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.max && this.#chunks.length > 0) {
      this.truncated = true;
      const first = this.#chunks[0] as Buffer;
      const over = this.#bytes - this.max;
      if (first.length <= over) {
        this.#chunks.shift();
        this.#bytes -= first.length;
      } else {
        this.#chunks[0] = first.subarray(over);
        this.#bytes -= over;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

type Settings = typeof DEFAULTS & Pick<PoolOptions, 'logger' | 'onStateChange'> & { random: () => number };

/** The connection to one host. Get it from SshPool.connection(name). */
export class HostConnection {
  readonly host: SshEndpoint;
  readonly #settings: Settings;
  #state: ConnectionState = 'idle';
  #client: Client | undefined;
  #pending: Promise<Client> | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;
  #failures = 0;
  #connects = 0;
  #drops = 0;
  #lastError: SshError | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextAttemptAt: number | undefined;
  #lastLoggedKind: SshError['kind'] | undefined;
  readonly #slots: Slots;

  constructor(host: SshEndpoint, settings: Settings) {
    this.host = host;
    this.#settings = settings;
    this.#slots = new Slots(settings.maxChannels);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  stats(): ConnectionStats {
    return {
      state: this.#state,
      connects: this.#connects,
      drops: this.#drops,
      failures: this.#failures,
      openChannels: this.#slots.inUse,
      queuedChannels: this.#slots.queued,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
      ...(this.#nextAttemptAt !== undefined ? { nextAttemptAt: this.#nextAttemptAt } : {}),
    };
  }

  /** The ready ssh2 client, connecting first when needed. Prefer exec()/sftp() and RemoteHost. */
  async client(): Promise<Client> {
    switch (this.#state) {
      case 'ready':
        if (this.#client) return this.#client;
        return this.#connect();
      case 'connecting':
        return this.#pending ?? this.#connect();
      case 'waiting':
        throw this.#lastError ?? this.#error('unreachable', 'is not connected yet');
      case 'closed':
        throw this.#error('closed', 'is no longer in use: the pool was closed', 'Nothing to do: the bot is stopping.');
      default:
        return this.#connect();
    }
  }

  /** The connection's one SFTP session, opened on first use and shared by every file operation. */
  async sftp(): Promise<SFTPWrapper> {
    const client = await this.client();
    if (this.#sftp && this.#client === client) return this.#sftp;
    const session = new Promise<SFTPWrapper>((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) {
          reject(
            this.#lost(client)
              ? this.#disconnected()
              : this.#error(
                  'unsupported',
                  `refused an SFTP session (${err.message})`,
                  'Enable the SFTP subsystem in the host’s sshd_config (Subsystem sftp internal-sftp).',
                ),
          );
          return;
        }
        sftp.on('close', () => {
          if (this.#sftp === session) this.#sftp = undefined;
        });
        resolve(sftp);
      });
    });
    this.#sftp = session;
    session.catch(() => {
      if (this.#sftp === session) this.#sftp = undefined;
    });
    return session;
  }

  /**
   * Runs a command line the caller built (src/providers/gpu/remote.ts builds them from fixed text and
   * quoted words) and collects its exit status and capped output. A non-zero exit is a result, not an
   * error; a dropped connection is `disconnected`, a command past its limit `timeout`.
   */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    await this.#slots.take();
    let client: Client;
    try {
      client = await this.client();
    } catch (error) {
      this.#slots.give();
      throw error;
    }
    return new Promise<ExecResult>((resolve, reject) => {
      // The slot is held until the channel closes, which can be after a timeout has answered.
      client.exec(command, (err, stream: ClientChannel) => {
        if (err) {
          this.#slots.give();
          reject(
            this.#lost(client)
              ? this.#disconnected()
              : this.#error(
                  'unsupported',
                  `refused to run a command (${err.message})`,
                  'The host may limit sessions per connection (MaxSessions in sshd_config); try again shortly.',
                  true,
                ),
          );
          return;
        }
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
          reject(
            this.#error(
              'timeout',
              `did not finish a command within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`,
              'The host may be overloaded; try again later.',
            ),
          );
          // OpenSSH may ignore the signal request, and then closes the channel only once the command
          // ends: the caller has its answer already.
          stream.signal('KILL');
          stream.close();
        }, timeoutMs);
        stream.on('close', () => {
          clearTimeout(timer);
          this.#slots.give();
          if (answered) return;
          if (!exited && this.#lost(client)) {
            reject(this.#disconnected());
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
    });
  }

  /** Ends the connection and stops reconnecting; operations after this fail with `closed`. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAttemptAt = undefined;
    const client = this.#client;
    this.#client = undefined;
    this.#sftp = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        client.destroy();
        resolve();
      }, 2_000);
      done.unref();
      client.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      client.end();
    });
  }

  /** Whether `client` is no longer this host's live connection (it dropped, or was replaced). */
  #lost(client: Client): boolean {
    return this.#client !== client;
  }

  #connect(): Promise<Client> {
    if (this.#pending) return this.#pending;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAttemptAt = undefined;
    this.#setState('connecting');
    const host = this.host;
    const client = new Client();
    let seen: { fingerprint: string; type: string } | undefined;
    const expected = host.hostKey.fingerprint;
    const config: ConnectConfig = {
      host: host.address,
      port: host.port,
      username: host.user,
      readyTimeout: this.#settings.readyTimeoutMs,
      keepaliveInterval: this.#settings.keepaliveIntervalMs,
      keepaliveCountMax: this.#settings.keepaliveCountMax,
      // No hostHash: ssh2 passes the raw key blob, hashed here exactly as OpenSSH does.
      hostVerifier: (key: Buffer) => {
        seen = { fingerprint: fingerprintOf(key), type: keyTypeOf(key) };
        return sameText(seen.fingerprint, expected);
      },
      ...(host.auth.kind === 'key' ? host.auth.key.material() : { agent: host.auth.socket }),
      ...(host.hostKey.type
        ? { algorithms: { serverHostKey: HOST_KEY_ALGORITHMS[host.hostKey.type] } as ConnectConfig['algorithms'] }
        : {}),
    };
    const attempt = new Promise<Client>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        client.removeAllListeners('ready');
        client.destroy();
        reject(this.#connectError(error, seen));
      };
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string }) => {
        if (!settled) fail(error);
        else this.#settings.logger?.debug({ host: host.name, level: error.level }, `ssh: ${error.message}`);
      });
      client.on('end', () => (settled ? this.#dropped(client) : fail(new Error('connection closed'))));
      client.on('close', () => (settled ? this.#dropped(client) : fail(new Error('connection closed'))));
      try {
        client.connect(config);
      } catch (error) {
        fail(error);
      }
    });
    this.#pending = attempt;
    attempt.then(
      () => {
        this.#pending = undefined;
        if (this.#state === 'closed') {
          client.end();
          return;
        }
        // Small request/ack exchanges (SFTP writes, polls) must not wait out Nagle's algorithm.
        client.setNoDelay(true);
        this.#client = client;
        this.#failures = 0;
        this.#connects++;
        this.#lastError = undefined;
        this.#settings.logger?.info(
          { host: host.name, address: host.address, port: host.port, connects: this.#connects },
          'ssh: connected to GPU host',
        );
        this.#setState('ready');
      },
      (error: SshError) => {
        this.#pending = undefined;
        if (this.#state === 'closed') return;
        this.#failures++;
        this.#lastError = error;
        this.#scheduleRetry(error);
      },
    );
    return attempt;
  }

  #dropped(client: Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#sftp = undefined;
    this.#drops++;
    if (this.#state === 'closed') return;
    this.#settings.logger?.warn({ host: this.host.name, drops: this.#drops }, 'ssh: connection to GPU host dropped');
    // Straight back once; from then on with backoff.
    this.#connect().catch(() => {});
  }

  #scheduleRetry(error: SshError): void {
    const { initialMs, maxMs } = this.#settings;
    // A refused key or a wrong host key will not fix itself quickly: try again at the slowest pace.
    const ceiling = error.retryable ? Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures - 1, 30)) : maxMs;
    const delay = Math.floor(this.#settings.random() * ceiling);
    this.#nextAttemptAt = Date.now() + delay;
    // Said once when a host goes away (or fails differently), then quietly: a host down for a day
    // should not fill the log.
    const log = this.#failures === 1 || this.#lastLoggedKind !== error.kind ? 'warn' : 'debug';
    this.#lastLoggedKind = error.kind;
    this.#settings.logger?.[log](
      { host: this.host.name, kind: error.kind, failures: this.#failures, retryInMs: delay },
      `ssh: ${error.message}`,
    );
    this.#setState('waiting', error);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().catch(() => {});
    }, delay);
    this.#timer.unref();
  }

  #setState(state: ConnectionState, error?: SshError): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#settings.onStateChange?.(this.host.name, state, error);
  }

  #error(kind: SshError['kind'], what: string, hint?: string, retryable?: boolean): SshError {
    return new SshError(kind, this.host.name, `GPU host "${this.host.name}" ${what}.`, {
      hint: hint ?? 'Try again later.',
      ...(retryable === undefined ? {} : { retryable }),
    });
  }

  #disconnected(): SshError {
    return this.#error(
      'disconnected',
      'dropped the connection during the operation',
      'The bot reconnects by itself; the operation can be repeated. Jobs on the host keep running.',
    );
  }

  /** An ssh2 connect failure in words, with the kind a caller acts on. */
  #connectError(error: unknown, seen: { fingerprint: string; type: string } | undefined): SshError {
    const host = this.host;
    const where = `${host.address}:${host.port}`;
    const expected = host.hostKey.fingerprint;
    if (seen && !sameText(seen.fingerprint, expected)) {
      return new SshError(
        'host_key_mismatch',
        host.name,
        `GPU host "${host.name}" (${where}) presented host key ${seen.fingerprint} (${seen.type}), but ${expected} is pinned; refusing to connect.`,
        {
          expected,
          seen: seen.fingerprint,
          hint:
            'If the host was reinstalled or its keys changed, confirm the new key with its admin (on the host: ' +
            '`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) and update the pinned fingerprint. ' +
            'Otherwise something may be intercepting the connection: do not change the pin.',
          retryable: false,
        },
      );
    }
    const e = error as Error & { level?: string; code?: string };
    const message = e?.message ?? String(error);
    const level = e?.level;
    if (level === 'client-authentication' || level === 'agent') {
      const how = host.auth.kind === 'key' ? `the key ${host.auth.path}` : 'the SSH agent’s keys';
      return new SshError('auth', host.name, `GPU host "${host.name}" refused ${how} for user "${host.user}".`, {
        hint:
          level === 'agent'
            ? `The SSH agent failed (${message}); check SSH_AUTH_SOCK, or set a key path for the host.`
            : `Add the bot’s public key to ~${host.user}/.ssh/authorized_keys on the host, or fix the configured user.`,
        retryable: false,
        cause: error,
      });
    }
    if (level === 'client-timeout') {
      return new SshError(
        'unreachable',
        host.name,
        `GPU host "${host.name}" (${where}) did not complete the SSH handshake within ${Math.round(this.#settings.readyTimeoutMs / 1000)} s.`,
        { hint: 'Check that the host is up and that the bot’s network can reach its SSH port.', cause: error },
      );
    }
    if (level === 'client-socket' || level === 'client-dns' || /connection closed/.test(message)) {
      const reason =
        e.code === 'ECONNREFUSED'
          ? 'refused the connection'
          : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
            ? 'has an address that does not resolve'
            : e.code
              ? `could not be reached (${e.code})`
              : 'closed the connection before it was ready';
      return new SshError('unreachable', host.name, `GPU host "${host.name}" (${where}) ${reason}.`, {
        hint: 'Check that the host is up, that sshd runs on that port, and that the bot’s network can reach it. The bot keeps retrying.',
        cause: error,
      });
    }
    return new SshError('protocol', host.name, `GPU host "${host.name}" (${where}): SSH failed (${message}).`, {
      hint: 'Check the host’s sshd configuration (key types, ciphers) and its logs.',
      retryable: true,
      cause: error,
    });
  }
}

/** Every configured host's connection, made on first use. */
export class SshPool {
  readonly #connections = new Map<string, HostConnection>();
  #closed = false;

  constructor(hosts: readonly SshEndpoint[], options: PoolOptions = {}) {
    const settings: Settings = {
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULTS.readyTimeoutMs,
      initialMs: options.backoff?.initialMs ?? DEFAULTS.initialMs,
      maxMs: options.backoff?.maxMs ?? DEFAULTS.maxMs,
      maxChannels: options.maxChannels ?? DEFAULTS.maxChannels,
      random: options.random ?? Math.random,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onStateChange ? { onStateChange: options.onStateChange } : {}),
    };
    for (const host of hosts) {
      if (this.#connections.has(host.name)) throw new TypeError(`two GPU hosts are named "${host.name}"`);
      this.#connections.set(host.name, new HostConnection(host, settings));
    }
  }

  get hostNames(): string[] {
    return [...this.#connections.keys()];
  }

  connection(name: string): HostConnection {
    const connection = this.#connections.get(name);
    if (!connection) {
      throw new SshError('invalid', name, `No GPU host is named "${name}".`, {
        hint: `Configured hosts: ${this.hostNames.join(', ') || 'none'}.`,
      });
    }
    if (this.#closed) {
      throw new SshError('closed', name, 'The SSH pool was closed.', { hint: 'Nothing to do: the bot is stopping.' });
    }
    return connection;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
  }
}
