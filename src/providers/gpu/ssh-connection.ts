import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { SshError } from './errors.ts';
import { Slots } from './ssh-buffers.ts';
import { connectError } from './ssh-connect-error.ts';
import { collect } from './ssh-exec.ts';
import {
  type ConnectionState,
  type ConnectionStats,
  type ExecOptions,
  type ExecResult,
  fingerprintOf,
  HOST_KEY_ALGORITHMS,
  keyTypeOf,
  type Settings,
  type SshEndpoint,
  sameText,
} from './ssh-types.ts';

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
        collect(stream, opts, {
          timedOut: () =>
            this.#error(
              'timeout',
              `did not finish a command within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`,
              'The host may be overloaded; try again later.',
            ),
          closed: () => this.#slots.give(),
          lost: () => (this.#lost(client) ? this.#disconnected() : undefined),
        }).then(resolve, reject);
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
        reject(connectError(this.host, this.#settings.readyTimeoutMs, error, seen));
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
}
