import { z } from 'zod';
import type { ModelInfo, ProviderId, TrainingMethod } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';
import {
  JOB_START_BLOCKS as B,
  JOB_FIELD_ACTION_ID as FIELD,
  JOB_MODEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  modelBlockId,
} from './job-ids.ts';
import { flagUnreadable, readForm, type StateValue } from './payloads.ts';
import { EPOCHS, parseEpochs } from './validate-view.ts';

/**
 * Reading the `/finetune start` modal (job-view.ts renders it). Pure; errors are keyed by input block.
 * The request it returns is checked against `jobStartRequestSchema`, the schema the review step's
 * private_metadata is decoded with, so both steps hold a job to the same ranges.
 */

export interface JobProviderChoice {
  id: ProviderId;
  label: string;
  models: ModelInfo[];
}

export type JobStartValues = Record<string, Record<string, StateValue>>;

export const PROVIDER_IDS = ['openai', 'azure', 'gpu'] as const satisfies readonly ProviderId[];

/** Suffix limits: Azure takes 40 characters, OpenAI 64 (shared/research/provider-apis.md §2 and §4.2). */
export const SUFFIX_MAX: Record<ProviderId, number> = { azure: 40, openai: 64, gpu: 64 };

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
const FILE_ID = /^file-[A-Za-z0-9_-]{1,120}$/;
const SUFFIX_CHARS = /^[A-Za-z0-9_-]+$/;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;
const CHANNEL_ID = /^[A-Z0-9]{2,40}$/;
const SLACK_FILE_ID = /^F[A-Z0-9]{1,40}$/;
const FILE_NAME_MAX = 255;

const auto = <T extends z.ZodType>(n: T) => z.union([z.literal('auto'), n]);

const jobStartRequestShape = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  channelId: z.string().max(40).regex(CHANNEL_ID),
  model: z.string().max(128).regex(MODEL_ID),
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
  }),
  trainingType: z.enum(['standard', 'globalstandard', 'developer']).optional(),
  billableTokens: z.number().int().nonnegative().max(1e13).optional(),
  uploadedFile: z
    .strictObject({
      id: z.string().max(41).regex(SLACK_FILE_ID),
      name: z.string().min(1).max(FILE_NAME_MAX),
      url_private_download: z.string().max(3000).optional(),
      size: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** A job request as the form produces it: the provider's enum, the ranges, the id shapes, nothing else. */
export const jobStartRequestSchema: z.ZodType<JobStartRequest> = jobStartRequestShape.refine(
  (request) => !request.suffix || request.suffix.length <= SUFFIX_MAX[request.provider],
  { path: ['suffix'], message: 'suffix too long for the provider' },
);

export const JOB_START_ERRORS = {
  provider: 'Choose a provider.',
  model: 'Choose a base model from the list.',
  noFile: 'Upload a training file, or give the id of one already on the provider.',
  noUpload: 'Upload a training file.',
  both: 'Give either an uploaded file or a file id, not both.',
  fileId: 'A file id looks like file-abc123.',
  notJsonl: 'The training file must be a .jsonl file (one JSON example per line).',
  fileName: 'Rename the file to something shorter, ending in .jsonl.',
  suffixChars: 'Use only letters, digits, - and _ in the suffix.',
  batchSize: 'Batch size is a whole number from 1 to 256, or blank for auto.',
  lrMultiplier: 'The learning-rate multiplier is a number above 0 and at most 10, or blank for auto.',
  channel: 'Choose a channel to report in.',
} as const;

const providerId = z.enum(PROVIDER_IDS);

/** What the modal shows now: the handler re-renders with these when the provider or model select dispatches. */
export function jobStartSelection(values: unknown): { provider?: ProviderId; model?: string } {
  const form = readForm(values);
  const picked = providerId.safeParse(form.get(B.provider, JOB_PROVIDER_ACTION_ID)?.selected_option?.value);
  if (!picked.success) return {};
  const model = form.get(modelBlockId(picked.data), JOB_MODEL_ACTION_ID)?.selected_option?.value;
  return { provider: picked.data, ...(model ? { model } : {}) };
}

function blankIsAuto(raw: string | null | undefined): string | undefined {
  const text = (raw ?? '').trim().toLowerCase();
  return text === '' || text === 'auto' ? undefined : text;
}

function integerIn(raw: string | null | undefined, min: number, max: number): number | 'auto' | null {
  const text = blankIsAuto(raw);
  if (text === undefined) return 'auto';
  const n = Number(text);
  return /^\d{1,6}$/.test(text) && n >= min && n <= max ? n : null;
}

function lrMultiplier(raw: string | null | undefined): number | 'auto' | null {
  const text = blankIsAuto(raw);
  if (text === undefined) return 'auto';
  const n = Number(text);
  return text.length <= 32 && /^\d*\.?\d+(e-?\d+)?$/.test(text) && n > 0 && n <= LR_MULTIPLIER_MAX ? n : null;
}

/** Where a schema problem in a built request is shown: the input that produced the field. */
const BLOCK_OF: Record<string, string> = {
  channelId: B.channel,
  trainingFileId: B.fileId,
  trainingFileName: B.file,
  uploadedFile: B.file,
  validationFileId: B.validationFileId,
  suffix: B.suffix,
  method: B.method,
  trainingType: B.trainingType,
  nEpochs: B.epochs,
  batchSize: B.batchSize,
  learningRateMultiplier: B.lrMultiplier,
};

/**
 * Reads and checks the submitted start modal. `errors` is what the handler returns as
 * `response_action: 'errors'`: one message per input block.
 */
export function parseJobStart(
  values: unknown,
  providers: readonly JobProviderChoice[],
): { ok: true; request: JobStartRequest } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const form = readForm(values);
  const get = (block: string, action: string = FIELD) => form.get(block, action);
  const text = (block: string) => (get(block)?.value ?? '').trim();

  const selection = jobStartSelection(values);
  const provider = providers.find((p) => p.id === selection.provider);
  if (!provider) {
    errors[B.provider] = JOB_START_ERRORS.provider;
    return { ok: false, errors };
  }
  const modelBlock = modelBlockId(provider.id);
  const model = provider.models.find((m) => m.id === selection.model);
  if (!model) {
    errors[modelBlock] = selection.model
      ? `${selection.model.slice(0, 80)} is not offered by ${provider.label}; choose a model from the list.`
      : JOB_START_ERRORS.model;
  }

  const upload = get(B.file)?.files?.[0];
  const fileId = provider.id === 'gpu' ? '' : text(B.fileId);
  if (!upload?.id && fileId === '') {
    errors[B.file] = provider.id === 'gpu' ? JOB_START_ERRORS.noUpload : JOB_START_ERRORS.noFile;
  } else if (upload?.id && fileId !== '') {
    errors[B.fileId] = JOB_START_ERRORS.both;
  } else if (fileId !== '' && !FILE_ID.test(fileId)) {
    errors[B.fileId] = JOB_START_ERRORS.fileId;
  } else if (upload?.id && !(upload.name ?? '').toLowerCase().endsWith('.jsonl')) {
    errors[B.file] = JOB_START_ERRORS.notJsonl;
  } else if (upload?.id && (upload.name ?? '').length > FILE_NAME_MAX) {
    errors[B.file] = JOB_START_ERRORS.fileName;
  }
  const validationFileId = provider.id === 'gpu' ? '' : text(B.validationFileId);
  if (validationFileId !== '' && !FILE_ID.test(validationFileId)) {
    errors[B.validationFileId] = JOB_START_ERRORS.fileId;
  }

  const suffix = text(B.suffix);
  const suffixMax = SUFFIX_MAX[provider.id];
  if (suffix.length > suffixMax) {
    errors[B.suffix] =
      `${provider.label} takes a suffix of at most ${suffixMax} characters; this one has ${suffix.length}.`;
  } else if (suffix !== '' && !SUFFIX_CHARS.test(suffix)) {
    errors[B.suffix] = JOB_START_ERRORS.suffixChars;
  }

  const methodValue = get(B.method)?.selected_option?.value ?? 'supervised';
  const method: TrainingMethod = methodValue === 'dpo' ? 'dpo' : 'supervised';
  if (methodValue !== method) errors[B.method] = 'Choose Supervised or DPO.';
  if (method === 'dpo' && model && !model.methods.includes('dpo')) {
    errors[B.method] = `${model.label || model.id} does not offer DPO here; choose Supervised.`;
  }

  const epochs = parseEpochs(get(B.epochs)?.value);
  if (typeof epochs === 'object') errors[B.epochs] = epochs.error;
  const batchSize = integerIn(get(B.batchSize)?.value, BATCH_SIZE.min, BATCH_SIZE.max);
  if (batchSize === null) errors[B.batchSize] = JOB_START_ERRORS.batchSize;
  const lr = lrMultiplier(get(B.lrMultiplier)?.value);
  if (lr === null) errors[B.lrMultiplier] = JOB_START_ERRORS.lrMultiplier;

  const channelId = get(B.channel)?.selected_conversation ?? '';
  if (!CHANNEL_ID.test(channelId)) errors[B.channel] = JOB_START_ERRORS.channel;

  const tier = get(B.trainingType)?.selected_option?.value;
  const trainingType =
    provider.id === 'azure'
      ? tier === 'standard' || tier === 'developer' || tier === 'globalstandard'
        ? tier
        : 'globalstandard'
      : undefined;

  flagUnreadable(form, errors);
  if (Object.keys(errors).length > 0 || !model || typeof epochs === 'object' || batchSize === null || lr === null) {
    return { ok: false, errors };
  }
  const request: JobStartRequest = {
    provider: provider.id,
    channelId,
    model: model.id,
    method,
    ...(fileId ? { trainingFileId: fileId } : {}),
    ...(upload?.id
      ? {
          trainingFileName: upload.name ?? 'training.jsonl',
          uploadedFile: {
            id: upload.id,
            name: upload.name ?? 'training.jsonl',
            ...(upload.url_private_download ? { url_private_download: upload.url_private_download } : {}),
            ...(typeof upload.size === 'number' ? { size: upload.size } : {}),
          },
        }
      : {}),
    ...(validationFileId ? { validationFileId } : {}),
    ...(suffix ? { suffix } : {}),
    hyperparameters: { nEpochs: epochs, batchSize, learningRateMultiplier: lr },
    ...(trainingType ? { trainingType } : {}),
  };
  const checked = jobStartRequestSchema.safeParse(request);
  if (checked.success) return { ok: true, request: checked.data };
  for (const issue of checked.error.issues) {
    const field = String(issue.path.at(-1) ?? issue.path[0] ?? '');
    const block = BLOCK_OF[field] ?? BLOCK_OF[String(issue.path[0])] ?? modelBlock;
    errors[block] ??= 'Check this field: it is not something the provider accepts.';
  }
  return { ok: false, errors };
}
