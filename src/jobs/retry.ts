import type { JobError, LoraSettings, ProviderId } from '../providers/types.ts';
import type { JobRecord, JobRequest } from '../store/types.ts';

export interface RetryPrefill {
  provider: ProviderId;
  request: Partial<JobRequest>;
  /** What the form changed from the failed job, in words, because of how it failed; empty when nothing. */
  changes: string[];
}

/**
 * What "Try again" fills the start form with: the failed job's provider, model and settings, and
 * a training file already at the provider when it named one. What was only for that run (its
 * upload from Slack, its billable count, its estimate's basis) is left out: the form asks for the
 * file again and the review estimates anew. Where the failure's hint names a setting to change and
 * the change is safe to make for the person, it is made, and said.
 */
export function retryPrefill(job: JobRecord): RetryPrefill {
  const {
    slackFile: _slackFile,
    uploadStartedAt: _uploadStartedAt,
    billableTokens: _billable,
    estimatePlaceholder: _placeholder,
    trainingFileName: _name,
    ...kept
  } = job.request;
  // A file the bot uploaded for that job (from Slack, so it has a name) is named after that job:
  // the new job uploads its own.
  const ownUpload = job.request.slackFile !== undefined || job.request.trainingFileName !== undefined;
  const { trainingFileId, ...rest } = kept;
  const request: Partial<JobRequest> = { ...rest, ...(trainingFileId && !ownUpload ? { trainingFileId } : {}) };
  const fix = loraFix(job.error, request.lora);
  if (fix) request.lora = fix.lora;
  return { provider: job.provider, request, changes: fix?.changes ?? [] };
}

/**
 * The trainer's failures whose hint is a setting (errors.py HINTS): out of GPU memory → half the
 * batch with twice the accumulation (the same effective batch), and 4-bit (QLoRA) once the batch is
 * already 1; a loss that became NaN → half the learning rate. Others (data, access, disk) need a
 * person, so the form stays as it was.
 */
function loraFix(
  error: JobError | null,
  lora: LoraSettings | undefined,
): { lora: LoraSettings; changes: string[] } | undefined {
  if (!error || !lora) return undefined;
  if (error.code === 'cuda_oom') {
    if (lora.batchSize > 1) {
      const batchSize = Math.max(1, Math.floor(lora.batchSize / 2));
      const gradientAccumulation = Math.min(4096, lora.gradientAccumulation * 2);
      return {
        lora: { ...lora, batchSize, gradientAccumulation },
        changes: [
          `Batch size ${lora.batchSize} → ${batchSize} and gradient accumulation ${lora.gradientAccumulation} → ${gradientAccumulation} (the same effective batch): the last run ran out of GPU memory.`,
        ],
      };
    }
    if (lora.method === 'lora') {
      return {
        lora: { ...lora, method: 'qlora' },
        changes: ['Method LoRA → QLoRA (4-bit base model): the last run ran out of GPU memory at batch size 1.'],
      };
    }
    return undefined;
  }
  if (error.code === 'nan_loss') {
    const learningRate = Number((lora.learningRate / 2).toPrecision(3));
    return {
      lora: { ...lora, learningRate },
      changes: [`Learning rate ${lora.learningRate} → ${learningRate}: the last run’s loss stopped being a number.`],
    };
  }
  return undefined;
}
