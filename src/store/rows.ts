import { randomBytes } from 'node:crypto';
import type { ProviderId } from '../providers/types.ts';
import type {
  AdviceSession,
  Delivery,
  JobPatch,
  JobPhase,
  JobRecord,
  LossPoint,
  PriceFeedRecord,
  Store,
} from './types.ts';

/** Rows as both backends store them (the same columns, text for times and JSON), and their records. */

export interface AdviceRow {
  id: string;
  team_id: string;
  user_id: string;
  channel_id: string | null;
  created_at: string;
  answers: string;
  recommendation: string;
  delivery: string | null;
}

export function toSession(row: AdviceRow): AdviceSession {
  return {
    id: row.id,
    teamId: row.team_id,
    userId: row.user_id,
    channelId: row.channel_id,
    createdAt: row.created_at,
    answers: JSON.parse(row.answers),
    recommendation: JSON.parse(row.recommendation),
    ...(row.delivery ? { delivery: JSON.parse(row.delivery) as Delivery } : {}),
  };
}

export interface JobRow {
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

export function toJob(r: JobRow): JobRecord {
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

/** What each backend's jobs module provides. */
export type JobMethods = Pick<
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

/** Patch field → column, and whether the value is stored as JSON. */
export const JOB_COLUMNS: Record<keyof JobPatch, [string, boolean]> = {
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

/** The patch as [column, value] pairs, JSON encoded where the column holds JSON; unset fields left out. */
export function patchColumns(patch: JobPatch): Array<[string, string | number | null]> {
  const out: Array<[string, string | number | null]> = [];
  for (const [key, value] of Object.entries(patch) as [keyof JobPatch, unknown][]) {
    if (value === undefined) continue;
    const [column, json] = JOB_COLUMNS[key];
    out.push([column, json ? (value === null ? null : JSON.stringify(value)) : (value as string | number | null)]);
  }
  return out;
}

// No 0/O/1/l/i: people type these ids from a screenshot.
const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export function newJobId(): string {
  const bytes = randomBytes(6);
  let id = 'ft-';
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

export function toLossPoint(r: { step: number; train_loss: number | null; valid_loss: number | null }): LossPoint {
  return {
    step: r.step,
    ...(r.train_loss === null ? {} : { trainLoss: r.train_loss }),
    ...(r.valid_loss === null ? {} : { validLoss: r.valid_loss }),
  };
}

export interface PriceFeedRow {
  name: string;
  read_at: string;
  source: string;
  overlay: string;
}

export function toPriceFeed(row: PriceFeedRow | undefined): PriceFeedRecord | undefined {
  if (!row) return undefined;
  let overlay: unknown;
  try {
    overlay = JSON.parse(row.overlay);
  } catch {
    return undefined; // a row nobody can use is as good as none: the catalogue's figures stand
  }
  if (typeof overlay !== 'object' || overlay === null || Array.isArray(overlay)) return undefined;
  return { name: row.name, readAt: row.read_at, source: row.source, overlay: overlay as Record<string, unknown> };
}

/** An advice session's column values, in advice_sessions' insert order (both stores). */
export function adviceSessionValues(session: AdviceSession): Array<string | null> {
  return [
    session.id,
    session.teamId,
    session.userId,
    session.channelId,
    session.createdAt,
    JSON.stringify(session.answers),
    JSON.stringify(session.recommendation),
    session.recommendation.verdict,
  ];
}
