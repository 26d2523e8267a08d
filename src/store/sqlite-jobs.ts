import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { type JobMethods, type JobRow, newJobId, patchColumns, toJob, toLossPoint } from './rows.ts';
import { ACTIVE_PHASES, type JobRecord, type LossPoint, type NewJob, type SpendRow } from './types.ts';

export function sqliteJobMethods(db: DatabaseSync, now: () => Date = () => new Date()): JobMethods {
  const insert = db.prepare(`INSERT INTO jobs
    (id, team_id, channel_id, requested_by, provider, request, phase, estimate_usd, created_at, updated_at, request_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const active = db.prepare(
    `SELECT * FROM jobs WHERE phase IN (${ACTIVE_PHASES.map(() => '?').join(', ')}) ORDER BY created_at, rowid`,
  );
  const byChannel = db.prepare(
    'SELECT * FROM jobs WHERE team_id = ? AND channel_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
  );
  const byTeam = db.prepare('SELECT * FROM jobs WHERE team_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?');
  const endedUnannounced = db.prepare(
    `SELECT * FROM jobs WHERE phase IN ('succeeded', 'failed', 'cancelled', 'rejected') AND finished_at >= ?
       AND NOT EXISTS (SELECT 1 FROM job_announcements a
                       WHERE a.job_id = jobs.id AND a.key = 'finished' AND a.sent_at IS NOT NULL)
     ORDER BY finished_at`,
  );
  const byRequestKey = db.prepare('SELECT * FROM jobs WHERE request_key = ?');
  const addPoint = db.prepare(
    `INSERT INTO job_loss_points (job_id, step, train_loss, valid_loss) VALUES (?, ?, ?, ?)
     ON CONFLICT (job_id, step) DO UPDATE SET
       train_loss = COALESCE(excluded.train_loss, train_loss),
       valid_loss = COALESCE(excluded.valid_loss, valid_loss)`,
  );
  const points = db.prepare('SELECT step, train_loss, valid_loss FROM job_loss_points WHERE job_id = ? ORDER BY step');
  const spend = db.prepare(`SELECT provider,
      COUNT(*) AS jobs,
      SUM(phase = 'succeeded') AS succeeded,
      SUM(phase = 'failed') AS failed,
      COALESCE(SUM(COALESCE(actual_usd, CASE WHEN phase IN ('rejected', 'awaiting_approval') THEN 0 ELSE estimate_usd END)), 0) AS usd
    FROM jobs
    WHERE created_at >= ? AND created_at < ? AND (? IS NULL OR team_id = ?)
    GROUP BY provider ORDER BY provider`);

  const get = (id: string) => {
    const row = byId.get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  };

  function insertJob(job: NewJob, requestKey: string | null): JobRecord {
    const at = now().toISOString();
    // A collision in 31^6 is rare but not impossible; a second draw settles it.
    for (let attempt = 0; ; attempt++) {
      const id = newJobId();
      try {
        insert.run(
          id,
          job.teamId,
          job.channelId,
          job.requestedBy,
          job.provider,
          JSON.stringify(job.request),
          job.phase,
          job.estimateUsd,
          at,
          at,
          requestKey,
        );
        return get(id) as JobRecord;
      } catch (error) {
        if (attempt < 3 && /UNIQUE constraint failed: jobs\.id/.test((error as Error).message)) continue;
        throw error;
      }
    }
  }

  return {
    async createJob(job: NewJob) {
      return insertJob(job, null);
    },
    async getJob(id) {
      return get(id);
    },
    async updateJob(id, patch, ifPhase) {
      const sets: string[] = ['updated_at = ?'];
      const values: SQLInputValue[] = [now().toISOString()];
      for (const [column, value] of patchColumns(patch)) {
        sets.push(`${column} = ?`);
        values.push(value);
      }
      let sql = `UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`;
      values.push(id);
      if (ifPhase) {
        sql += ` AND phase IN (${ifPhase.map(() => '?').join(', ')})`;
        values.push(...ifPhase);
      }
      const result = db.prepare(sql).run(...values);
      return result.changes === 0 ? undefined : get(id);
    },
    async listActiveJobs() {
      return (active.all(...ACTIVE_PHASES) as unknown as JobRow[]).map(toJob);
    },
    async listJobsInPhases(phases) {
      if (phases.length === 0) return [];
      const rows = db
        .prepare(`SELECT * FROM jobs WHERE phase IN (${phases.map(() => '?').join(', ')}) ORDER BY created_at, rowid`)
        .all(...phases);
      return (rows as unknown as JobRow[]).map(toJob);
    },
    async listJobs({ teamId, channelId, limit }) {
      const rows = channelId ? byChannel.all(teamId, channelId, limit) : byTeam.all(teamId, limit);
      return (rows as unknown as JobRow[]).map(toJob);
    },
    async listEndedUnannounced(since) {
      return (endedUnannounced.all(since) as unknown as JobRow[]).map(toJob);
    },
    async createJobOnce(job, requestKey) {
      const existing = byRequestKey.get(requestKey) as JobRow | undefined;
      if (existing) return { job: toJob(existing), created: false };
      try {
        return { job: insertJob(job, requestKey), created: true };
      } catch (error) {
        // A twin submission won the race on the unique index between the read and the insert.
        const winner = byRequestKey.get(requestKey) as JobRow | undefined;
        if (winner) return { job: toJob(winner), created: false };
        throw error;
      }
    },
    async addLossPoints(jobId, list: LossPoint[]) {
      if (list.length === 0) return;
      db.exec('BEGIN');
      try {
        for (const p of list) addPoint.run(jobId, p.step, p.trainLoss ?? null, p.validLoss ?? null);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    async lossPoints(jobId) {
      const rows = points.all(jobId) as { step: number; train_loss: number | null; valid_loss: number | null }[];
      return rows.map(toLossPoint);
    },
    async spendByProvider({ teamId, from, to }) {
      const team = teamId ?? null;
      return spend.all(from, to, team, team) as unknown as SpendRow[];
    },
  };
}
