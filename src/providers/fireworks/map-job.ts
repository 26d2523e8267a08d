import type { JobError, JobProgressReport, JobSnapshot, JobState } from '../types.ts';
import { lastSegment } from './names.ts';

/**
 * A supervised fine-tuning job as the API returns it (SupervisedFineTuningJob in the API
 * reference), typed loosely: every field may be missing, and the state set grows.
 */
export interface WireJob {
  name?: string;
  displayName?: string;
  dataset?: string;
  evaluationDataset?: string;
  baseModel?: string;
  warmStartFrom?: string;
  outputModel?: string;
  state?: string;
  status?: { code?: string; message?: string };
  createTime?: string;
  updateTime?: string;
  completedTime?: string;
  epochs?: number;
  learningRate?: number;
  loraRank?: number;
  batchSize?: number;
  batchSizeSamples?: number;
  jobProgress?: { percent?: number; epoch?: number; inputTokens?: number | string };
  metricsFileSignedUrl?: string;
}

/**
 * Fireworks' JobState words → ours:
 * - CREATING, VALIDATING, CREATING_INPUT_DATASET → validating: the data is being checked.
 * - PENDING, RE_QUEUEING, IDLE, UNSPECIFIED → queued: waiting for capacity.
 * - PAUSED (account suspension or a person) → queued: nothing trains until someone acts; the
 *   event says so as a warning.
 * - RUNNING, WRITING_RESULTS → running; CANCELLING → running until it is really cancelled.
 * - COMPLETED, EARLY_STOPPED (validation loss stopped improving: a finished model) → succeeded.
 * - FAILED, EXPIRED → failed; CANCELLED, DELETING, DELETING_CLEANING_UP → cancelled (a job being
 *   deleted trains no more; the adapter's cancel falls back to deleting).
 * Anything else is kept in `providerStatus` and reads as queued, so the monitor keeps watching.
 */
const STATES: Record<string, JobState> = {
  JOB_STATE_CREATING: 'validating',
  JOB_STATE_VALIDATING: 'validating',
  JOB_STATE_CREATING_INPUT_DATASET: 'validating',
  JOB_STATE_UNSPECIFIED: 'queued',
  JOB_STATE_PENDING: 'queued',
  JOB_STATE_RE_QUEUEING: 'queued',
  JOB_STATE_IDLE: 'queued',
  JOB_STATE_PAUSED: 'queued',
  JOB_STATE_RUNNING: 'running',
  JOB_STATE_WRITING_RESULTS: 'running',
  JOB_STATE_CANCELLING: 'running',
  JOB_STATE_COMPLETED: 'succeeded',
  JOB_STATE_EARLY_STOPPED: 'succeeded',
  JOB_STATE_FAILED: 'failed',
  JOB_STATE_EXPIRED: 'failed',
  JOB_STATE_CANCELLED: 'cancelled',
  JOB_STATE_DELETING: 'cancelled',
  JOB_STATE_DELETING_CLEANING_UP: 'cancelled',
};

export function jobState(word: string | undefined): JobState {
  return STATES[word ?? 'JOB_STATE_UNSPECIFIED'] ?? 'queued';
}

/** The state word without its prefix, for people: `JOB_STATE_RUNNING` → `running`. */
export function stateWord(word: string | undefined): string {
  return (word ?? 'JOB_STATE_UNSPECIFIED')
    .replace(/^JOB_STATE_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

function iso(time: string | undefined): string | null {
  if (!time) return null;
  const ms = Date.parse(time);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

function count(value: number | string | undefined): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

export function toSnapshot(job: WireJob, fallbackId: string): JobSnapshot {
  const state = jobState(job.state);
  const terminal = state === 'succeeded' || state === 'failed' || state === 'cancelled';
  const progress = progressOf(job);
  const hyperparameters: NonNullable<JobSnapshot['hyperparameters']> = {};
  if (typeof job.epochs === 'number') hyperparameters.nEpochs = job.epochs;
  if (typeof job.learningRate === 'number') hyperparameters.learningRate = job.learningRate;
  if (typeof job.loraRank === 'number') hyperparameters.loraRank = job.loraRank;
  if (typeof job.batchSizeSamples === 'number') hyperparameters.batchSize = job.batchSizeSamples;
  return {
    ref: { provider: 'fireworks', id: job.name ? lastSegment(job.name) : fallbackId },
    state,
    providerStatus: job.state ?? 'JOB_STATE_UNSPECIFIED',
    model: job.baseModel ?? job.warmStartFrom ?? '',
    fineTunedModel: state === 'succeeded' ? (job.outputModel ?? null) : null,
    createdAt: iso(job.createTime) ?? new Date(0).toISOString(),
    finishedAt: terminal ? (iso(job.completedTime) ?? iso(job.updateTime)) : null,
    estimatedFinish: null,
    // The tokens the job processed (all epochs), which is what Fireworks bills SFT by; only once
    // it has succeeded, so a running count is never taken for the bill.
    trainedTokens: state === 'succeeded' ? count(job.jobProgress?.inputTokens) : null,
    ...(Object.keys(hyperparameters).length > 0 ? { hyperparameters } : {}),
    error: state === 'failed' ? jobError(job) : null,
    ...(progress ? { progress } : {}),
  };
}

/**
 * Progress as Fireworks reports it: a percentage and the epoch. Fireworks counts epochs from 0;
 * people count from 1, so the report says the epoch being trained (`epoch + 1`).
 */
function progressOf(job: WireJob): JobProgressReport | undefined {
  const p = job.jobProgress;
  if (!p) return undefined;
  const report: JobProgressReport = {};
  if (typeof p.percent === 'number' && Number.isFinite(p.percent)) {
    report.percent = Math.min(100, Math.max(0, p.percent));
  }
  if (typeof p.epoch === 'number' && Number.isFinite(p.epoch) && p.epoch >= 0) report.epoch = p.epoch + 1;
  return Object.keys(report).length > 0 ? report : undefined;
}

/** A failed job's reason in Fireworks' words, with what to do about it. */
export function jobError(job: WireJob): JobError {
  const code = job.status?.code && job.status.code !== 'OK' ? job.status.code : 'failed';
  const said = job.status?.message?.trim();
  if (job.state === 'JOB_STATE_EXPIRED') {
    return {
      code: 'expired',
      message: said || 'Fireworks let the job expire before it could run.',
      hint: 'Start it again; if it keeps expiring, the account may be out of capacity for this model.',
    };
  }
  return { code, message: said || 'Fireworks says the job failed, without a reason.', hint: HINTS[code] ?? GENERIC };
}

const GENERIC =
  'Check the training file and settings, then start again; the job’s page in the Fireworks console has its logs.';
const HINTS: Record<string, string> = {
  INVALID_ARGUMENT:
    'Fireworks refused the data or a setting: run /finetune validate on the file (chat `messages`, at least 3 examples), check the settings, and start again.',
  FAILED_PRECONDITION:
    'Something the job needs was not ready (the dataset or the base model); start it again in a few minutes.',
  RESOURCE_EXHAUSTED: 'The account ran out of credits or quota: add credits in Fireworks billing, then start again.',
  PERMISSION_DENIED: 'The API key’s account may not use this model or dataset; check FIREWORKS_ACCOUNT_ID and the key.',
  INTERNAL: 'It failed on Fireworks’ side; start it again, and contact Fireworks support if it keeps failing.',
  UNAVAILABLE: 'It failed on Fireworks’ side; start it again in a while.',
};
