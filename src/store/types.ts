import type { Answers } from '../advisor/questionnaire.ts';
import type { Recommendation } from '../advisor/recommend.ts';
import type { Cursor, Hyperparameters, JobError, JobState, ProviderId, TrainingMethod } from '../providers/types.ts';

/** Where a recommendation ended up: in the channel, or in a DM when the channel refused the bot. */
export type Delivery =
  | { via: 'channel' | 'dm'; channelId: string; messageTs: string; note?: string }
  | { via: 'failed'; note: string };

export interface NewAdviceSession {
  teamId: string;
  userId: string;
  /** Where the command ran; null when Slack did not say (the answer then went to the user's DMs). */
  channelId: string | null;
  answers: Answers;
  recommendation: Recommendation;
}

export interface AdviceSession extends NewAdviceSession {
  id: string;
  createdAt: string;
  delivery?: Delivery;
}

/**
 * Where a job stands from the team's side: the provider's states, plus the steps before the provider
 * knows of it (waiting for an approver, being uploaded and created) and a rejection.
 */
export type JobPhase = 'awaiting_approval' | 'rejected' | 'starting' | JobState;

export const ACTIVE_PHASES: readonly JobPhase[] = ['starting', 'validating', 'queued', 'running'];
export const FINISHED_PHASES: readonly JobPhase[] = ['succeeded', 'failed', 'cancelled', 'rejected'];

/** What the person asked for in the job modal, after review. */
export interface JobRequest {
  model: string;
  method: TrainingMethod;
  /** The provider's file id, once uploaded (or given in the modal). */
  trainingFileId?: string;
  trainingFileName?: string;
  validationFileId?: string;
  suffix?: string;
  seed?: number;
  hyperparameters: Hyperparameters;
  trainingType?: 'standard' | 'globalstandard' | 'developer';
  /** From validation: what the estimate was based on. */
  billableTokens?: number;
  /** The file uploaded in Slack, until it is on the provider: a job that waits for approval, or
   *  one cut off by a restart, downloads it again from here. */
  slackFile?: SlackFileRef;
}

export interface SlackFileRef {
  id: string;
  name: string;
  url: string;
  bytes?: number;
}

/** The live figures the job message shows; replaced as a whole on each update. */
export interface JobProgress {
  step?: number;
  totalSteps?: number;
  trainLoss?: number;
  validLoss?: number;
  trainedTokens?: number;
  estimatedFinish?: string | null;
}

export interface Approval {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
}

export interface NewJob {
  teamId: string;
  channelId: string;
  requestedBy: string;
  provider: ProviderId;
  request: JobRequest;
  phase: 'awaiting_approval' | 'starting';
  estimateUsd: number | null;
}

export interface JobRecord extends Omit<NewJob, 'phase'> {
  /** Short and typeable: `/finetune status ft-7k2m9q`. */
  id: string;
  phase: JobPhase;
  providerJobId: string | null;
  providerStatus: string | null;
  fineTunedModel: string | null;
  /** The one message in the channel that the monitor keeps current. */
  messageTs: string | null;
  eventCursor: Cursor;
  progress: JobProgress;
  actualUsd: number | null;
  error: JobError | null;
  approval: Approval | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** When the provider last said anything new: the stall check reads it. */
  lastEventAt: string | null;
  /** When the job message was last edited: edits are throttled per job. */
  lastEditAt: string | null;
}

export type JobPatch = Partial<
  Pick<
    JobRecord,
    | 'phase'
    | 'providerJobId'
    | 'providerStatus'
    | 'fineTunedModel'
    | 'messageTs'
    | 'eventCursor'
    | 'progress'
    | 'actualUsd'
    | 'error'
    | 'approval'
    | 'startedAt'
    | 'finishedAt'
    | 'lastEventAt'
    | 'lastEditAt'
    | 'request'
    | 'estimateUsd'
  >
>;

export interface LossPoint {
  step: number;
  trainLoss?: number;
  validLoss?: number;
}

export interface SpendRow {
  provider: ProviderId;
  jobs: number;
  succeeded: number;
  failed: number;
  usd: number;
}

/**
 * The job store. Async on purpose: the embedded SQLite answers synchronously, but PostgreSQL (for
 * several replicas) will not, and callers should not have to change when it arrives.
 */
export interface Store {
  readonly kind: 'sqlite';
  /** Resolves when the database answers a trivial query; used by GET /healthz. */
  ping(): Promise<void>;
  saveAdviceSession(session: NewAdviceSession): Promise<AdviceSession>;
  recordDelivery(id: string, delivery: Delivery): Promise<void>;
  getAdviceSession(id: string): Promise<AdviceSession | undefined>;
  /** Newest first. */
  listAdviceSessions(filter: { teamId: string; userId?: string; limit: number }): Promise<AdviceSession[]>;

  createJob(job: NewJob): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /**
   * Applies the patch; with `ifPhase`, only while the job is still in one of those phases (so a
   * Cancel and a poll racing each other cannot undo one another). Returns the job after, or
   * undefined when the condition did not hold.
   */
  updateJob(id: string, patch: JobPatch, ifPhase?: readonly JobPhase[]): Promise<JobRecord | undefined>;
  /** Jobs the monitor follows, oldest first. */
  listActiveJobs(): Promise<JobRecord[]>;
  /** Newest first. */
  listJobs(filter: { teamId: string; channelId?: string; limit: number }): Promise<JobRecord[]>;
  /**
   * Jobs that ended since `since` without their `finished` announcement (its post failed after a
   * Cancel, a rejection or a failed start): the monitor tries them again.
   */
  listEndedUnannounced(since: string): Promise<JobRecord[]>;
  /**
   * Records that `key` (e.g. `status:running`, `checkpoint:ftckpt_1`, `summary`) was announced.
   * True the first time only: the guard that keeps a restart from posting anything twice.
   */
  claimAnnouncement(jobId: string, key: string): Promise<boolean>;
  /** Gives a claim back when the post it guarded failed, so a later tick tries again. */
  releaseAnnouncement(jobId: string, key: string): Promise<void>;
  addLossPoints(jobId: string, points: LossPoint[]): Promise<void>;
  /** In step order. */
  lossPoints(jobId: string): Promise<LossPoint[]>;
  /** Jobs created in [from, to), by provider, with their actual cost (or the estimate while unknown). */
  spendByProvider(filter: { teamId?: string; from: string; to: string }): Promise<SpendRow[]>;
  close(): Promise<void>;
}
