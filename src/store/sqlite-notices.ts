import type { DatabaseSync } from 'node:sqlite';
import type { NoticeClaim, NoticeRecord, Store } from './types.ts';

type NoticeMethods = Pick<Store, 'claimNotice' | 'confirmNotice' | 'releaseNotice' | 'notice' | 'claimRequest'>;

interface NoticeRow {
  key: string;
  owner: string | null;
  at: string;
  sent_at: string | null;
  ts: string | null;
}

/** How long a Slack request id is remembered: Slack retries within minutes; a day is plenty. */
export const REQUEST_MEMORY_MS = 24 * 3600 * 1000;

/**
 * Notice claims (job_announcements) and seen Slack requests. Every step is a single statement, or a
 * compare-and-set on the values just read, so two processes on one database cannot both win.
 */
export function sqliteNoticeMethods(db: DatabaseSync, now: () => Date): NoticeMethods {
  const insert = db.prepare(
    'INSERT INTO job_announcements (job_id, key, at, owner) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const read = db.prepare('SELECT key, owner, at, sent_at, ts FROM job_announcements WHERE job_id = ? AND key = ?');
  const takeOver = db.prepare(
    `UPDATE job_announcements SET owner = ?, at = ?
     WHERE job_id = ? AND key = ? AND sent_at IS NULL AND owner IS ? AND at = ?`,
  );
  const confirm = db.prepare(
    `INSERT INTO job_announcements (job_id, key, at, sent_at, ts) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (job_id, key) DO UPDATE SET sent_at = excluded.sent_at, ts = excluded.ts`,
  );
  const release = db.prepare(
    'DELETE FROM job_announcements WHERE job_id = ? AND key = ? AND sent_at IS NULL AND owner IS ?',
  );
  const seeRequest = db.prepare('INSERT INTO slack_requests (key, at) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const forgetRequests = db.prepare('DELETE FROM slack_requests WHERE at < ?');

  return {
    async claimNotice(jobId, key, owner, staleBefore): Promise<NoticeClaim> {
      const at = now().toISOString();
      if (insert.run(jobId, key, at, owner).changes === 1) return 'new';
      const row = read.get(jobId, key) as NoticeRow | undefined;
      if (!row) return 'held'; // released between the two statements: the next tick claims it afresh
      if (row.sent_at !== null) return 'sent';
      if (row.owner !== owner && row.at >= staleBefore) return 'held';
      return takeOver.run(owner, at, jobId, key, row.owner, row.at).changes === 1 ? 'orphaned' : 'held';
    },
    async confirmNotice(jobId, key, ts) {
      const at = now().toISOString();
      confirm.run(jobId, key, at, at, ts);
    },
    async releaseNotice(jobId, key, owner) {
      release.run(jobId, key, owner);
    },
    async notice(jobId, key): Promise<NoticeRecord | undefined> {
      const row = read.get(jobId, key) as NoticeRow | undefined;
      return row ? { key: row.key, owner: row.owner, claimedAt: row.at, sentAt: row.sent_at, ts: row.ts } : undefined;
    },
    async claimRequest(key) {
      const at = now();
      forgetRequests.run(new Date(at.getTime() - REQUEST_MEMORY_MS).toISOString());
      return seeRequest.run(key, at.toISOString()).changes === 1;
    },
  };
}
