import type { Migration } from './migrations.ts';

/**
 * PostgreSQL's twin of each migration in migrations.ts: the same versions and names (a test keeps
 * the two lists in step), the same tables and columns, in PostgreSQL's SQL. Append only, as there.
 *
 * Times stay ISO text and JSON stays text, as in SQLite: the store compares and orders times as
 * strings and reads JSON back as it wrote it, so both backends answer alike. The columns it orders
 * or compares are COLLATE "C": byte order, as SQLite's, whatever the database's locale. `seq` stands
 * in for SQLite's rowid: the tiebreak between rows created in the same millisecond.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'advice_sessions',
    sql: `
      CREATE TABLE advice_sessions (
        id              TEXT PRIMARY KEY,
        seq             BIGINT GENERATED ALWAYS AS IDENTITY,
        team_id         TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        channel_id      TEXT,
        created_at      TEXT COLLATE "C" NOT NULL,
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
        seq              BIGINT GENERATED ALWAYS AS IDENTITY,
        team_id          TEXT NOT NULL,
        channel_id       TEXT NOT NULL,
        requested_by     TEXT NOT NULL,
        provider         TEXT COLLATE "C" NOT NULL,
        request          TEXT NOT NULL,
        phase            TEXT NOT NULL,
        provider_job_id  TEXT,
        provider_status  TEXT,
        fine_tuned_model TEXT,
        message_ts       TEXT,
        event_cursor     TEXT,
        progress         TEXT NOT NULL DEFAULT '{}',
        estimate_usd     DOUBLE PRECISION,
        actual_usd       DOUBLE PRECISION,
        error            TEXT,
        approval         TEXT,
        created_at       TEXT COLLATE "C" NOT NULL,
        updated_at       TEXT NOT NULL,
        started_at       TEXT,
        finished_at      TEXT COLLATE "C",
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
        train_loss DOUBLE PRECISION,
        valid_loss DOUBLE PRECISION,
        PRIMARY KEY (job_id, step)
      );
    `,
  },
  {
    version: 3,
    name: 'notices_confirmed',
    sql: `
      ALTER TABLE job_announcements ADD COLUMN owner TEXT;
      ALTER TABLE job_announcements ADD COLUMN sent_at TEXT;
      ALTER TABLE job_announcements ADD COLUMN ts TEXT;
      UPDATE job_announcements SET sent_at = at;
      ALTER TABLE jobs ADD COLUMN request_key TEXT;
      CREATE UNIQUE INDEX jobs_by_request_key ON jobs (request_key) WHERE request_key IS NOT NULL;
      CREATE TABLE slack_requests (
        key  TEXT PRIMARY KEY,
        at   TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX slack_requests_by_age ON slack_requests (at);
    `,
  },
  {
    version: 4,
    name: 'price_feeds',
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
    sql: `
      CREATE TABLE leases (
        name        TEXT PRIMARY KEY,
        owner       TEXT NOT NULL,
        expires_at  TEXT COLLATE "C" NOT NULL
      );
    `,
  },
];
