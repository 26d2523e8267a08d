import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseError, Pool, type PoolClient, type QueryConfig, type QueryResult, type QueryResultRow } from 'pg';

/** Where the store says what went wrong with its connections (the bot's pino logger fits). */
export interface StoreLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** What the store's SQL runs through: the pool, or the one client of a transaction. */
export interface Sql {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface PgDb extends Sql {
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Rejects promptly while the server does not answer, so /healthz can say 503. */
  ping(): Promise<void>;
  end(): Promise<void>;
}

interface Checkout {
  client: PoolClient;
  /** Back to the pool, or closed when `error` (or an 'error' event meanwhile) says it may be broken. */
  done(error?: unknown): void;
}

export interface PoolTuning {
  /** Waits before each retry of a connection that could not be had; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
  connectTimeoutMs?: number;
}

const POOL_SIZE = 10;
const PING_TIMEOUT_MS = 3_000;
// A statement the server has not answered in this long is given up: its connection is dropped (a
// half-open socket otherwise holds a pool slot forever) and the caller's next round tries again.
const QUERY_TIMEOUT_MS = 30_000;

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: pg_terminate_backend, a server restart
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting
]);

/** The connection failed, not the statement: another connection may well succeed. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection timeout/i.test(
    String(message ?? ''),
  );
}

/** The statement never left this process: running it again cannot run it twice. */
const neverSent = (error: unknown) => /is not queryable/.test(String((error as Error | undefined)?.message ?? ''));

/** Host, port and database of a PostgreSQL URL: what may be shown of it (never its user or password). */
export function postgresWhere(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'the server in DATABASE_URL';
  }
}

/** The URL's password out of a message, should a driver or server ever quote it. */
export function withoutPassword(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {}
  return password ? message.split(password).join('***') : message;
}

/**
 * A pool that outlives the server going away. An idle connection the server drops is logged and
 * replaced instead of crashing the process (pg emits 'error' on the pool, and on a checked-out client
 * between statements). What is tried again is only what cannot run twice: getting a connection (a
 * few times, with waits, nothing was sent yet), a read, a transaction lost before its COMMIT (the
 * server rolled it back). A single write or a COMMIT cut off mid-flight may have run, so it fails,
 * and its caller (a handler, the monitor's next tick) knows whether to repeat it.
 */
export function createPgDb(url: string, logger: StoreLogger, tuning: PoolTuning = {}): PgDb {
  const delays = tuning.retryDelaysMs ?? [100, 500];
  const pool = new Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: tuning.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'finetune-bot',
  });
  const where = postgresWhere(url);
  const warn = (error: unknown, msg: string, fields: Record<string, unknown> = {}) =>
    logger.warn(
      {
        ...fields,
        database: where,
        code: (error as { code?: unknown }).code,
        reason: withoutPassword(String((error as Error).message), url),
      },
      msg,
    );
  pool.on('error', (error) => warn(error, 'lost an idle PostgreSQL connection; the next query opens another'));

  /**
   * A connection; while the server cannot be reached, retried after each of `delays` (the default
   * tuning's, or none). Its 'error' events are caught while it is out of the pool.
   */
  async function acquire(waits: readonly number[] = delays): Promise<Checkout> {
    for (let attempt = 0; ; attempt++) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        const delay = waits[attempt];
        if (delay === undefined || !isConnectionError(error)) throw error;
        warn(error, 'PostgreSQL is not answering; trying again', { attempt: attempt + 1, retry_in_ms: delay });
        await sleep(delay);
        continue;
      }
      let broken: unknown;
      const onError = (error: unknown) => {
        broken = error;
      };
      client.on('error', onError);
      return {
        client,
        done(error?: unknown) {
          client.off('error', onError);
          // A statement the server refused leaves a good connection; anything else may not have.
          const bad =
            broken ?? (error && !(error instanceof DatabaseError && !isConnectionError(error)) ? error : undefined);
          client.release(bad ? (bad as Error) : undefined);
        },
      };
    }
  }

  /**
   * `fn` on one connection. When the connection turns out dead and `again(error)` says running `fn`
   * once more is safe, it runs on another: the pool may hold several connections a restart or a
   * failover killed that it has not yet heard about, so up to one try per pool slot.
   */
  async function withClient<T>(
    fn: (client: PoolClient) => Promise<T>,
    again: (error: unknown) => boolean,
    waits: readonly number[] = delays,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { client, done } = await acquire(waits);
      try {
        const result = await fn(client);
        done();
        return result;
      } catch (error) {
        done(error);
        if (attempt < POOL_SIZE && (neverSent(error) || (isConnectionError(error) && again(error)))) continue;
        throw error;
      }
    }
  }

  let ended: Promise<void> | undefined;
  return {
    query(text, values) {
      // A read can always run again; a write cut off mid-flight may have run, so it is not repeated.
      const read = /^\s*SELECT\b/i.test(text);
      return withClient(
        (client) => client.query(text, values),
        () => read,
      );
    },
    tx(fn) {
      let committing = false;
      return withClient(
        async (client) => {
          await client.query('BEGIN');
          try {
            const result = await fn(client);
            committing = true;
            await client.query('COMMIT');
            return result;
          } catch (error) {
            // A connection lost before COMMIT took the transaction with it; ROLLBACK then fails too,
            // which changes nothing.
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          }
        },
        // Lost before COMMIT: the server rolled it all back, so it runs again whole. Lost during
        // COMMIT: it may have committed, so the caller is told.
        () => !committing,
      );
    },
    ping() {
      // No waiting for a server that is down (/healthz should say so now), but a dead pooled
      // connection is not the server being down. pg reads a per-query query_timeout, though its
      // types do not list it.
      return withClient(
        async (client) => {
          await client.query({ text: 'SELECT 1', query_timeout: PING_TIMEOUT_MS } as QueryConfig);
        },
        () => true,
        [],
      );
    },
    end() {
      ended ??= pool.end();
      return ended;
    },
  };
}
