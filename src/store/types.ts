import type { Answers } from '../advisor/questionnaire.ts';
import type { Recommendation } from '../advisor/recommend.ts';
import type {
  Cursor,
  Hyperparameters,
  JobError,
  JobState,
  LoraSettings,
  ProviderId,
  TrainingMethod,
} from '../providers/types.ts';

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
  /**
   * The estimate rests on a placeholder rate (Azure, where its Retail Prices feed has no figure):
   * recorded when the approvers are asked, so every message about the decision says so.
   */
  estimatePlaceholder?: boolean;
  /** The file uploaded in Slack, until it is on the provider: a job that waits for approval, or
   *  one cut off by a restart, downloads it again from here. */
  slackFile?: SlackFileRef;
  /** Set while the file is being uploaded: a start resumed after a crash cleans up after it. */
  uploadStartedAt?: string;
  /** GPU hosts: the LoRA settings and the host asked for (absent: auto). */
  lora?: LoraSettings;
  host?: string;
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
  /** The actual cost was computed at a placeholder rate (Azure without a feed read): said next to it. */
  costPlaceholder?: boolean;
  /** Providers that report a percentage instead of steps (Fireworks), and the epoch it is in. */
  percent?: number;
  epoch?: number;
  estimatedFinish?: string | null;
  /** GPU hosts: the latest throughput and memory, and where the job runs. */
  tokensPerSecond?: number;
  gpuMemoryBytes?: number;
  host?: string;
  gpuSeconds?: number;
  gpuType?: string;
  gpuCount?: number;
  /** Where the trainer wrote the adapter, and its size, once it did. */
  adapter?: { path: string; bytes: number | null };
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

export type NoticeClaim = 'new' | 'orphaned' | 'sent' | 'held';

export interface NoticeRecord {
  key: string;
  owner: string | null;
  claimedAt: string;
  sentAt: string | null;
  ts: string | null;
}

/** A price feed's last good read: catalogue-shaped overrides, when and where they were read. */
export interface PriceFeedRecord {
  /** Which feed: "azure-retail". */
  name: string;
  /** ISO time of the read. */
  readAt: string;
  source: string;
  overlay: Record<string, unknown>;
}

export interface SpendRow {
  provider: ProviderId;
  jobs: number;
  succeeded: number;
  failed: number;
  usd: number;
}

/**
 * The job store: SQLite (sqlite.ts) or PostgreSQL (postgres.ts), answering alike (test/store/contract.ts
 * holds both to it). Async because PostgreSQL is; the embedded SQLite answers at once.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
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
  /** Jobs in any of `phases`, oldest first. */
  listJobsInPhases(phases: readonly JobPhase[]): Promise<JobRecord[]>;
  /** Newest first. */
  listJobs(filter: { teamId: string; channelId?: string; limit: number }): Promise<JobRecord[]>;
  /**
   * Jobs that ended since `since` whose `finished` notice is not confirmed (its post failed after a
   * Cancel, a rejection or a failed start, or the process died posting it): the monitor tries again.
   */
  listEndedUnannounced(since: string): Promise<JobRecord[]>;
  /**
   * Claims notice `key` of a job (`message`, `status:running`, `checkpoint:ftckpt_1`, `finished`…)
   * for `owner` (one bot process) before it is posted. `new`: post it. `sent`: it is out already.
   * `held`: another process claimed it lately and may be posting it now; leave it. `orphaned`: a
   * claim older than `staleBefore` that was never confirmed (its process died mid-post) is now this
   * owner's: look for it in Slack before posting.
   */
  claimNotice(jobId: string, key: string, owner: string, staleBefore: string): Promise<NoticeClaim>;
  /** The notice is out (ts of its message, or null when it has none to look up, e.g. given up). */
  confirmNotice(jobId: string, key: string, ts: string | null): Promise<void>;
  /** Gives an unconfirmed claim back when the post failed, so a later tick tries again. */
  releaseNotice(jobId: string, key: string, owner: string): Promise<void>;
  notice(jobId: string, key: string): Promise<NoticeRecord | undefined>;
  /**
   * Creates the job unless one was already created for `requestKey` (a Slack view id: the same
   * review submitted twice); then returns that one with `created: false`.
   */
  createJobOnce(job: NewJob, requestKey: string): Promise<{ job: JobRecord; created: boolean }>;
  /** True the first time `key` (a Slack request's own id) is seen: retried deliveries act once. */
  claimRequest(key: string): Promise<boolean>;
  addLossPoints(jobId: string, points: LossPoint[]): Promise<void>;
  /** In step order. */
  lossPoints(jobId: string): Promise<LossPoint[]>;
  /** Jobs created in [from, to), by provider, with their actual cost (or the estimate while unknown). */
  spendByProvider(filter: { teamId?: string; from: string; to: string }): Promise<SpendRow[]>;
  /** Keeps a feed's latest good read, replacing the one before. */
  savePriceFeed(feed: PriceFeedRecord): Promise<void>;
  priceFeed(name: string): Promise<PriceFeedRecord | undefined>;
  /**
   * Takes lease `name` (a schedule, a sweep: work one replica at a time should do) for `owner` until
   * `ttlMs` from now, when it is free, expired, or already `owner`'s (a renewal). False while another
   * owner holds it. Times are the store's clock (`now`), so replicas' clocks must agree to well
   * within the ttl.
   */
  tryLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease back early (on stop) so another replica need not wait out its ttl; only its owner can. */
  releaseLease(name: string, owner: string): Promise<void>;
  close(): Promise<void>;
}
