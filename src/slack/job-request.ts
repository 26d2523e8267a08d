import { z } from 'zod';
import type { ProviderId } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';
import { FILE_NAME_MAX, SLACK_FILE_ID } from './channel-metadata.ts';
import { KNOWN_CAPABILITIES } from './job-choice.ts';
import { CHECKPOINTS, EVALUATIONS, LEARNING_RATE } from './job-view-adapter.ts';
import { BASE_MODEL_MAX, isFreeBaseModel, loraSettingsSchema } from './lora-settings.ts';
import { EPOCHS } from './validate-view.ts';

/**
 * A job request as the start form produces it, and the one schema it is checked with: by the form's
 * parser (job-view-parse.ts) and again when the review's private_metadata comes back
 * (job-review-metadata.ts), so both steps hold a job to the same ranges and id shapes.
 */

export const PROVIDER_IDS = [
  'openai',
  'azure',
  'gpu',
  'k8s',
  'together',
  'fireworks',
] as const satisfies readonly ProviderId[];

/** The longest suffix a provider takes, from its capabilities; 0: it names the model itself (no suffix asked). */
export function suffixMax(provider: ProviderId): number {
  return KNOWN_CAPABILITIES[provider].suffixMax ?? 0;
}

export const BATCH_SIZE = { min: 1, max: 256 } as const;
/** The API only says "> 0"; above 10 is almost surely a typo (defaults are 0.05–2). */
export const LR_MULTIPLIER_MAX = 10;

/** The file Slack received from the modal's file input; the handler downloads it for validation and upload. */
export interface UploadedTrainingFile {
  id: string;
  name: string;
  url_private_download?: string;
  size?: number;
}

export type JobStartRequest = JobRequest & {
  provider: ProviderId;
  channelId: string;
  uploadedFile?: UploadedTrainingFile;
};

/** OpenAI and Azure both name uploaded files `file-…`. */
export const FILE_ID = /^file-[A-Za-z0-9_-]{1,120}$/;
export const SUFFIX_CHARS = /^[A-Za-z0-9_-]+$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;
/** config/gpu.ts's host names. */
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const CHANNEL_ID = /^[A-Z0-9]{2,40}$/;

const auto = <T extends z.ZodType>(n: T) => z.union([z.literal('auto'), n]);

const jobStartRequestShape = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  channelId: z.string().max(40).regex(CHANNEL_ID),
  // A list model's id, or (with `lora`) a hub id or a folder on the host: checked below.
  model: z.string().min(1).max(BASE_MODEL_MAX),
  method: z.enum(['supervised', 'dpo']),
  trainingFileId: z.string().max(125).regex(FILE_ID).optional(),
  trainingFileName: z.string().min(1).max(FILE_NAME_MAX).optional(),
  validationFileId: z.string().max(125).regex(FILE_ID).optional(),
  suffix: z.string().min(1).max(64).regex(SUFFIX_CHARS).optional(),
  seed: z.number().int().min(0).max(2_147_483_647).optional(),
  hyperparameters: z.strictObject({
    nEpochs: auto(z.number().int().min(EPOCHS.min).max(EPOCHS.max)),
    batchSize: auto(z.number().int().min(BATCH_SIZE.min).max(BATCH_SIZE.max)),
    learningRateMultiplier: auto(z.number().gt(0).max(LR_MULTIPLIER_MAX)),
    beta: auto(z.number().gt(0).max(2)).optional(),
    learningRate: auto(z.number().gt(0).max(LEARNING_RATE.max)).optional(),
    tuning: z.enum(['lora', 'full']).optional(),
    loraRank: z.number().int().min(1).max(512).optional(),
    nCheckpoints: z.number().int().min(CHECKPOINTS.min).max(CHECKPOINTS.max).optional(),
    nEvals: z.number().int().min(EVALUATIONS.min).max(EVALUATIONS.max).optional(),
  }),
  trainingType: z.enum(['standard', 'globalstandard', 'developer']).optional(),
  billableTokens: z.number().int().nonnegative().max(1e13).optional(),
  estimatePlaceholder: z.boolean().optional(),
  uploadedFile: z
    .strictObject({
      id: z.string().max(41).regex(SLACK_FILE_ID),
      name: z.string().min(1).max(FILE_NAME_MAX),
      url_private_download: z.string().max(3000).optional(),
      size: z.number().int().nonnegative().optional(),
    })
    .optional(),
  lora: loraSettingsSchema.optional(),
  host: z.string().max(63).regex(HOST_NAME).optional(),
});

/**
 * A job request as the form produces it: the provider's enum, the ranges, the id shapes, nothing
 * else. A LoRA request (one with `lora`) names its model freely, takes an upload only, and has no
 * suffix, DPO or tier; only it may name a host.
 */
export const jobStartRequestSchema: z.ZodType<JobStartRequest> = jobStartRequestShape.superRefine((r, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (r.suffix && r.suffix.length > suffixMax(r.provider)) issue('suffix', 'suffix too long for the provider');
  if (r.lora) {
    if (!isFreeBaseModel(r.model)) issue('model', 'not a hub id or a folder on the host');
    if (r.method !== 'supervised') issue('method', 'LoRA jobs are supervised');
    for (const field of ['trainingFileId', 'validationFileId', 'suffix', 'trainingType'] as const) {
      if (r[field] !== undefined) issue(field, 'not part of a LoRA job');
    }
  } else {
    // Knobs only some providers have are refused where the provider has none (its capabilities).
    const caps = KNOWN_CAPABILITIES[r.provider];
    const hp = r.hyperparameters;
    if (hp.learningRate !== undefined && caps.learningRate !== 'absolute') issue('learningRate', 'not offered here');
    if ((hp.loraRank !== undefined || hp.tuning !== undefined) && !caps.adapter) issue('loraRank', 'not offered here');
    if (hp.tuning === 'full' && !caps.adapter?.full) issue('tuning', 'full fine-tuning is not offered here');
    if (hp.nCheckpoints !== undefined && !caps.checkpoints) issue('nCheckpoints', 'not offered here');
    if (hp.nEvals !== undefined && !caps.evaluations) issue('nEvals', 'not offered here');
    if (r.trainingType !== undefined && !caps.trainingTiers?.includes(r.trainingType))
      issue('trainingType', 'no tiers here');
    if (r.trainingFileId !== undefined && caps.fileIds === false) issue('trainingFileId', 'uploads only here');
    if (r.model.length > 128 || !MODEL_ID.test(r.model)) issue('model', 'not a model id');
    if (r.host !== undefined) issue('host', 'only LoRA jobs run on a named host');
  }
});

/** Hosted knobs the LoRA settings replace: a LoRA request carries them as auto, and reads `lora`. */
export const LORA_HYPERPARAMETERS: JobRequest['hyperparameters'] = {
  nEpochs: 'auto',
  batchSize: 'auto',
  learningRateMultiplier: 'auto',
};
