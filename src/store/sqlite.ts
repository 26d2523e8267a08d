import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StoreError } from './errors.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { type AdviceRow, adviceSessionValues, toSession } from './rows.ts';
import { sqliteJobMethods } from './sqlite-jobs.ts';
import { sqliteLeaseMethods } from './sqlite-leases.ts';
import { sqliteNoticeMethods } from './sqlite-notices.ts';
import { sqlitePriceMethods } from './sqlite-prices.ts';
import type { AdviceSession, Delivery, NewAdviceSession, Store } from './types.ts';

export { StoreError };

export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  let applying: Migration | undefined;
  try {
    // The version is read under the write lock: two processes starting on one file must not both
    // decide that the same migration is still to run.
    db.exec('BEGIN IMMEDIATE');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > latest) {
      // An older release opening a newer database would write rows the newer schema does not expect.
      throw new StoreError(
        `the database is at schema version ${current}, newer than this release knows (${latest}); upgrade finetune-bot`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (m.version <= current) continue;
      applying = m;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    if (error instanceof StoreError) throw error;
    const which = applying ? `migration ${applying.version} (${applying.name})` : 'reading the schema version';
    throw new StoreError(`${which} failed: ${(error as Error).message}`);
  }
  return latest;
}

/** `now` stamps job times, so they follow the same clock as the rest of the bot. */
export function openSqliteStore(target: { path: string } | { memory: true }, now?: () => Date): Store {
  let db: DatabaseSync;
  const location = 'path' in target ? target.path : ':memory:';
  try {
    if ('path' in target) mkdirSync(dirname(target.path), { recursive: true });
    db = new DatabaseSync(location);
    // WAL lets /healthz and the monitor read while a handler writes. node:sqlite blocks the event loop
    // while it waits for a lock, so the wait stays short: a longer one would stall every ack.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 250; PRAGMA foreign_keys = ON;');
    migrate(db);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open the SQLite database at ${location}: ${(error as Error).message}`);
  }

  const insert = db.prepare(`INSERT INTO advice_sessions
    (id, team_id, user_id, channel_id, created_at, answers, recommendation, verdict)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const setDelivery = db.prepare('UPDATE advice_sessions SET delivery = ? WHERE id = ?');
  const byId = db.prepare('SELECT * FROM advice_sessions WHERE id = ?');
  const byUser = db.prepare(
    'SELECT * FROM advice_sessions WHERE team_id = ? AND user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );
  const byTeam = db.prepare(
    'SELECT * FROM advice_sessions WHERE team_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );

  return {
    kind: 'sqlite',
    ...sqliteJobMethods(db, now),
    ...sqliteNoticeMethods(db, now ?? (() => new Date())),
    ...sqlitePriceMethods(db),
    ...sqliteLeaseMethods(db, now ?? (() => new Date())),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async saveAdviceSession(s: NewAdviceSession) {
      const session: AdviceSession = { ...s, id: randomUUID(), createdAt: new Date().toISOString() };
      insert.run(...adviceSessionValues(session));
      return session;
    },
    async recordDelivery(id: string, delivery: Delivery) {
      const result = setDelivery.run(JSON.stringify(delivery), id);
      if (result.changes === 0) throw new StoreError(`no advice session ${id}`);
    },
    async getAdviceSession(id: string) {
      const row = byId.get(id) as AdviceRow | undefined;
      return row ? toSession(row) : undefined;
    },
    async listAdviceSessions({ teamId, userId, limit }) {
      const rows = (userId ? byUser.all(teamId, userId, limit) : byTeam.all(teamId, limit)) as unknown as AdviceRow[];
      return rows.map(toSession);
    },
    async close() {
      if (db.isOpen) db.close();
    },
  };
}
