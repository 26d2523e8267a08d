import type { JobError, JobSnapshot, JobState, ProviderJobRef } from '../types.ts';
import type { WireEvent, WireJob } from './wire.ts';

const STATES: Record<string, JobState> = {
  pending: 'queued',
  queued: 'queued',
  running: 'running',
  // After the last step Together compresses and uploads the model: still working, not done.
  compressing: 'running',
  uploading: 'running',
  // Until Together confirms, the job may still train (and bill).
  cancel_requested: 'running',
  cancelled: 'cancelled',
  error: 'failed',
  completed: 'succeeded',
};

export function togetherState(status: string | undefined): JobState {
  return STATES[status ?? ''] ?? 'queued';
}

/**
 * A Together job as the common snapshot. The tuned model's name is known from the start
 * (`model_output_name`) but only usable once the job completed, so it is reported then.
 * `token_count` is what Together bills once tokenization ran (epochs × training tokens + evaluations
 * × validation tokens, docs/fine-tuning/pricing).
 */
export function toSnapshot(job: WireJob, events: readonly WireEvent[] = job.events ?? []): JobSnapshot {
  const state = togetherState(job.status);
  const ref: ProviderJobRef = { provider: 'together', id: job.id };
  const lastStep = [...events].reverse().find((e) => typeof e.step === 'number' && e.step > 0);
  const seconds = job.progress?.estimate_available ? job.progress.seconds_remaining : undefined;
  return {
    ref,
    state,
    providerStatus: job.status ?? 'unknown',
    model: job.model ?? '',
    fineTunedModel: state === 'succeeded' ? (job.model_output_name ?? null) : null,
    createdAt: job.created_at ?? new Date(0).toISOString(),
    finishedAt: state === 'succeeded' || state === 'failed' || state === 'cancelled' ? (job.updated_at ?? null) : null,
    estimatedFinish:
      typeof seconds === 'number' && state === 'running' ? new Date(Date.now() + seconds * 1000).toISOString() : null,
    trainedTokens: typeof job.token_count === 'number' && job.token_count > 0 ? job.token_count : null,
    hyperparameters: {
      ...(typeof job.n_epochs === 'number' ? { nEpochs: job.n_epochs } : {}),
      ...(typeof job.batch_size === 'number' ? { batchSize: job.batch_size } : {}),
      ...(typeof job.learning_rate === 'number' ? { learningRate: job.learning_rate } : {}),
    },
    error: state === 'failed' ? jobError(events) : null,
    ...(lastStep || typeof job.epochs_completed === 'number'
      ? {
          progress: {
            ...(lastStep?.step !== undefined ? { step: lastStep.step } : {}),
            ...(typeof lastStep?.total_steps === 'number' && lastStep.total_steps > 0
              ? { totalSteps: lastStep.total_steps }
              : {}),
            ...(typeof job.epochs_completed === 'number' ? { epoch: job.epochs_completed } : {}),
          },
        }
      : {}),
  };
}

/** Together says why a job failed only in its events: the last `job_error` (or error-level) one. */
export function jobError(events: readonly WireEvent[]): JobError {
  const last = [...events].reverse().find((e) => e.type === 'job_error' || /error/i.test(e.level ?? ''));
  const message = last?.message?.trim();
  return {
    code: last?.type ?? 'job_error',
    message: message
      ? `Together AI stopped the job: ${message}`
      : 'Together AI reports the job failed without a reason.',
    hint: failureHint(message ?? ''),
  };
}

function failureHint(message: string): string {
  if (/billing|credit|balance|limit/i.test(message)) {
    return 'Add credit or raise the spending limit at api.together.ai → Settings → Billing, then start it again.';
  }
  if (/format|json|parse|column|field|messages/i.test(message)) {
    return 'The training file did not match what Together expects: run /finetune validate on it, fix the lines it names, and start again.';
  }
  if (/length|context|sequence/i.test(message)) {
    return 'Some examples are longer than the model takes: shorten or split them, or pick a model with a longer context.';
  }
  return 'Start it again; if it fails the same way, send the job id to Together AI’s support.';
}
