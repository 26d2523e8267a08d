import { randomUUID } from 'node:crypto';
import { StoreError } from './errors.ts';
import type { Migration } from './migrations.ts';
import { POSTGRES_MIGRATIONS } from './migrations-postgres.ts';
import { postgresJobMethods } from './postgres-jobs.ts';
import { postgresLeaseMethods, postgresNoticeMethods } from './postgres-notices.ts';
import { createPgDb, isConnectionError, type PgDb, type PoolTuning, type StoreLogger } from './postgres-pool.ts';
import { type AdviceRow, adviceSessionValues, type PriceFeedRow, toPriceFeed, toSession } from './rows.ts';
import type { AdviceSession, Delivery, NewAdviceSession, Store } from './types.ts';

export interface PostgresStoreOptions {
  now?: () => Date;
  logger?: StoreLogger;
  tuning?: PoolTuning;
  /** Tests: a list other than the released one (a broken migration, an old schema). */
  migrations?: readonly Migration[];
}

/**
 * Applies the pending migrations in one transaction under an advisory lock, so replicas starting at
 * the same moment take turns: the first applies them, the others then find nothing left to do. The
 * lock is keyed by the schema, so bots (or test runs) in other schemas of one database never wait.
 */
export async function migratePostgres(
  db: PgDb,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  const latest = migrations.at(-1)?.version ?? 0;
  let applying: Migration | undefined;
  let connected = false;
  try {
    await db.tx(async (sql) => {
      connected = true;
      await sql.query(
        "SELECT pg_advisory_xact_lock(hashtext('finetune-bot migrations'), hashtext(COALESCE(current_schema(), '')))",
      );
      await sql.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const { rows } = await sql.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      if (current > latest) {
        throw new StoreError(
          `the database is at schema version ${current}, newer than this release knows (${latest}); upgrade finetune-bot`,
        );
      }
      for (const m of migrations) {
        if (m.version <= current) continue;
        applying = m;
        await sql.query(m.sql);
        await sql.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
    });
  } catch (error) {
    // Not reaching the server (or being refused by it) is the caller's to explain: startup.ts names
    // DATABASE_URL then.
    if (error instanceof StoreError || !connected || (!applying && isConnectionError(error))) throw error;
    const which = applying ? `migration ${applying.version} (${applying.name})` : 'reading the schema version';
    throw new StoreError(`${which} failed: ${(error as Error).message}`);
  }
  return latest;
}

/** Without a logger (scripts, tests), a lost connection still says so, on stderr, in one line. */
const stderrLogger: StoreLogger = {
  warn(fields, msg) {
    console.warn(`finetune-bot store: ${msg} (${String(fields.reason ?? '')})`);
  },
};

/** Connects and migrates; rejects (and leaves no connection open) when either fails. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const now = options.now ?? (() => new Date());
  const db = createPgDb(url, options.logger ?? stderrLogger, options.tuning);
  try {
    await migratePostgres(db, options.migrations);
  } catch (error) {
    await db.end().catch(() => {});
    throw error;
  }

  return {
    kind: 'postgres',
    ...postgresJobMethods(db, now),
    ...postgresNoticeMethods(db, now),
    ...postgresLeaseMethods(db, now),
    ping: () => db.ping(),
    async saveAdviceSession(s: NewAdviceSession) {
      const session: AdviceSession = { ...s, id: randomUUID(), createdAt: new Date().toISOString() };
      await db.query(
        `INSERT INTO advice_sessions (id, team_id, user_id, channel_id, created_at, answers, recommendation, verdict)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        adviceSessionValues(session),
      );
      return session;
    },
    async recordDelivery(id: string, delivery: Delivery) {
      const result = await db.query('UPDATE advice_sessions SET delivery = $1 WHERE id = $2', [
        JSON.stringify(delivery),
        id,
      ]);
      if (result.rowCount === 0) throw new StoreError(`no advice session ${id}`);
    },
    async getAdviceSession(id: string) {
      const { rows } = await db.query<AdviceRow>('SELECT * FROM advice_sessions WHERE id = $1', [id]);
      return rows[0] ? toSession(rows[0]) : undefined;
    },
    async listAdviceSessions({ teamId, userId, limit }) {
      const { rows } = await db.query<AdviceRow>(
        `SELECT * FROM advice_sessions WHERE team_id = $1 AND ($2::text IS NULL OR user_id = $2)
         ORDER BY created_at DESC, seq DESC LIMIT $3`,
        [teamId, userId ?? null, limit],
      );
      return rows.map(toSession);
    },
    async savePriceFeed(feed) {
      await db.query(
        `INSERT INTO price_feeds (name, read_at, source, overlay) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET read_at = excluded.read_at, source = excluded.source, overlay = excluded.overlay`,
        [feed.name, feed.readAt, feed.source, JSON.stringify(feed.overlay)],
      );
    },
    async priceFeed(name) {
      const { rows } = await db.query<PriceFeedRow>(
        'SELECT name, read_at, source, overlay FROM price_feeds WHERE name = $1',
        [name],
      );
      return toPriceFeed(rows[0]);
    },
    close: () => db.end(),
  };
}
