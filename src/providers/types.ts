import type { Completion } from './completion.ts';

export type { Completion };

/**
 * The provider contract: what the job lifecycle and the monitor may ask of OpenAI, Azure OpenAI,
 * Together AI, Fireworks AI or a GPU host. An adapter speaks its provider's API and returns these shapes; it knows nothing of
 * Slack or the store. Times are ISO 8601 strings so records survive JSON round trips unchanged.
 */

export type ProviderId = 'openai' | 'azure' | 'gpu' | 'k8s' | 'together' | 'fireworks';

/** Normalised job states. `stalled` is a monitor verdict, never a provider state. */
export type JobState = 'validating' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

export type TrainingMethod = 'supervised' | 'dpo';

export interface ModelInfo {
  /** The id the provider's API takes, e.g. `gpt-4.1-mini-2025-04-14`. */
  id: string;
  /** Our catalogue's model (src/data/models.ts), for token limits and prices. */
  family: string;
  label: string;
  methods: TrainingMethod[];
}

/** A local training file to hand to the provider. Read as a stream; never held whole. */
export interface TrainingFile {
  name: string;
  bytes: number;
  open(): AsyncIterable<Uint8Array>;
}

/** The name a job's training file gets at the provider: people see the job in it, and so can we. */
export function uploadName(jobId: string, fileName: string): string {
  return `${jobId}-${fileName}`;
}

/** Whether `filename` at the provider was uploaded for our job `jobId` (ids have a fixed length). */
export function isUploadOf(jobId: string, filename: string | undefined): boolean {
  return filename?.startsWith(`${jobId}-`) ?? false;
}

export interface FileRef {
  provider: ProviderId;
  id: string;
  name: string;
  bytes: number;
}

type Auto<T> = T | 'auto';

export interface Hyperparameters {
  nEpochs: Auto<number>;
  batchSize: Auto<number>;
  /** Providers whose capabilities say `learningRate: 'multiplier'` (OpenAI, Azure). */
  learningRateMultiplier: Auto<number>;
  /** DPO only. */
  beta?: Auto<number>;
  /** Providers whose capabilities say `learningRate: 'absolute'` (Together, Fireworks): the rate itself. */
  learningRate?: Auto<number>;
  /** Hosted adapters (capabilities `adapter`): LoRA, or full fine-tuning where `adapter.full`. */
  tuning?: 'lora' | 'full';
  /** Hosted adapters: the LoRA rank (one of `adapter.ranks`). */
  loraRank?: number;
  /** Capabilities `checkpoints`: how many intermediate checkpoints to keep. */
  nCheckpoints?: number;
  /** Capabilities `evaluations`: how often the validation file is scored (each pass is billed). */
  nEvals?: number;
}

/**
 * LoRA / QLoRA on the team's own GPU hosts: what the person sets in the form. The adapter writes
 * it into the trainer's spec.json (trainer/ftbot_trainer/spec.py is the authority on ranges).
 */
export interface LoraSettings {
  method: 'lora' | 'qlora';
  r: number;
  alpha: number;
  dropout: number;
  targetModules: 'attention' | 'all-linear';
  epochs: number;
  learningRate: number;
  /** Per device, per micro-step. */
  batchSize: number;
  gradientAccumulation: number;
  maxLength: number;
  packing: boolean;
}

/** What a provider offers, as data: the form, the review and the messages read it. */
export interface ProviderCapabilities {
  /** `hosted`: epochs, batch size and LR multiplier (OpenAI, Azure); `lora`: LoraSettings. */
  knobs: 'hosted' | 'lora';
  /** `list`: a base model from models(); `free`: any hub id or path, models() only suggests. */
  baseModel: 'list' | 'free';
  /** Whether Try it can ask the tuned model (a hosted endpoint exists). */
  tryIt: boolean;
  /** How Try it names the tuned model: by its id (absent), or by its deployment's name (Azure). */
  tryItVia?: 'deployment';
  /** Whether the tuned model can be deployed from Slack. */
  deploy: boolean;
  /** Whether the job runs on one of several named hosts the person may choose (or leave to auto). */
  hosts: boolean;
  /**
   * Whether a job keeps running while the provider cannot be reached (the team's own hosts): the
   * monitor then says "monitoring degraded" once in the job's thread, and once more when it is back.
   */
  degradedNotices?: boolean;
  /**
   * Hosted knobs: whether the form asks for a multiplier of the provider's default learning rate
   * (OpenAI, Azure: absent or `multiplier`) or the rate itself (Together, Fireworks: `absolute`).
   */
  learningRate?: 'multiplier' | 'absolute';
  /** Hosted adapters: the LoRA ranks offered (the first is the default), and whether full fine-tuning is too. */
  adapter?: { ranks: readonly number[]; full: boolean };
  /** Whether a file already at the provider may be named by its id instead of an upload (absent: yes, for hosted). */
  fileIds?: boolean;
  /** The longest model-name suffix the provider takes (absent: no suffix is asked for). */
  suffixMax?: number;
  /** Azure: the training tiers offered, by the words the create call takes. */
  trainingTiers?: readonly ('globalstandard' | 'standard' | 'developer')[];
  /** Whether intermediate checkpoints can be asked for (Together's `n_checkpoints`). */
  checkpoints?: boolean;
  /** Whether the number of evaluations on the validation file can be set (Together's `n_evals`). */
  evaluations?: boolean;
  /** How the provider reports progress: training steps (absent) or a percentage (Fireworks). */
  progress?: 'steps' | 'percent';
}

/** A host a job may run on, for the form's host choice. */
export interface HostInfo {
  name: string;
  gpuType: string;
  gpuCount: number;
  maxJobs: number;
}

/** What a cancel left behind, when the provider knows (GPU hosts: the adapter trained so far). */
export interface CancelOutcome {
  adapter?: { path: string; bytes: number | null };
  /** GPU hosts: where it ran and the GPU-seconds it used until the stop, as in JobSnapshot. */
  gpu?: JobSnapshot['gpu'];
}

/** A host's readiness for one job, shown on the review step before anything is spent. */
export interface PreflightReport {
  ok: boolean;
  /** The host it was checked on (the one "auto" picked, when auto). */
  host: string;
  gpuName?: string;
  gpuType?: string;
  gpuMemoryBytes?: number;
  freeGpuMemoryBytes?: number;
  freeDiskBytes?: number;
  neededDiskBytes?: number;
  /** Each thing in the way, in words, with what to do. */
  problems: Array<{ reason: string; message: string; hint?: string }>;
  /** How busy the host is: a job beyond `maxJobs` running waits in its queue. */
  load?: { running: number; queued: number; maxJobs: number };
  /** The Python packages the trainer needs, as the host has them. */
  packages?: Array<{ name: string; version: string | null; ok: boolean }>;
  /** The base model's parameter count, when the pre-flight could read it (for the FLOPs estimate). */
  modelParameters?: number;
}

export interface JobSpec {
  /** Our job id; carried in the provider's metadata so `start` can be idempotent. */
  id: string;
  model: string;
  method: TrainingMethod;
  trainingFileId: string;
  validationFileId?: string;
  suffix?: string;
  seed?: number;
  hyperparameters: Hyperparameters;
  /** Where the job reports and who asked; stored with the provider job for people reading its console. */
  channelId: string;
  requestedBy: string;
  /** Azure only: the training tier. */
  trainingType?: 'standard' | 'globalstandard' | 'developer';
  /** GPU hosts only: the LoRA settings, and the host chosen (absent: auto). */
  lora?: LoraSettings;
  host?: string;
}

export interface ProviderJobRef {
  provider: ProviderId;
  id: string;
}

/** Where event reading stopped: the newest event id seen. Opaque to callers. */
export type Cursor = string | null;

export interface StepMetrics {
  step: number;
  /** OpenAI's metric events carry `total_steps`; the progress bar needs it. */
  totalSteps?: number;
  trainLoss?: number;
  validLoss?: number;
  trainAccuracy?: number;
  validAccuracy?: number;
  fullValidLoss?: number;
  /** GPU hosts: throughput and memory at this step. */
  tokensPerSecond?: number;
  gpuMemoryBytes?: number;
}

export interface JobEvent {
  id: string;
  at: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** Present on metric events (one per training step on OpenAI). */
  metrics?: StepMetrics;
}

export interface Checkpoint {
  id: string;
  /** The model name this checkpoint can be used or deployed as. */
  model: string;
  step: number;
  at: string;
  metrics?: StepMetrics;
}

/** A provider's error in plain words. `hint` says what the person can do about it. */
export interface JobError {
  code: string;
  message: string;
  hint?: string;
}

/** The job as the provider sees it, without its events: what one `list` call can cover for many jobs. */
export interface JobSnapshot {
  ref: ProviderJobRef;
  state: JobState;
  /** The provider's own word, kept because it is an open set (OpenAI also says `paused`). */
  providerStatus: string;
  model: string;
  fineTunedModel: string | null;
  createdAt: string;
  finishedAt: string | null;
  estimatedFinish: string | null;
  /** Billable tokens, known when the job ends. */
  trainedTokens: number | null;
  /** The hyperparameters the provider resolved (`auto` replaced), when it says. */
  hyperparameters?: Partial<Record<keyof Hyperparameters, number>>;
  error: JobError | null;
  /** GPU hosts: what the cost is computed from (GPU-seconds measured, at the host's GPU type's rate). */
  gpu?: { host: string; gpuType: string; gpuCount: number; gpuSeconds: number | null };
  /** GPU hosts: where the adapter is, and its size, once the trainer wrote it. */
  adapter?: { path: string; bytes: number | null };
  /**
   * Progress the provider reports on the job itself rather than in metric events: a percentage and
   * the epoch (Fireworks), or steps done of the total (Together). Absent: read it from the events.
   */
  progress?: JobProgressReport;
}

export interface JobProgressReport {
  /** 0–100. */
  percent?: number;
  epoch?: number;
  step?: number;
  totalSteps?: number;
}

export interface EventPage {
  /** Oldest first; only events newer than the cursor given. */
  events: JobEvent[];
  cursor: Cursor;
}

export interface JobStatus extends JobSnapshot, EventPage {}

/** The job a file is prepared for: where the GPU provider puts it (`host`, or auto by the model and settings). */
export interface PrepareJob {
  id: string;
  host?: string;
  model?: string;
  lora?: LoraSettings;
}

export interface Provider {
  readonly id: ProviderId;
  readonly label: string;
  readonly capabilities: ProviderCapabilities;
  /** The hosts jobs may run on (capabilities.hosts); absent for hosted providers. */
  readonly hosts?: readonly HostInfo[];
  /** Base models this provider can tune here. */
  models(): Promise<ModelInfo[]>;
  /**
   * Uploads the file where jobs can read it (large files through resumable uploads where offered).
   * The caller names it with `uploadName`, so an upload whose id was lost in a crash can be found.
   */
  prepare(file: TrainingFile, job?: PrepareJob): Promise<FileRef>;
  /** Checks the host (or the provider) can run this job before anything is spent; absent: nothing to check. */
  preflight?(spec: Omit<JobSpec, 'trainingFileId'> & { trainingBytes: number }): Promise<PreflightReport>;
  /**
   * Deletes the files uploaded for our job `jobId` (named by `uploadName`): a start cut off after
   * its upload but before the file id was recorded leaves one behind. Resolves to how many went.
   */
  discardUploads(jobId: string): Promise<number>;
  /** Starts the job; calling it again with the same `spec.id` returns the job already started. */
  start(spec: JobSpec): Promise<ProviderJobRef>;
  /** One job's state and its events since `since`. */
  poll(ref: ProviderJobRef, since?: Cursor): Promise<JobStatus>;
  /** Many jobs' states in as few calls as the API allows; jobs it cannot find are left out. */
  snapshots(refs: ProviderJobRef[]): Promise<Map<string, JobSnapshot>>;
  /** Events since `since`, oldest first. */
  events(ref: ProviderJobRef, since?: Cursor): Promise<EventPage>;
  checkpoints(ref: ProviderJobRef): Promise<Checkpoint[]>;
  cancel(ref: ProviderJobRef): Promise<CancelOutcome | undefined>;
  /** Asks a tuned model one question: the "Try it" button. */
  complete(model: string, prompt: string): Promise<Completion>;
}

/** What went wrong, in the categories a person acts on differently. */
export type ProviderErrorKind =
  | 'auth'
  | 'permission'
  | 'wind_down'
  | 'rate_limit'
  | 'daily_limit'
  /** Out of credit or over a spending limit (HTTP 402): someone must pay or raise the limit. */
  | 'quota'
  | 'not_found'
  | 'invalid_request'
  | 'invalid_file'
  | 'unavailable'
  | 'network';

/**
 * Every adapter failure surfaces as this: a message safe to show in Slack (no keys, no tokens),
 * a hint, and whether trying again later can help.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly hint: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly requestId?: string;
  /** How long the provider asked to wait before trying again (Retry-After), when it said. */
  readonly retryAfterMs?: number;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    opts: { hint: string; retryable?: boolean; status?: number; requestId?: string; retryAfterMs?: number },
  ) {
    super(message);
    this.kind = kind;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
