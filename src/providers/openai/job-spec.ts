import type { JobCreateParams } from 'openai/resources/fine-tuning/jobs/jobs';
import { type JobSpec, ProviderError } from '../types.ts';

/** The metadata key that makes `start` idempotent: our job id, stored with the provider's job. */
export const JOB_ID_KEY = 'ftbot_job_id';

/**
 * The create body for a spec. Hyperparameters go under `method` (the top-level field is
 * deprecated); anything left `auto` is sent as `auto` so the provider picks it. `beta` is DPO only.
 */
export function createParams(spec: JobSpec, extras: Record<string, unknown>): JobCreateParams {
  const h = spec.hyperparameters;
  const base = {
    n_epochs: h.nEpochs ?? 'auto',
    batch_size: h.batchSize ?? 'auto',
    learning_rate_multiplier: h.learningRateMultiplier ?? 'auto',
  };
  const method: JobCreateParams['method'] =
    spec.method === 'dpo'
      ? { type: 'dpo', dpo: { hyperparameters: { ...base, beta: h.beta ?? 'auto' } } }
      : { type: 'supervised', supervised: { hyperparameters: base } };
  return {
    model: spec.model,
    training_file: spec.trainingFileId,
    ...(spec.validationFileId ? { validation_file: spec.validationFileId } : {}),
    ...(spec.suffix ? { suffix: spec.suffix } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    method,
    // Shown in the provider's console next to the job: who asked, and where it reports.
    metadata: { [JOB_ID_KEY]: spec.id, slack_channel: spec.channelId, requested_by: spec.requestedBy },
    ...extras,
  };
}

/** Refuses a suffix the provider would refuse, before anything is sent. */
export function checkSuffix(spec: JobSpec, maxLength: number, allowed?: RegExp): void {
  const suffix = spec.suffix;
  if (!suffix) return;
  if (suffix.length > maxLength) {
    throw new ProviderError(
      'invalid_request',
      `The model name suffix “${suffix}” is ${suffix.length} characters long.`,
      {
        hint: `Use at most ${maxLength} characters.`,
      },
    );
  }
  if (allowed && !allowed.test(suffix)) {
    throw new ProviderError(
      'invalid_request',
      `The model name suffix “${suffix}” has characters this provider refuses.`,
      {
        hint: 'Use only letters, digits, hyphens and underscores.',
      },
    );
  }
}
