/**
 * Versioned schema changes, applied in order; the pending ones run in one transaction, all or none.
 * Append only: a released migration is never edited, a new one is added after it. This is SQLite's
 * SQL; migrations-postgres.ts has PostgreSQL's twin of each, with the same version and name.
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
  {
    version: 2,
    name: 'jobs',
    sql: `
      CREATE TABLE jobs (
        id               TEXT PRIMARY KEY,
        team_id          TEXT NOT NULL,
        channel_id       TEXT NOT NULL,
        requested_by     TEXT NOT NULL,
        provider         TEXT NOT NULL,
        request          TEXT NOT NULL,
        phase            TEXT NOT NULL,
        provider_job_id  TEXT,
        provider_status  TEXT,
        fine_tuned_model TEXT,
        message_ts       TEXT,
        event_cursor     TEXT,
        progress         TEXT NOT NULL DEFAULT '{}',
        estimate_usd     REAL,
        actual_usd       REAL,
        error            TEXT,
        approval         TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        started_at       TEXT,
        finished_at      TEXT,
        last_event_at    TEXT,
        last_edit_at     TEXT
      );
      CREATE INDEX jobs_by_phase ON jobs (phase, created_at);
      CREATE INDEX jobs_by_channel ON jobs (team_id, channel_id, created_at DESC);
      CREATE UNIQUE INDEX jobs_by_provider_job ON jobs (provider, provider_job_id) WHERE provider_job_id IS NOT NULL;
      CREATE TABLE job_announcements (
        job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        key     TEXT NOT NULL,
        at      TEXT NOT NULL,
        PRIMARY KEY (job_id, key)
      );
      CREATE TABLE job_loss_points (
        job_id     TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        step       INTEGER NOT NULL,
        train_loss REAL,
        valid_loss REAL,
        PRIMARY KEY (job_id, step)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'notices_confirmed',
    // A claim used to count as sent; now a notice is claimed, posted, then confirmed with its ts, so
    // a claim left unconfirmed by a crash can be looked up in Slack. Old claims were posted.
    sql: `
      ALTER TABLE job_announcements ADD COLUMN owner TEXT;
      ALTER TABLE job_announcements ADD COLUMN sent_at TEXT;
      ALTER TABLE job_announcements ADD COLUMN ts TEXT;
      UPDATE job_announcements SET sent_at = at;
      ALTER TABLE jobs ADD COLUMN request_key TEXT;
      CREATE UNIQUE INDEX jobs_by_request_key ON jobs (request_key) WHERE request_key IS NOT NULL;
      CREATE TABLE slack_requests (
        key  TEXT PRIMARY KEY,
        at   TEXT NOT NULL
      );
      CREATE INDEX slack_requests_by_age ON slack_requests (at);
    `,
  },
  {
    version: 4,
    name: 'price_feeds',
    // The last good read of each price feed (Azure's Retail Prices), so a restart without network
    // starts with the figures read before instead of the built-in placeholders.
    sql: `
      CREATE TABLE price_feeds (
        name     TEXT PRIMARY KEY,
        read_at  TEXT NOT NULL,
        source   TEXT NOT NULL,
        overlay  TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'leases',
    // Named leases, so that of several replicas one at a time runs a piece of shared work (a
    // schedule, a sweep): taken while free or expired, renewed by its owner, given back on stop.
    sql: `
      CREATE TABLE leases (
        name        TEXT PRIMARY KEY,
        owner       TEXT NOT NULL,
        expires_at  TEXT NOT NULL
      );
    `,
  },
];
