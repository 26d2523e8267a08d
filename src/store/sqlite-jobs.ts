import { randomBytes } from 'node:crypto';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { ProviderId } from '../providers/types.ts';
import {
  ACTIVE_PHASES,
  type JobPatch,
  type JobPhase,
  type JobRecord,
  type LossPoint,
  type NewJob,
  type SpendRow,
  type Store,
} from './types.ts';

interface JobRow {
  id: string;
  team_id: string;
  channel_id: string;
  requested_by: string;
  provider: ProviderId;
  request: string;
  phase: JobPhase;
  provider_job_id: string | null;
  provider_status: string | null;
  fine_tuned_model: string | null;
  message_ts: string | null;
  event_cursor: string | null;
  progress: string;
  estimate_usd: number | null;
  actual_usd: number | null;
  error: string | null;
  approval: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_event_at: string | null;
  last_edit_at: string | null;
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function toJob(r: JobRow): JobRecord {
  return {
    id: r.id,
    teamId: r.team_id,
    channelId: r.channel_id,
    requestedBy: r.requested_by,
    provider: r.provider,
    request: JSON.parse(r.request),
    phase: r.phase,
    providerJobId: r.provider_job_id,
    providerStatus: r.provider_status,
    fineTunedModel: r.fine_tuned_model,
    messageTs: r.message_ts,
    eventCursor: r.event_cursor,
    progress: JSON.parse(r.progress),
    estimateUsd: r.estimate_usd,
    actualUsd: r.actual_usd,
    error: parse(r.error),
    approval: parse(r.approval),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lastEventAt: r.last_event_at,
    lastEditAt: r.last_edit_at,
  };
}

/** Patch field → column, and whether the value is stored as JSON. */
const COLUMNS: Record<keyof JobPatch, [string, boolean]> = {
  phase: ['phase', false],
  providerJobId: ['provider_job_id', false],
  providerStatus: ['provider_status', false],
  fineTunedModel: ['fine_tuned_model', false],
  messageTs: ['message_ts', false],
  eventCursor: ['event_cursor', false],
  progress: ['progress', true],
  actualUsd: ['actual_usd', false],
  error: ['error', true],
  approval: ['approval', true],
  startedAt: ['started_at', false],
  finishedAt: ['finished_at', false],
  lastEventAt: ['last_event_at', false],
  lastEditAt: ['last_edit_at', false],
  request: ['request', true],
  estimateUsd: ['estimate_usd', false],
};

// No 0/O/1/l/i: people type these ids from a screenshot.
const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
function newJobId(): string {
  const bytes = randomBytes(6);
  let id = 'ft-';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

type JobMethods = Pick<
  Store,
  | 'createJob'
  | 'getJob'
  | 'updateJob'
  | 'listActiveJobs'
  | 'listJobsInPhases'
  | 'listJobs'
  | 'listEndedUnannounced'
  | 'createJobOnce'
  | 'addLossPoints'
  | 'lossPoints'
  | 'spendByProvider'
>;

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
      for (const [key, value] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
        if (value === undefined) continue;
        const [column, json] = COLUMNS[key];
        sets.push(`${column} = ?`);
        values.push(json ? (value === null ? null : JSON.stringify(value)) : (value as SQLInputValue));
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
      return rows.map((r) => ({
        step: r.step,
        ...(r.train_loss === null ? {} : { trainLoss: r.train_loss }),
        ...(r.valid_loss === null ? {} : { validLoss: r.valid_loss }),
      }));
    },
    async spendByProvider({ teamId, from, to }) {
      const team = teamId ?? null;
      return spend.all(from, to, team, team) as unknown as SpendRow[];
    },
  };
}
