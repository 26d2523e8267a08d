import type { Hyperparameters, JobError, JobSnapshot, JobState, ProviderId } from '../types.ts';
import type { Dialect } from './dialect.ts';

/**
 * A fine-tuning job as it arrives, typed loosely on purpose: the SDK's type promises fields that
 * Azure leaves null (`organization_id`, `result_files`) or out (`hyperparameters` on failed jobs),
 * and a status set that both providers exceed (`paused`, `pending`).
 */
export interface WireJob {
  id: string;
  status: string;
  model: string;
  created_at: number;
  finished_at?: number | null;
  estimated_finish?: number | null;
  fine_tuned_model?: string | null;
  trained_tokens?: number | null;
  hyperparameters?: WireHyperparameters | null;
  method?: { type?: string } & Record<string, { hyperparameters?: WireHyperparameters } | string | undefined>;
  error?: { code?: string | null; message?: string | null; param?: string | null } | null;
  metadata?: Record<string, string> | null;
}

type WireHyperparameters = Partial<Record<'n_epochs' | 'batch_size' | 'learning_rate_multiplier' | 'beta', unknown>>;

/**
 * Provider words → our states. Both providers' words share one table because they never disagree:
 * - `validating_files` (OpenAI) → validating.
 * - `pending` and `created` (Azure's "accepted, waiting for capacity") → queued.
 * - `paused` (OpenAI and Azure; someone paused it after some steps) → running: the job is alive,
 *   has trained, and waits on a person; `providerStatus` keeps the word for the message, and the
 *   monitor's stall warning after a quiet while is the nudge a forgotten pause deserves.
 * - `pausing`, `resuming` → running; `cancelling` → running until it is really cancelled.
 * Anything else is kept in `providerStatus` and reads as queued: not terminal, so the monitor keeps
 * watching, and no stall warning for a state we do not understand.
 */
const STATES: Record<string, JobState> = {
  validating_files: 'validating',
  queued: 'queued',
  pending: 'queued',
  created: 'queued',
  notrunning: 'queued',
  running: 'running',
  paused: 'running',
  pausing: 'running',
  resuming: 'running',
  cancelling: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export function jobState(status: string): JobState {
  return STATES[status.toLowerCase()] ?? 'queued';
}

/** Unix seconds → ISO 8601; 0 and null mean "not known" (the spec's example has `estimated_finish: 0`). */
export function isoTime(seconds: number | null | undefined): string | null {
  return typeof seconds === 'number' && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
}

export function toSnapshot(job: WireJob, provider: ProviderId, dialect: Dialect): JobSnapshot {
  const state = jobState(job.status);
  const hyperparameters = resolvedHyperparameters(job);
  return {
    ref: { provider, id: job.id },
    state,
    providerStatus: job.status,
    model: job.model,
    fineTunedModel: job.fine_tuned_model ?? null,
    createdAt: isoTime(job.created_at) ?? new Date(0).toISOString(),
    finishedAt: isoTime(job.finished_at),
    estimatedFinish: isoTime(job.estimated_finish),
    trainedTokens: typeof job.trained_tokens === 'number' ? job.trained_tokens : null,
    ...(hyperparameters ? { hyperparameters } : {}),
    error: jobError(job.error, state, dialect),
  };
}

const HYPER_KEYS: Array<[keyof WireHyperparameters, keyof Hyperparameters]> = [
  ['n_epochs', 'nEpochs'],
  ['batch_size', 'batchSize'],
  ['learning_rate_multiplier', 'learningRateMultiplier'],
  ['beta', 'beta'],
];

/** The numbers the provider settled on: the method's block first (current API), else the legacy field. */
function resolvedHyperparameters(job: WireJob): JobSnapshot['hyperparameters'] {
  const type = job.method?.type;
  const block = type ? job.method?.[type] : undefined;
  const fromMethod = typeof block === 'object' ? block.hyperparameters : undefined;
  const out: NonNullable<JobSnapshot['hyperparameters']> = {};
  for (const source of [job.hyperparameters, fromMethod]) {
    for (const [wire, ours] of HYPER_KEYS) {
      const value = source?.[wire];
      // Azure writes -1 for "the provider's default"; only real settings are reported.
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[ours] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const SAFETY = /moderation|refusal|safety|harmful|content polic/i;

/**
 * The job's error in plain words with what to do about it. OpenAI sends `error: {}` on jobs that
 * have not failed, so an error without code or message is no error; a failed job with no error
 * still gets one, since the channel must be told something.
 */
export function jobError(error: WireJob['error'], state: JobState, dialect: Dialect): JobError | null {
  const code = error?.code ?? '';
  const message = error?.message ?? '';
  if (!code && !message) {
    if (state !== 'failed') return null;
    return {
      code: 'unknown',
      message: `${dialect.label} marked the job failed without saying why.`,
      hint: 'Look at the job’s events in the provider’s console; failed jobs are not billed, so starting it again costs nothing extra.',
    };
  }
  const param = error?.param ?? undefined;
  return { code: code || 'error', message: message || code, hint: jobErrorHint(code, message, param, dialect) };
}

function jobErrorHint(code: string, message: string, param: string | undefined, dialect: Dialect): string {
  const own = dialect.jobErrorHint(code, message);
  if (own) return own;
  if (SAFETY.test(code) || SAFETY.test(message)) {
    return (
      'The tuned model failed the provider’s safety checks (a moderation eval after training). Remove or rewrite ' +
      'examples that teach harmful or refusal-breaking answers; pre-screen the file with the moderation API before ' +
      'training again.'
    );
  }
  if (/file/i.test(code) || param === 'training_file' || param === 'validation_file') {
    return 'Run `/finetune validate` on the file to find the lines the provider objects to, fix them, and start again.';
  }
  if (/quota|billing|limit/i.test(code) || /quota|billing|hard limit/i.test(message)) {
    return 'Check the account’s billing and limits in the provider’s console, then start the job again.';
  }
  return 'Read the message above, change what it names, and start the job again; failed jobs are not billed.';
}
