import type { PgDb } from './postgres-pool.ts';
import { REQUEST_MEMORY_MS } from './sqlite-notices.ts';
import type { NoticeClaim, NoticeRecord, Store } from './types.ts';

type NoticeMethods = Pick<Store, 'claimNotice' | 'confirmNotice' | 'releaseNotice' | 'notice' | 'claimRequest'>;

interface NoticeRow {
  key: string;
  owner: string | null;
  at: string;
  sent_at: string | null;
  ts: string | null;
}

/**
 * Notice claims and seen Slack requests, answering as sqlite-notices.ts does. Several replicas write
 * here at once, so a claim that is not new is decided on the row locked FOR UPDATE: a second owner
 * waits for the first to decide, then sees what it decided.
 */
export function postgresNoticeMethods(db: PgDb, now: () => Date): NoticeMethods {
  return {
    claimNotice(jobId, key, owner, staleBefore) {
      const at = now().toISOString();
      return db.tx(async (sql): Promise<NoticeClaim> => {
        const inserted = await sql.query(
          'INSERT INTO job_announcements (job_id, key, at, owner) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [jobId, key, at, owner],
        );
        if (inserted.rowCount === 1) return 'new';
        const { rows } = await sql.query<NoticeRow>(
          'SELECT key, owner, at, sent_at, ts FROM job_announcements WHERE job_id = $1 AND key = $2 FOR UPDATE',
          [jobId, key],
        );
        const row = rows[0];
        if (!row) return 'held'; // released between the two statements: the next tick claims it afresh
        if (row.sent_at !== null) return 'sent';
        if (row.owner !== owner && row.at >= staleBefore) return 'held';
        await sql.query('UPDATE job_announcements SET owner = $1, at = $2 WHERE job_id = $3 AND key = $4', [
          owner,
          at,
          jobId,
          key,
        ]);
        return 'orphaned';
      });
    },
    async confirmNotice(jobId, key, ts) {
      const at = now().toISOString();
      await db.query(
        `INSERT INTO job_announcements (job_id, key, at, sent_at, ts) VALUES ($1, $2, $3, $3, $4)
         ON CONFLICT (job_id, key) DO UPDATE SET sent_at = excluded.sent_at, ts = excluded.ts`,
        [jobId, key, at, ts],
      );
    },
    async releaseNotice(jobId, key, owner) {
      await db.query(
        `DELETE FROM job_announcements
         WHERE job_id = $1 AND key = $2 AND sent_at IS NULL AND owner IS NOT DISTINCT FROM $3`,
        [jobId, key, owner],
      );
    },
    async notice(jobId, key): Promise<NoticeRecord | undefined> {
      const { rows } = await db.query<NoticeRow>(
        'SELECT key, owner, at, sent_at, ts FROM job_announcements WHERE job_id = $1 AND key = $2',
        [jobId, key],
      );
      const row = rows[0];
      return row ? { key: row.key, owner: row.owner, claimedAt: row.at, sentAt: row.sent_at, ts: row.ts } : undefined;
    },
    async claimRequest(key) {
      const at = now();
      await db.query('DELETE FROM slack_requests WHERE at < $1', [
        new Date(at.getTime() - REQUEST_MEMORY_MS).toISOString(),
      ]);
      const seen = await db.query('INSERT INTO slack_requests (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        key,
        at.toISOString(),
      ]);
      return seen.rowCount === 1;
    },
  };
}

/**
 * Named leases (migration 5), as sqlite-leases.ts: one upsert whose WHERE admits only a free,
 * expired or own lease, so of two replicas asking at once exactly one gets it.
 */
export function postgresLeaseMethods(db: PgDb, now: () => Date): Pick<Store, 'tryLease' | 'releaseLease'> {
  return {
    async tryLease(name, owner, ttlMs) {
      const at = now();
      const { rowCount } = await db.query(
        `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at <= $4`,
        [name, owner, new Date(at.getTime() + ttlMs).toISOString(), at.toISOString()],
      );
      return rowCount === 1;
    },
    async releaseLease(name, owner) {
      await db.query('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]);
    },
  };
}
