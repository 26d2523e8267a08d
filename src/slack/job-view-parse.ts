import type { ViewStateValue } from '@slack/bolt';
import type { Hyperparameters, ModelInfo, ProviderId, TrainingMethod } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';
import {
  JOB_START_BLOCKS as B,
  JOB_FIELD_ACTION_ID as FIELD,
  JOB_MODEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  modelBlockId,
} from './job-ids.ts';
import { parseEpochs } from './validate-view.ts';

/** Reading the `/finetune start` modal (job-view.ts renders it). Pure; errors are keyed by input block. */

export interface JobProviderChoice {
  id: ProviderId;
  label: string;
  models: ModelInfo[];
}

export type JobStartValues = Record<string, Record<string, ViewStateValue>>;

/** Suffix limits: Azure takes 40 characters, OpenAI 64 (shared/research/provider-apis.md §2 and §4.2). */
export const SUFFIX_MAX: Record<ProviderId, number> = { azure: 40, openai: 64, gpu: 64 };

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
const FILE_ID = /^file-[A-Za-z0-9_-]+$/;
const SUFFIX_CHARS = /^[A-Za-z0-9_-]+$/;

export const JOB_START_ERRORS = {
  provider: 'Choose a provider.',
  model: 'Choose a base model from the list.',
  noFile: 'Upload a training file, or give the id of one already on the provider.',
  noUpload: 'Upload a training file.',
  both: 'Give either an uploaded file or a file id, not both.',
  fileId: 'A file id looks like file-abc123.',
  notJsonl: 'The training file must be a .jsonl file (one JSON example per line).',
  suffixChars: 'Use only letters, digits, - and _ in the suffix.',
  batchSize: 'Batch size is a whole number from 1 to 256, or blank for auto.',
  lrMultiplier: 'The learning-rate multiplier is a number above 0 and at most 10, or blank for auto.',
  channel: 'Choose a channel to report in.',
} as const;

/** What the modal shows now: the handler re-renders with these when the provider or model select dispatches. */
export function jobStartSelection(values: JobStartValues | undefined): { provider?: ProviderId; model?: string } {
  const provider = values?.[B.provider]?.[JOB_PROVIDER_ACTION_ID]?.selected_option?.value as ProviderId | undefined;
  const model = provider ? values?.[modelBlockId(provider)]?.[JOB_MODEL_ACTION_ID]?.selected_option?.value : undefined;
  return { ...(provider ? { provider } : {}), ...(model ? { model } : {}) };
}

function auto(raw: string | null | undefined): string | undefined {
  const text = (raw ?? '').trim().toLowerCase();
  return text === '' || text === 'auto' ? undefined : text;
}

function integerIn(raw: string | null | undefined, min: number, max: number): number | 'auto' | null {
  const text = auto(raw);
  if (text === undefined) return 'auto';
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && n <= max ? n : null;
}

function lrMultiplier(raw: string | null | undefined): number | 'auto' | null {
  const text = auto(raw);
  if (text === undefined) return 'auto';
  const n = Number(text);
  // The API only says "> 0"; above 10 is almost surely a typo (defaults are 0.05–2).
  return /^\d*\.?\d+(e-?\d+)?$/.test(text) && n > 0 && n <= 10 ? n : null;
}

/**
 * Reads and checks the submitted start modal. `errors` is what the handler returns as
 * `response_action: 'errors'`: one message per input block.
 */
export function parseJobStart(
  values: JobStartValues | undefined,
  providers: readonly JobProviderChoice[],
): { ok: true; request: JobStartRequest } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const get = (block: string, action: string = FIELD) => values?.[block]?.[action];
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
      ? `${selection.model} is not offered by ${provider.label}; choose a model from the list.`
      : JOB_START_ERRORS.model;
  }

  const uploads = get(B.file)?.files ?? [];
  const upload = uploads[0] as Partial<UploadedTrainingFile> | undefined;
  const fileId = provider.id === 'gpu' ? '' : text(B.fileId);
  if (!upload?.id && fileId === '') {
    errors[B.file] = provider.id === 'gpu' ? JOB_START_ERRORS.noUpload : JOB_START_ERRORS.noFile;
  } else if (upload?.id && fileId !== '') {
    errors[B.fileId] = JOB_START_ERRORS.both;
  } else if (fileId !== '' && !FILE_ID.test(fileId)) {
    errors[B.fileId] = JOB_START_ERRORS.fileId;
  } else if (upload?.id && !(upload.name ?? '').toLowerCase().endsWith('.jsonl')) {
    errors[B.file] = JOB_START_ERRORS.notJsonl;
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

  const method = (get(B.method)?.selected_option?.value ?? 'supervised') as TrainingMethod;
  if (method === 'dpo' && model && !model.methods.includes('dpo')) {
    errors[B.method] = `${model.label || model.id} does not offer DPO here; choose Supervised.`;
  }

  const epochs = parseEpochs(get(B.epochs)?.value);
  if (typeof epochs === 'object') errors[B.epochs] = epochs.error;
  const batchSize = integerIn(get(B.batchSize)?.value, 1, 256);
  if (batchSize === null) errors[B.batchSize] = JOB_START_ERRORS.batchSize;
  const lr = lrMultiplier(get(B.lrMultiplier)?.value);
  if (lr === null) errors[B.lrMultiplier] = JOB_START_ERRORS.lrMultiplier;

  const channelId = get(B.channel)?.selected_conversation ?? '';
  if (!channelId) errors[B.channel] = JOB_START_ERRORS.channel;

  const tier = get(B.trainingType)?.selected_option?.value;
  const trainingType =
    provider.id === 'azure'
      ? tier === 'standard' || tier === 'developer' || tier === 'globalstandard'
        ? tier
        : 'globalstandard'
      : undefined;

  if (Object.keys(errors).length > 0 || !model || typeof epochs === 'object' || batchSize === null || lr === null) {
    return { ok: false, errors };
  }
  const hyperparameters: Hyperparameters = { nEpochs: epochs, batchSize, learningRateMultiplier: lr };
  const uploadedFile: UploadedTrainingFile | undefined = upload?.id
    ? {
        id: upload.id,
        name: upload.name ?? 'training.jsonl',
        ...(upload.url_private_download ? { url_private_download: upload.url_private_download } : {}),
        ...(typeof upload.size === 'number' ? { size: upload.size } : {}),
      }
    : undefined;
  return {
    ok: true,
    request: {
      provider: provider.id,
      channelId,
      model: model.id,
      method,
      ...(fileId ? { trainingFileId: fileId } : {}),
      ...(uploadedFile ? { trainingFileName: uploadedFile.name, uploadedFile } : {}),
      ...(validationFileId ? { validationFileId } : {}),
      ...(suffix ? { suffix } : {}),
      hyperparameters,
      ...(trainingType ? { trainingType } : {}),
    },
  };
}
