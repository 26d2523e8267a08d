import { SshError } from './errors.ts';
import { HostConnection } from './ssh-connection.ts';
import { DEFAULTS, type PoolOptions, type Settings, type SshEndpoint } from './ssh-types.ts';

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

export { HostConnection } from './ssh-connection.ts';
export {
  type ConnectionState,
  type ConnectionStats,
  type ExecOptions,
  type ExecResult,
  fingerprintOf,
  keyTypeOf,
  type PoolLogger,
  type PoolOptions,
  type SshEndpoint,
} from './ssh-types.ts';

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
