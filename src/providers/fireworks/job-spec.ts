import { type JobSpec, ProviderError } from '../types.ts';
import { FIREWORKS_CAPABILITIES } from './capabilities.ts';
import type { BaseModel } from './models.ts';
import { baseModelName, type Names } from './names.ts';

/**
 * Our job spec as Fireworks' create body (POST /v1/accounts/<a>/supervisedFineTuningJobs, fields
 * as in the API reference and fireworks-ai's SupervisedFineTuningJobCreateParams), and the refusals
 * that can be said before any call, so a person hears them in the review instead of after an upload.
 */

const RANKS = FIREWORKS_CAPABILITIES.adapter?.ranks ?? [];

/** Throws what the API would refuse (or what this adapter does not start), before any request. */
export function checkSpec(spec: JobSpec): void {
  const refuse = (message: string, hint: string) => {
    throw new ProviderError('invalid_request', message, { hint });
  };
  const h = spec.hyperparameters;
  baseModelName(spec.model);
  if (spec.method !== 'supervised') {
    refuse(
      'The bot starts supervised fine-tuning on Fireworks; preference (DPO) jobs are a separate job type there.',
      'Choose supervised training, or start the DPO job from the Fireworks console.',
    );
  }
  if (h.tuning === 'full') {
    refuse(
      'Fireworks tunes LoRA adapters only; full fine-tuning is not offered.',
      `Choose LoRA with one of the ranks ${RANKS.join(', ')}.`,
    );
  }
  if (h.loraRank !== undefined && !RANKS.includes(h.loraRank)) {
    refuse(`Fireworks takes a LoRA rank of ${RANKS.join(', ')}, not ${h.loraRank}.`, 'Pick one of the ranks offered.');
  }
  const lr = h.learningRate;
  if (typeof lr === 'number' && !(Number.isFinite(lr) && lr > 0)) {
    refuse(`A learning rate of ${lr} cannot train.`, 'Leave it on auto, or give a small positive rate such as 0.0001.');
  }
  if (typeof h.nEpochs === 'number' && !(Number.isInteger(h.nEpochs) && h.nEpochs >= 1)) {
    refuse(`Fireworks counts epochs in whole numbers, not ${h.nEpochs}.`, 'Give 1 or more whole epochs, or auto.');
  }
  if (typeof h.batchSize === 'number' && !(Number.isInteger(h.batchSize) && h.batchSize >= 1)) {
    refuse(`A batch of ${h.batchSize} examples cannot train.`, 'Give a whole number of examples per batch, or auto.');
  }
}

/** Our job's name on the Fireworks job, for people reading its console. */
export function displayName(spec: JobSpec): string {
  return `finetune-bot ${spec.id}`;
}

/**
 * The create body. `auto` leaves a field out, so Fireworks chooses. Fireworks' `batchSize` counts
 * tokens per batch (its examples use 65536); ours counts examples, which is its `batchSizeSamples`.
 * The tuned model is named after the job (`accounts/<a>/models/<job id>`), so the name is known
 * before it exists.
 */
export function createBody(spec: JobSpec, jobId: string, base: BaseModel, names: Names): Record<string, unknown> {
  const h = spec.hyperparameters;
  const number = (v: number | 'auto' | undefined) => (typeof v === 'number' ? v : undefined);
  const body: Record<string, unknown> = {
    dataset: names.dataset(spec.trainingFileId),
    displayName: displayName(spec),
    ...(base.warmStart ? { warmStartFrom: base.name } : { baseModel: base.name }),
    outputModel: names.model(jobId),
    ...(spec.validationFileId ? { evaluationDataset: names.dataset(spec.validationFileId) } : {}),
  };
  const epochs = number(h.nEpochs);
  if (epochs !== undefined) body.epochs = epochs;
  const learningRate = number(h.learningRate);
  if (learningRate !== undefined) body.learningRate = learningRate;
  if (h.loraRank !== undefined) body.loraRank = h.loraRank;
  const batch = number(h.batchSize);
  if (batch !== undefined) body.batchSizeSamples = batch;
  return body;
}
