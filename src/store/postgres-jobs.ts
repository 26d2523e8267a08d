import { DatabaseError } from 'pg';
import type { PgDb } from './postgres-pool.ts';
import { type JobMethods, type JobRow, newJobId, patchColumns, toJob, toLossPoint } from './rows.ts';
import { ACTIVE_PHASES, FINISHED_PHASES, type JobRecord, type NewJob, type SpendRow } from './types.ts';

/**
 * Jobs in PostgreSQL, answering as sqlite-jobs.ts does. Where SQLite's one writer made a read and a
 * write safe together, here a single statement does both: an UPDATE re-checks its WHERE (the phase
 * guard) on the row as the winner of a race left it, and INSERT … ON CONFLICT settles twin inserts.
 */
export function postgresJobMethods(db: PgDb, now: () => Date): JobMethods {
  const idTaken = (error: unknown) =>
    error instanceof DatabaseError && error.code === '23505' && error.constraint === 'jobs_pkey';

  /** The new row, or undefined when `requestKey` already has one (ON CONFLICT DO NOTHING). */
  async function insertJob(job: NewJob, requestKey: string | null): Promise<JobRecord | undefined> {
    const at = now().toISOString();
    // A collision in 31^6 is rare but not impossible; a second draw settles it.
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await db.query<JobRow>(
          `INSERT INTO jobs
             (id, team_id, channel_id, requested_by, provider, request, phase, estimate_usd, created_at, updated_at, request_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)
           ON CONFLICT (request_key) WHERE request_key IS NOT NULL DO NOTHING
           RETURNING *`,
          [
            newJobId(),
            job.teamId,
            job.channelId,
            job.requestedBy,
            job.provider,
            JSON.stringify(job.request),
            job.phase,
            job.estimateUsd,
            at,
            requestKey,
          ],
        );
        return rows[0] ? toJob(rows[0]) : undefined;
      } catch (error) {
        if (attempt < 3 && idTaken(error)) continue;
        throw error;
      }
    }
  }

  const select = async (where: string, values: unknown[]) =>
    (await db.query<JobRow>(`SELECT * FROM jobs WHERE ${where}`, values)).rows.map(toJob);

  return {
    async createJob(job) {
      return (await insertJob(job, null)) as JobRecord;
    },
    async getJob(id) {
      return (await select('id = $1', [id]))[0];
    },
    async updateJob(id, patch, ifPhase) {
      const columns = patchColumns(patch);
      const sets = ['updated_at = $1', ...columns.map(([column], i) => `${column} = $${i + 2}`)];
      const values: unknown[] = [now().toISOString(), ...columns.map(([, value]) => value), id];
      let sql = `UPDATE jobs SET ${sets.join(', ')} WHERE id = $${values.length}`;
      if (ifPhase) {
        values.push([...ifPhase]);
        sql += ` AND phase = ANY($${values.length}::text[])`;
      }
      const { rows } = await db.query<JobRow>(`${sql} RETURNING *`, values);
      return rows[0] ? toJob(rows[0]) : undefined;
    },
    async listActiveJobs() {
      return select('phase = ANY($1::text[]) ORDER BY created_at, seq', [[...ACTIVE_PHASES]]);
    },
    async listJobsInPhases(phases) {
      if (phases.length === 0) return [];
      return select('phase = ANY($1::text[]) ORDER BY created_at, seq', [[...phases]]);
    },
    async listJobs({ teamId, channelId, limit }) {
      return select(
        'team_id = $1 AND ($2::text IS NULL OR channel_id = $2) ORDER BY created_at DESC, seq DESC LIMIT $3',
        [teamId, channelId ?? null, limit],
      );
    },
    async listEndedUnannounced(since) {
      return select(
        `phase = ANY($1::text[]) AND finished_at >= $2
           AND NOT EXISTS (SELECT 1 FROM job_announcements a
                           WHERE a.job_id = jobs.id AND a.key = 'finished' AND a.sent_at IS NOT NULL)
         ORDER BY finished_at`,
        [[...FINISHED_PHASES], since],
      );
    },
    async createJobOnce(job, requestKey) {
      const created = await insertJob(job, requestKey);
      if (created) return { job: created, created: true };
      // The twin's row: committed before our insert gave way to it, so this read sees it.
      const [existing] = await select('request_key = $1', [requestKey]);
      if (!existing) throw new Error(`no job for request ${requestKey}, though one was there a moment ago`);
      return { job: existing, created: false };
    },
    async addLossPoints(jobId, list) {
      if (list.length === 0) return;
      // One statement per point, in one transaction: a list may name a step twice, which a single
      // multi-row upsert refuses.
      await db.tx(async (sql) => {
        for (const p of list) {
          await sql.query(
            `INSERT INTO job_loss_points (job_id, step, train_loss, valid_loss) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job_id, step) DO UPDATE SET
               train_loss = COALESCE(excluded.train_loss, job_loss_points.train_loss),
               valid_loss = COALESCE(excluded.valid_loss, job_loss_points.valid_loss)`,
            [jobId, p.step, p.trainLoss ?? null, p.validLoss ?? null],
          );
        }
      });
    },
    async lossPoints(jobId) {
      const { rows } = await db.query<{ step: number; train_loss: number | null; valid_loss: number | null }>(
        'SELECT step, train_loss, valid_loss FROM job_loss_points WHERE job_id = $1 ORDER BY step',
        [jobId],
      );
      return rows.map(toLossPoint);
    },
    async spendByProvider({ teamId, from, to }) {
      // COUNT is a bigint, which pg hands back as a string: cast to int (a team has fewer jobs).
      const { rows } = await db.query<SpendRow>(
        `SELECT provider,
           COUNT(*)::int AS jobs,
           (COUNT(*) FILTER (WHERE phase = 'succeeded'))::int AS succeeded,
           (COUNT(*) FILTER (WHERE phase = 'failed'))::int AS failed,
           COALESCE(SUM(COALESCE(actual_usd,
             CASE WHEN phase IN ('rejected', 'awaiting_approval') THEN 0 ELSE estimate_usd END)), 0)::float8 AS usd
         FROM jobs
         WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR team_id = $3)
         GROUP BY provider ORDER BY provider`,
        [from, to, teamId ?? null],
      );
      return rows;
    },
  };
}
