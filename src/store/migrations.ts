/**
 * Versioned schema changes, applied in order; the pending ones run in one transaction, all or none. Append only: a released
 * migration is never edited, a new one is added after it.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'advice_sessions',
    sql: `
      CREATE TABLE advice_sessions (
        id              TEXT PRIMARY KEY,
        team_id         TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        channel_id      TEXT,
        created_at      TEXT NOT NULL,
        answers         TEXT NOT NULL,
        recommendation  TEXT NOT NULL,
        verdict         TEXT NOT NULL,
        delivery        TEXT
      );
      CREATE INDEX advice_sessions_by_user ON advice_sessions (team_id, user_id, created_at DESC);
      CREATE INDEX advice_sessions_by_team ON advice_sessions (team_id, created_at DESC);
    `,
  },
];
