import { z } from 'zod';
import type { LoraSettings, ModelInfo, ProviderId, TrainingMethod } from '../providers/types.ts';
import type { JobRequest } from '../store/types.ts';
import { type AttachedFile, FILE_NAME_MAX } from './channel-metadata.ts';
import { capabilitiesOf, type JobProviderChoice } from './job-choice.ts';
import {
  JOB_START_BLOCKS as B,
  JOB_FIELD_ACTION_ID as FIELD,
  JOB_MODEL_ACTION_ID,
  JOB_PROVIDER_ACTION_ID,
  modelBlockId,
} from './job-ids.ts';
import {
  BATCH_SIZE,
  CHANNEL_ID,
  FILE_ID,
  type JobStartRequest,
  jobStartRequestSchema,
  LORA_HYPERPARAMETERS,
  LR_MULTIPLIER_MAX,
  PROVIDER_IDS,
  SUFFIX_CHARS,
} from './job-request.ts';
import { parseAdapterKnobs, validationFileIds } from './job-view-adapter.ts';
import { parseHost, parseLora } from './job-view-lora.ts';
import { baseModelProblem, LORA_NUMBER_FIELDS } from './lora-settings.ts';
import { flagUnreadable, readForm, type StateValue } from './payloads.ts';
import { parseEpochs } from './validate-view.ts';

/**
 * Reading the `/finetune start` modal (job-view.ts renders it). Pure; errors are keyed by input block.
 * The request it returns is checked against `jobStartRequestSchema`, the schema the review step's
 * private_metadata is decoded with, so both steps hold a job to the same ranges. What is read follows
 * the provider's capabilities: a model from its list or one typed, hosted knobs or LoRA settings.
 */

export type { JobHostChoice, JobProviderChoice } from './job-choice.ts';

export type JobStartValues = Record<string, Record<string, StateValue>>;

export {
  BATCH_SIZE,
  type JobStartRequest,
  jobStartRequestSchema,
  LORA_HYPERPARAMETERS,
  LR_MULTIPLIER_MAX,
  PROVIDER_IDS,
  type UploadedTrainingFile,
} from './job-request.ts';

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

/**
 * What the modal shows now: the handler re-renders with these when the provider or model select
 * dispatches. The model is the selected one, or the one typed where the provider takes any.
 */
export function jobStartSelection(values: unknown): { provider?: ProviderId; model?: string } {
  const form = readForm(values);
  const picked = providerId.safeParse(form.get(B.provider, JOB_PROVIDER_ACTION_ID)?.selected_option?.value);
  if (!picked.success) return {};
  const model =
    form.get(modelBlockId(picked.data), JOB_MODEL_ACTION_ID)?.selected_option?.value ??
    (form.get(B.baseModel, FIELD)?.value ?? '').trim();
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
  learningRate: B.learningRate,
  loraRank: B.adapter,
  tuning: B.adapter,
  nCheckpoints: B.checkpoints,
  nEvals: B.evaluations,
  host: B.host,
};

const LORA_BLOCK_OF: Record<string, string> = {
  method: B.loraMethod,
  targetModules: B.loraTargets,
  packing: B.loraPacking,
  ...Object.fromEntries(LORA_NUMBER_FIELDS.map((f) => [f.key, f.block])),
};

/**
 * Reads and checks the submitted start modal. `errors` is what the handler returns as
 * `response_action: 'errors'`: one message per input block.
 */
export function parseJobStart(
  values: unknown,
  providers: readonly JobProviderChoice[],
  attached?: AttachedFile,
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
  const caps = capabilitiesOf(provider);
  const lora = caps.knobs === 'lora';

  const modelBlock = caps.baseModel === 'free' ? B.baseModel : modelBlockId(provider.id);
  let modelId: string | undefined;
  let model: ModelInfo | undefined;
  if (caps.baseModel === 'free') {
    const typed = text(B.baseModel);
    const problem = baseModelProblem(typed);
    if (problem) errors[B.baseModel] = problem;
    else modelId = typed;
    model = provider.models.find((m) => m.id === typed);
  } else {
    model = provider.models.find((m) => m.id === selection.model);
    modelId = model?.id;
    if (!model) {
      errors[modelBlock] = selection.model
        ? `${selection.model.slice(0, 80)} is not offered by ${provider.label}; choose a model from the list.`
        : JOB_START_ERRORS.model;
    }
  }

  // Our trainer gets the file the bot copies to the host, and some hosted providers take uploads
  // only (Fireworks datasets): there is no provider file store to name.
  const uploadsOnly = lora || caps.fileIds === false;
  const fileId = uploadsOnly ? '' : text(B.fileId);
  // A file uploaded here, or a file id typed, replaces the one the form came with.
  const upload: { id: string; name?: string; url_private_download?: string; size?: number } | undefined =
    get(B.file)?.files?.[0] ?? (fileId === '' ? attached : undefined);
  if (!upload?.id && fileId === '') {
    errors[B.file] = uploadsOnly ? JOB_START_ERRORS.noUpload : JOB_START_ERRORS.noFile;
  } else if (upload?.id && fileId !== '') {
    errors[B.fileId] = JOB_START_ERRORS.both;
  } else if (fileId !== '' && !FILE_ID.test(fileId)) {
    errors[B.fileId] = JOB_START_ERRORS.fileId;
  } else if (upload?.id && !(upload.name ?? '').toLowerCase().endsWith('.jsonl')) {
    errors[B.file] = JOB_START_ERRORS.notJsonl;
  } else if (upload?.id && (upload.name ?? '').length > FILE_NAME_MAX) {
    errors[B.file] = JOB_START_ERRORS.fileName;
  }
  const validationFileId = validationFileIds(caps) ? text(B.validationFileId) : '';
  if (validationFileId !== '' && !FILE_ID.test(validationFileId)) {
    errors[B.validationFileId] = JOB_START_ERRORS.fileId;
  }

  const knobs = lora
    ? loraKnobs(form, provider, errors)
    : hostedKnobs(form, provider, model, validationFileId !== '', errors);

  const channelId = get(B.channel)?.selected_conversation ?? '';
  if (!CHANNEL_ID.test(channelId)) errors[B.channel] = JOB_START_ERRORS.channel;

  const tier = get(B.trainingType)?.selected_option?.value;
  const tiers = caps.trainingTiers ?? [];
  const trainingType =
    tiers.length > 0
      ? (tiers.find((t) => t === tier) ?? (tiers.includes('globalstandard') ? 'globalstandard' : tiers[0]))
      : undefined;

  flagUnreadable(form, errors);
  if (Object.keys(errors).length > 0 || modelId === undefined || knobs === null) {
    return { ok: false, errors };
  }
  const request: JobStartRequest = {
    provider: provider.id,
    channelId,
    model: modelId,
    ...knobs,
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
    ...(trainingType ? { trainingType } : {}),
  };
  const checked = jobStartRequestSchema.safeParse(request);
  if (checked.success) return { ok: true, request: checked.data };
  for (const issue of checked.error.issues) {
    const field = String(issue.path.at(-1) ?? issue.path[0] ?? '');
    const block =
      issue.path[0] === 'lora'
        ? (LORA_BLOCK_OF[field] ?? B.loraMethod)
        : (BLOCK_OF[field] ?? BLOCK_OF[String(issue.path[0])] ?? modelBlock);
    errors[block] ??= 'Check this field: it is not something the provider accepts.';
  }
  return { ok: false, errors };
}

type Knobs = Pick<JobRequest, 'method' | 'hyperparameters' | 'suffix' | 'lora' | 'host'>;

/**
 * A hosted API's knobs: suffix, method (DPO where the model has it), epochs, batch size, and the
 * learning rate as a multiplier or itself, with the adapter's where the capabilities offer them.
 */
function hostedKnobs(
  form: ReturnType<typeof readForm>,
  provider: JobProviderChoice,
  model: ModelInfo | undefined,
  hasValidationFile: boolean,
  errors: Record<string, string>,
): Knobs | null {
  const caps = capabilitiesOf(provider);
  const get = (block: string) => form.get(block, FIELD);
  const suffixMax = caps.suffixMax ?? 0;
  const suffix = suffixMax > 0 ? (get(B.suffix)?.value ?? '').trim() : '';
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
  const lr = caps.learningRate === 'absolute' ? 'auto' : lrMultiplier(get(B.lrMultiplier)?.value);
  if (lr === null) errors[B.lrMultiplier] = JOB_START_ERRORS.lrMultiplier;
  const adapter = parseAdapterKnobs(form, caps, hasValidationFile, errors);
  if (typeof epochs === 'object' || batchSize === null || lr === null || adapter === null) return null;
  return {
    method,
    ...(suffix ? { suffix } : {}),
    hyperparameters: { nEpochs: epochs, batchSize, learningRateMultiplier: lr, ...adapter },
  };
}

/** Our trainer's knobs: the LoRA settings and the host (absent: auto). */
function loraKnobs(
  form: ReturnType<typeof readForm>,
  provider: JobProviderChoice,
  errors: Record<string, string>,
): Knobs | null {
  const host = capabilitiesOf(provider).hosts ? parseHost(form, provider.hosts, errors) : undefined;
  const lora: LoraSettings | null = parseLora(form, errors);
  if (lora === null || host === null) return null;
  return { method: 'supervised', hyperparameters: LORA_HYPERPARAMETERS, lora, ...(host ? { host } : {}) };
}
